// koffi bindings to the few libc calls the takeover needs. Loaded lazily so that merely importing
// this folder never touches native code (unit tests of the pure parts run anywhere).
import { loadLibc } from '../libc';
import { SysError } from './errors';

type Fn = (...args: any[]) => any;

export interface Libc {
  /** ptrace with numeric addr/data (options, signals, addresses). */
  ptrace: (request: number, pid: number, addr: number | bigint, data: number | bigint) => number;
  /** ptrace with a buffer as data (PTRACE_GETREGS / SETREGS). */
  ptraceBuf: (request: number, pid: number, addr: number | bigint, data: Buffer) => number;
  waitpid: (pid: number, status: Buffer, options: number) => number;
  waitid: (idtype: number, id: number, info: Buffer, options: number) => number;
  tgkill: (tgid: number, tid: number, sig: number) => number;
  socket: (domain: number, type: number, protocol: number) => number;
  bind: (fd: number, addr: Buffer, len: number) => number;
  listen: (fd: number, backlog: number) => number;
  accept4: (fd: number, addr: null, len: null, flags: number) => number;
  getsockopt: (fd: number, level: number, name: number, value: Buffer, len: Buffer) => number;
  sendmsg: (fd: number, msghdr: number | bigint, flags: number) => number;
  pipe2: (fds: Buffer, flags: number) => number;
  close: (fd: number) => number;
  errno: () => number;
  /** Native memory that stays put, for structs that must hold pointers to other native memory. */
  alloc: (size: number) => { address: bigint; bytes: Buffer; free: () => void };
}

let cached: Libc | undefined;

export function libc(): Libc {
  if (cached) return cached;
  // Loaded here, not at the top: loading koffi is the only native side effect of this folder.
  const { koffi, lib } = loadLibc();
  const fn = (name: string, ret: string, args: string[]): Fn => lib.func(name, ret, args);
  // ptrace is variadic in the headers; on x86_64 and aarch64 Linux a fixed 4-argument call is
  // passed identically, and two declarations let us hand over either numbers or buffers.
  cached = {
    ptrace: fn('ptrace', 'long', ['int', 'int', 'uintptr_t', 'uintptr_t']),
    ptraceBuf: fn('ptrace', 'long', ['int', 'int', 'uintptr_t', 'void *']),
    waitpid: fn('waitpid', 'int', ['int', 'void *', 'int']),
    waitid: fn('waitid', 'int', ['int', 'int', 'void *', 'int']),
    tgkill: fn('tgkill', 'int', ['int', 'int', 'int']),
    socket: fn('socket', 'int', ['int', 'int', 'int']),
    bind: fn('bind', 'int', ['int', 'void *', 'uint32_t']),
    listen: fn('listen', 'int', ['int', 'int']),
    accept4: fn('accept4', 'int', ['int', 'void *', 'void *', 'int']),
    getsockopt: fn('getsockopt', 'int', ['int', 'int', 'int', 'void *', 'void *']),
    sendmsg: fn('sendmsg', 'long', ['int', 'uintptr_t', 'int']),
    pipe2: fn('pipe2', 'int', ['void *', 'int']),
    close: fn('close', 'int', ['int']),
    errno: () => koffi.errno(),
    alloc(size: number) {
      const ptr = koffi.alloc('uint8_t', size);
      return {
        address: koffi.address(ptr) as bigint,
        bytes: Buffer.from(koffi.view(ptr, size) as ArrayBuffer),
        free: () => koffi.free(ptr),
      };
    },
  };
  return cached;
}

/** Run a libc call that returns -1 on error; throw SysError naming the call otherwise. */
export function check(what: string, ret: number | bigint): number {
  const n = Number(ret);
  if (n === -1) throw new SysError(what, libc().errno());
  return n;
}
