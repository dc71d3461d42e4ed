// Waiting for a tracee without blocking: what the next stop or exit is, and what a thread that
// does not stop is doing (for the timeout message).
import fs from 'node:fs';
import { ECHILD, EINTR, ProcessGoneError, SysError } from './errors';
import { libc } from './libc';
import { readStat } from './proc-fs';
import { P_PID, WEXITED, WNOHANG, WNOWAIT, WSTOPPED, __WALL } from '../wait-flags';
import { TraceeEvent, decodeExitSiginfo, decodeWaitStatus, siginfoIsExit, siginfoPid } from './wait-status';


/**
 * The next stop or end of the tracee, or undefined if there is none yet. Never blocks.
 * Our own child's stops are consumed with waitid(WSTOPPED), which cannot take an exit status,
 * and its exit is only peeked at (WNOWAIT): it belongs to its real waiter (libuv, the reaper).
 * (Consuming a stop with waitpid after a peek could reap a child killed in between: issue 20.)
 * Anyone else's exit is ours to consume (its real parent hears of it only then), so one call
 * takes both. Note the kernel reports a tracee's stops to its tracer whatever the flags, so
 * even a WEXITED-only call may return (and consume) a stop: every result is decoded.
 */
export function pollTraceeEvent(pid: number, tid: number, ourChild: boolean, info: Buffer): TraceeEvent | undefined {
  const c = libc();
  const flags = ourChild ? WSTOPPED | WNOHANG | __WALL : WEXITED | WSTOPPED | WNOHANG | __WALL;
  for (let peeked = false; ; ) {
    info.fill(0);
    if (c.waitid(P_PID, tid, info, peeked ? WEXITED | WNOWAIT | WNOHANG | __WALL : flags) === -1) {
      const errno = c.errno();
      if (errno === EINTR) continue;
      // WSTOPPED alone finds no child in a zombie: look at how our own child ended.
      if (errno === ECHILD && ourChild && !peeked) {
        peeked = true;
        continue;
      }
      throw new ProcessGoneError(pid, `vanished while traced (${new SysError('waitid', errno).code})`);
    }
    if (siginfoPid(info) !== 0 && siginfoIsExit(info)) {
      return decodeExitSiginfo(info);
    }
    if (siginfoPid(info) !== 0) {
      // A peek that saw a stop did not consume it: go round and take it with WSTOPPED.
      if (peeked) {
        peeked = false;
        continue;
      }
      // For ptrace stops si_status holds the whole stop code (signal | event << 8 | 0x80).
      return decodeWaitStatus((info.readInt32LE(24) << 8) | 0x7f);
    }
    if (!ourChild || peeked) return undefined;
    peeked = true;
  }
}

/** For the timeout message: why a thread might not stop (D covers vfork and uninterruptible sleep). */
export function describeState(pid: number, tid: number): string {
  const st = readStat(pid, tid);
  if (!st) return 'gone';
  if (st.state === 'D') return 'state D: in vfork() or uninterruptible sleep';
  let wchan = '';
  try {
    wchan = fs.readFileSync(`/proc/${pid}/task/${tid}/wchan`, 'utf8');
  } catch {
    // not available
  }
  return `state ${st.state}${wchan && wchan !== '0' ? ` in ${wchan}` : ''}`;
}
