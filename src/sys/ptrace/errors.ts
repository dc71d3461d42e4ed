import os from 'node:os';

/** The process we were asked about is gone (or exited / exec'd while we worked on it). */
export class ProcessGoneError extends Error {
  constructor(readonly pid: number, reason = 'no longer exists') {
    super(`process ${pid} ${reason}`);
    this.name = 'ProcessGoneError';
  }
}

/**
 * Errno names by number. Some numbers have two names (EAGAIN and EWOULDBLOCK are both 11 on
 * Linux); the first one Node lists is kept, so a message names the errno as our code and
 * the man pages do (EAGAIN), not whichever alias came last.
 */
const errnoNames = new Map<number, string>();
for (const [name, value] of Object.entries(os.constants.errno)) if (!errnoNames.has(value)) errnoNames.set(value, name);

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
