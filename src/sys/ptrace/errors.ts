import os from 'node:os';

/** The process we were asked about is gone (or exited / exec'd while we worked on it). */
export class ProcessGoneError extends Error {
  constructor(readonly pid: number, reason = 'no longer exists') {
    super(`process ${pid} ${reason}`);
    this.name = 'ProcessGoneError';
  }
}

const errnoNames = new Map<number, string>(
  Object.entries(os.constants.errno).map(([name, value]) => [value as number, name]),
);

/** A failed libc call or injected syscall, with the errno name in the message. */
export class SysError extends Error {
  constructor(readonly call: string, readonly errno: number) {
    super(`${call} failed: ${errnoNames.get(errno) ?? `errno ${errno}`}`);
    this.name = 'SysError';
  }
  get code(): string | undefined {
    return errnoNames.get(this.errno);
  }
}

export const EPERM = os.constants.errno.EPERM;
export const ESRCH = os.constants.errno.ESRCH;
export const EAGAIN = os.constants.errno.EAGAIN;
export const EINTR = os.constants.errno.EINTR;
export const ECHILD = os.constants.errno.ECHILD;

/** A takeover step did not finish before the takeover's deadline. */
export class TakeOverTimeoutError extends Error {
  constructor(readonly pid: number, what: string, readonly deadlineMs: number) {
    super(`timed out after ${deadlineMs} ms ${what}`);
    this.name = 'TakeOverTimeoutError';
  }
}
