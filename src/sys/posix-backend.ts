import type { SysCalls } from './types';

export interface PosixNode {
  waitpid?: (pid: number, options: number) => { wstatus: number; ret: number };
  pipe2?: (flags: number) => { readfd: number; writefd: number };
  getsockopt?: (fd: number, level: number, option: number, length: number) => Buffer;
  constants?: Record<string, number>;
}

/** posix-node names its binaries after Zig's targets. */
const ZIG_ARCH: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64' };

/**
 * posix-node's native binary, loaded directly (posix-node 0.12 is pinned, and its layout
 * with it). Its index.js wraps every function in two calls to the `debug` logger: per call
 * that cost more than the system call itself during an orphan storm, it loads `debug` (and
 * with it process.stderr) at start-up, and DEBUG=posix-node in a user's environment would
 * make PID 1 trace every waitpid. The package entry is the fallback.
 */
export function loadPosixNode(): PosixNode {
  const arch = ZIG_ARCH[process.arch];
  if (arch && process.platform === 'linux') {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const binary = require(`posix-node/dist/${arch}-linux-gnu.node`) as PosixNode & { getConstants?: () => Record<string, number> };
      return { waitpid: binary.waitpid, pipe2: binary.pipe2, getsockopt: binary.getsockopt, constants: binary.getConstants?.() };
    } catch {
      // musl (the glibc binary does not load), or another layout: try the package itself.
    }
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('posix-node');
}

/**
 * posix-node's calls, where its (glibc-only) binary loaded. On musl its require
 * yields an empty object, so each call is checked for and missing ones are left out.
 */
export function posixCalls(): Partial<SysCalls> {
  let posix: PosixNode;
  try {
    posix = loadPosixNode();
  } catch {
    return {};
  }
  const calls: Partial<SysCalls> = {};
  const WNOHANG = posix.constants?.WNOHANG ?? 1;
  const O_CLOEXEC = posix.constants?.O_CLOEXEC ?? 0o2000000;
  const { waitpid, pipe2 } = posix;
  if (typeof waitpid === 'function') {
    calls.waitpid = (pid, nohang) => {
      try {
        const { ret, wstatus } = waitpid(pid, nohang ? WNOHANG : 0);
        return { pid: ret, status: wstatus };
      } catch {
        // posix-node throws without errno; the only expected cause is ECHILD.
        return undefined;
      }
    };
  }
  if (typeof pipe2 === 'function') {
    calls.pipe = () => {
      const { readfd, writefd } = pipe2(O_CLOEXEC);
      return [readfd, writefd];
    };
  }
  return calls;
}
