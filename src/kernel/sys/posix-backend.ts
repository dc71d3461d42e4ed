import type { SysCalls } from './types';

interface PosixNode {
  waitpid?: (pid: number, options: number) => { wstatus: number; ret: number };
  pipe2?: (flags: number) => { readfd: number; writefd: number };
  constants?: Record<string, number>;
}

/**
 * posix-node's calls, where its (glibc-only) binary loaded. On musl its require
 * yields an empty object, so each call is checked for and missing ones are left out.
 */
export function posixCalls(): Partial<SysCalls> {
  let posix: PosixNode;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    posix = require('posix-node');
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
