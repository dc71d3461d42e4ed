// Helpers for the ptrace integration tests: real processes, observed through /proc.
import { ChildProcess, SpawnOptions, execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Syscall numbers the tests look for in /proc/<pid>/syscall, per architecture: x86_64's own
 * table (arch/x86/entry/syscalls/syscall_64.tbl) and aarch64's, which is the generic one
 * (include/uapi/asm-generic/unistd.h: read 63, nanosleep 101, clock_nanosleep 115, wait4 260,
 * ppoll 73). aarch64 has no pause() (-1 here): libc parks in ppoll instead.
 */
const SYSCALLS = {
  x64: { read: 0, nanosleep: 35, wait4: 61, clock_nanosleep: 230, pause: 34, ppoll: 271 },
  arm64: { read: 63, nanosleep: 101, wait4: 260, clock_nanosleep: 115, pause: -1, ppoll: 73 },
} as const;

export const SYS = SYSCALLS[process.arch === 'arm64' ? 'arm64' : 'x64'];

export const skipReason =
  process.arch !== 'x64' && process.arch !== 'arm64'
    ? 'integration tests drive x86_64 and aarch64 tracees only'
    : process.getuid?.() !== 0
      ? 'needs root (CAP_SYS_PTRACE)'
      : false;

/**
 * How much slower than a normal machine this one is: the arm64 VM (emulated, scripts/arm64-vm.sh)
 * sets DINIT_TEST_SLOWDOWN=10. Tests that race against the clock scale their waits by it.
 */
export const SLOWDOWN = Math.max(1, Number(process.env.DINIT_TEST_SLOWDOWN) || 1);

/** `ms` scaled by SLOWDOWN. */
export const slow = (ms: number): number => Math.round(ms * SLOWDOWN);

export interface Tracee {
  child: ChildProcess;
  pid: number;
  /** What arrived on the original stdout / stderr pipes. */
  oldOut: () => string;
  oldErr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill: () => void;
}

/**
 * The tracee's real parent: forks, execs argv, waits, and ends the same way its child did.
 * Needed because the takeover yields to the event loop: a tracee that is a child_process child
 * of the test would have its ptrace stops consumed by libuv's waitpid on SIGCHLD.
 */
const KEEPER_C = `
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
int main(int argc, char **argv) {
  (void)argc;
  pid_t pid = fork();
  if (pid == 0) { execvp(argv[1], argv + 1); _exit(127); }
  int st;
  while (waitpid(pid, &st, 0) < 0) {}
  if (WIFSIGNALED(st)) { signal(WTERMSIG(st), SIG_DFL); kill(getpid(), WTERMSIG(st)); }
  return WEXITSTATUS(st);
}
`;

/** Compiles a C source with the machine's cc once per content; returns the binary (mode 0755). */
export function compileC(name: string, source: string, flags: string[] = []): string {
  const hash = crypto.createHash('sha256').update(source).update(flags.join(' ')).digest('hex').slice(0, 12);
  const binary = path.join(os.tmpdir(), `dinit-${name}-${hash}`);
  if (!fs.existsSync(binary)) {
    const src = `${binary}.c`;
    fs.writeFileSync(src, source);
    execFileSync('cc', ['-O2', ...flags, '-o', `${binary}.tmp`, src], { stdio: 'ignore' });
    fs.chmodSync(`${binary}.tmp`, 0o755);
    fs.renameSync(`${binary}.tmp`, binary);
  }
  return binary;
}

/** Starts `cmd` under a keeper (its real parent); resolves once it has exec'd. */
export async function start(cmd: string, args: string[], options: SpawnOptions = {}): Promise<Tracee> {
  const keeper = compileC('ptrace-keeper', KEEPER_C);
  const t = startDirect(keeper, [cmd, ...args], options);
  try {
    // Exec'd once its program is no longer the keeper (`cmd` may be a wrapper such as a pyenv shim).
    const pid = await until(`${cmd} to start under its keeper`, () => {
      const kid = childrenOf(t.pid)[0];
      if (kid === undefined) return undefined;
      try {
        return fs.readlinkSync(`/proc/${kid}/exe`) !== keeper ? kid : undefined;
      } catch {
        return undefined;
      }
    });
    return { ...t, pid };
  } catch (err) {
    t.kill();
    throw err;
  }
}

/** Starts `cmd` as a child_process child of the test itself (for tests that never stop it). */
export function startDirect(cmd: string, args: string[], options: SpawnOptions = {}): Tracee {
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], ...options });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    // 'close', not 'exit': only then has everything on the old pipes been read.
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    pid: child.pid as number,
    oldOut: () => out,
    oldErr: () => err,
    exited,
    kill: () => {
      // The whole tree: children of the tracee would otherwise outlive the test.
      for (const pid of [...treeOf(child.pid as number)].reverse()) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    },
  };
}

export function childrenOf(pid: number): number[] {
  try {
    return fs
      .readdirSync(`/proc/${pid}/task`)
      .flatMap((tid) => fs.readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(/\s+/))
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

export function treeOf(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) out.push(...childrenOf(out[i] as number));
  return out;
}

/**
 * The syscall number a thread is blocked in, or undefined (running / gone). Only interruptible
 * sleep counts: under I/O load a process shows `read` while it waits in state D for a disk read
 * (the dynamic loader reading a library), long before it reaches the read the test waits for.
 */
export function blockedIn(pid: number): number | undefined {
  try {
    if (/ \(.*\) (\S) /.exec(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1] !== 'S') return undefined;
    const first = fs.readFileSync(`/proc/${pid}/syscall`, 'utf8').split(' ')[0];
    return first === undefined || first === 'running' || first === '-1' ? undefined : Number(first);
  } catch {
    return undefined;
  }
}

export async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + slow(timeoutMs);
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** A pid in the tree of `root` (root included) that is blocked in one of `syscalls`. */
export function waitBlocked(root: number, syscalls: number[], pred: (pid: number) => boolean = () => true): Promise<number> {
  return until(`a process under ${root} blocked in ${syscalls.join('/')}`, () =>
    treeOf(root).find((pid) => pred(pid) && syscalls.includes(blockedIn(pid) ?? -1)),
  );
}

/** Everything written to a pipe read end until all its writers are gone. */
export function readAll(fd: number): Promise<string> {
  const sock = new net.Socket({ fd, readable: true, writable: false });
  let text = '';
  sock.on('data', (d) => (text += d));
  return new Promise((resolve, reject) => {
    sock.on('end', () => resolve(text));
    sock.on('error', reject);
  });
}

/** Reads a pipe until `pattern` shows up, then closes our read end. */
export function readUntil(fd: number, pattern: RegExp): Promise<string> {
  const sock = new net.Socket({ fd, readable: true, writable: false });
  let text = '';
  return new Promise((resolve, reject) => {
    sock.on('data', (d) => {
      text += d;
      if (pattern.test(text)) {
        sock.destroy();
        resolve(text);
      }
    });
    sock.on('end', () => reject(new Error(`pipe ended before ${pattern}: ${JSON.stringify(text)}`)));
    sock.on('error', reject);
  });
}
