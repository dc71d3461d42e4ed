// Orchestration: which processes, which fds, which pipe; the per-process injection sequence
// (socket → connect → [we send the fds] → recvmsg → dup3… → close) runs in redirectProcess.
import { Arch, archFor } from './arch';
import { Deadline, TAKEOVER_DEADLINE_MS, pollUntil } from './deadline';
import { EAGAIN, ProcessGoneError, SysError, TakeOverTimeoutError } from './errors';
import { FdCourier } from './fd-courier';
import { check, libc } from './libc';
import {
  FdIdentity,
  O_ACCMODE,
  O_CLOEXEC,
  O_RDONLY,
  descendantsOf,
  fdFlags,
  fdIdentity,
  openFds,
  readStat,
  sameFile,
  threadIds,
} from './proc-fs';
import {
  AF_UNIX,
  MSG_CMSG_CLOEXEC,
  MSG_DONTWAIT,
  SCRATCH_SIZE,
  SOCK_CLOEXEC,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  layoutRecvScratch,
  parseRightsCmsg,
  unpackMsghdr,
} from './socket-layout';
import { Tracee } from './tracee';

export interface TakeOverResult {
  /** Read end of the new stdout pipe (O_CLOEXEC, owned by the caller), or -1 if fd 1 was not open. */
  stdout: number;
  /** Read end of the new stderr pipe, or -1 when fd 2 was the same file as fd 1 (or not open). */
  stderr: number;
  /** Pids whose fds were replaced, the root first. */
  processes: number[];
  /** Descendants we could not redirect (other than those that simply exited), with the reason. */
  skipped?: Array<{ pid: number; reason: string }>;
}

/** One output stream being taken over: what file it was, and the write end that replaces it. */
interface Stream {
  original: FdIdentity;
  writeFd: number;
}

/** How many times we re-walk the tree for processes forked while we worked. */
const MAX_PASSES = 3;
/** Fresh hand-over sockets tried when the tracee's connect finds a full backlog (a flood). */
const MAX_CONNECT_TRIES = 4;
/** Time allowed for closing what we opened in the tracee, on top of the deadline. */
const CLEANUP_MS = 500;

export interface TakeOverOptions {
  /** Overall time limit in ms (default TAKEOVER_DEADLINE_MS); on expiry TakeOverTimeoutError. */
  deadlineMs?: number;
}

/**
 * Replace, in `rootPid` and every descendant, every writable fd (except fd 0) that refers to the
 * same file as rootPid's fd 1 (resp. fd 2) with the write end of a new pipe; return the read ends.
 * Never blocks the event loop: every wait polls and yields, all within one deadline. Throws
 * ProcessGoneError if rootPid is gone (or exits / execs before anything was changed),
 * TakeOverTimeoutError when the root could not be redirected in time (nothing was changed then,
 * and the tracee is let go as soon as it can be), a plain Error otherwise; descendants that
 * vanish are skipped, those that fail or time out are listed in `skipped`.
 *
 * While it runs, nothing else in this process may wait for the tracees (waitpid on them would
 * consume our ptrace stops): they must not be child_process children, and a reaper must peek
 * (waitid WNOWAIT) before it reaps. Takeovers must not overlap.
 */
export async function takeOverOutput(rootPid: number, options: TakeOverOptions = {}): Promise<TakeOverResult> {
  if (!Number.isInteger(rootPid) || rootPid <= 0) throw new Error(`invalid pid: ${rootPid}`);
  if (rootPid === process.pid) throw new Error('cannot take over the output of the calling process');
  const arch = archFor(process.arch);
  const deadline = new Deadline(rootPid, options.deadlineMs ?? TAKEOVER_DEADLINE_MS);
  // A zombie still has a /proc entry, but no fds and nothing to redirect.
  if (!hasLiveThread(rootPid)) throw new ProcessGoneError(rootPid);

  const outId = fdIdentity(rootPid, 1);
  const errId = fdIdentity(rootPid, 2);
  if (!outId && !errId) {
    if (!hasLiveThread(rootPid)) throw new ProcessGoneError(rootPid);
    throw new Error(`process ${rootPid} has neither fd 1 nor fd 2 open`);
  }
  const merged = outId !== undefined && errId !== undefined && sameFile(outId, errId);

  const reads: number[] = [];
  const streams: Stream[] = [];
  let stdout = -1;
  let stderr = -1;
  let hand: { courier: FdCourier } | undefined;
  try {
    for (const id of merged ? [outId] : [outId, errId]) {
      if (!id) {
        reads.push(-1);
        continue;
      }
      const [r, w] = makePipe();
      reads.push(r);
      streams.push({ original: id, writeFd: w });
    }
    stdout = reads[0] as number;
    stderr = merged ? -1 : (reads[1] as number);
    hand = { courier: FdCourier.open() };

    const processes: number[] = [];
    const skipped: Array<{ pid: number; reason: string }> = [];
    let rootChanged: boolean;
    try {
      rootChanged = await redirectProcess(rootPid, arch, streams, hand, deadline);
    } catch (err) {
      if (err instanceof TakeOverTimeoutError) throw err;
      if (err instanceof ProcessGoneError) throw new ProcessGoneError(rootPid, err.message.replace(/^process \d+ /, ''));
      // Killed while we worked, the failure shows up as anything (ESRCH, short reads, no fds).
      if (!hasLiveThread(rootPid)) throw new ProcessGoneError(rootPid, 'exited while being redirected');
      throw err instanceof Error ? err : new Error(String(err));
    }
    if (!rootChanged && !hasLiveThread(rootPid)) throw new ProcessGoneError(rootPid, 'exited while being redirected');
    if (!rootChanged) throw new Error(`process ${rootPid} has no writable fd 1 or fd 2 to take over`);
    processes.push(rootPid);

    const visited = new Set<number>([rootPid, process.pid]);
    for (let pass = 0; pass < MAX_PASSES; pass++) {
      const fresh = descendantsOf(rootPid, new Set([process.pid])).filter((pid) => !visited.has(pid));
      if (fresh.length === 0) break;
      for (const pid of fresh) {
        visited.add(pid);
        try {
          if (deadline.expired) deadline.fail(`before redirecting process ${pid}`);
          if (await redirectProcess(pid, arch, streams, hand, deadline)) processes.push(pid);
        } catch (err) {
          if (!(err instanceof ProcessGoneError) && hasLiveThread(pid)) skipped.push({ pid, reason: (err as Error).message });
        }
      }
    }
    const result: TakeOverResult = { stdout, stderr, processes };
    if (skipped.length > 0) result.skipped = skipped;
    return result;
  } catch (err) {
    for (const fd of reads) if (fd >= 0) libc().close(fd);
    throw err;
  } finally {
    // The tracees hold their own copies now; ours must go or the readers would never see EOF.
    for (const s of streams) libc().close(s.writeFd);
    hand?.courier.close();
  }
}

function makePipe(): [number, number] {
  const fds = Buffer.alloc(8);
  check('pipe2', libc().pipe2(fds, O_CLOEXEC));
  return [fds.readInt32LE(0), fds.readInt32LE(4)];
}

interface Target {
  fd: number;
  stream: number;
  cloexec: boolean;
}

/** Fds of `pid` to replace. Read-only fds and fd 0 are left alone: a write end there breaks input. */
function findTargets(pid: number, streams: readonly Stream[]): Target[] {
  const targets: Target[] = [];
  for (const fd of openFds(pid)) {
    if (fd === 0) continue;
    const id = fdIdentity(pid, fd);
    if (!id) continue;
    const stream = streams.findIndex((s) => sameFile(s.original, id));
    if (stream < 0) continue;
    const flags = fdFlags(pid, fd);
    if (flags === undefined || (flags & O_ACCMODE) === O_RDONLY) continue;
    targets.push({ fd, stream, cloexec: (flags & O_CLOEXEC) !== 0 });
  }
  return targets;
}

function threadAlive(pid: number, tid: number): boolean {
  const st = readStat(pid, tid);
  return st !== undefined && st.state !== 'Z' && st.state !== 'X' && !st.exiting;
}

function hasLiveThread(pid: number): boolean {
  return threadAlive(pid, pid) || threadIds(pid).some((tid) => threadAlive(pid, tid));
}

/** A live thread to drive: the leader, unless it already exited while other threads run on. */
function pickThread(pid: number): number {
  if (threadAlive(pid, pid)) return pid;
  const tid = threadIds(pid).find((t) => threadAlive(pid, t));
  if (tid === undefined) throw new ProcessGoneError(pid);
  return tid;
}

/** Waits (without blocking) while the thread is in state D: in vfork() or uninterruptible sleep. */
async function untilStoppable(pid: number, tid: number, deadline: Deadline): Promise<void> {
  // Seizing it now would leave it traced until it leaves that state (only a stopped tracee can be
  // detached), and a traced process is not killed at once by SIGTERM while it waits there.
  await pollUntil(deadline, `waiting for process ${pid} to leave state D (in vfork() or uninterruptible sleep)`, () =>
    readStat(pid, tid)?.state === 'D' ? undefined : true,
  );
}

/** Returns whether any fd of `pid` was replaced. */
async function redirectProcess(
  pid: number,
  arch: Arch,
  streams: readonly Stream[],
  hand: { courier: FdCourier },
  deadline: Deadline,
): Promise<boolean> {
  const tid = pickThread(pid);
  await untilStoppable(pid, tid, deadline);
  const tracee = await Tracee.seize(pid, tid, arch, deadline);
  let changed = false;
  try {
    let targets: Target[];
    try {
      // Scanned while parked, so what we replace is what the process has now.
      targets = findTargets(pid, streams);
    } catch {
      throw new ProcessGoneError(pid);
    }
    if (targets.length === 0) return false;
    const needed = [...new Set(targets.map((t) => t.stream))];

    const scratchBase = tracee.prepare(SCRATCH_SIZE);
    let scratch = layoutRecvScratch(scratchBase, hand.courier.name, needed.length);
    tracee.borrowMemory(scratchBase, scratch.bytes);

    const nr = arch.syscalls;
    const raw = (n: number, args: Array<number | bigint>): Promise<bigint> =>
      tracee.syscall(
        n,
        args.map((a) => BigInt(a)),
        deadline,
      );
    const call = async (name: string, n: number, args: Array<number | bigint>): Promise<number> => {
      const ret = await raw(n, args);
      if (ret < 0n) throw new SysError(`${name} in process ${pid}`, Number(-ret));
      return Number(ret);
    };

    // Non-blocking: a full backlog (anyone can connect to an abstract name) makes connect fail
    // with EAGAIN instead of parking the tracee, and us with it, for good.
    const sock = await call('socket', nr.socket, [AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0]);
    const received: number[] = [];
    try {
      for (let attempt = 1; ; attempt++) {
        const ret = await raw(nr.connect, [sock, scratch.sockaddr, scratch.sockaddrLen]);
        if (ret >= 0n) break;
        if (Number(-ret) !== EAGAIN || attempt >= MAX_CONNECT_TRIES) throw new SysError(`connect in process ${pid}`, Number(-ret));
        // Flooded: a fresh unguessable name; the strangers queued on the old one are dropped with it.
        hand.courier.close();
        hand.courier = FdCourier.open();
        scratch = layoutRecvScratch(scratchBase, hand.courier.name, needed.length);
        tracee.borrowMemory(scratchBase, scratch.bytes);
      }
      hand.courier.deliver(pid, needed.map((i) => (streams[i] as Stream).writeFd));
      // The message is queued before the call: MSG_DONTWAIT only makes sure it can never wait.
      await call('recvmsg', nr.recvmsg, [sock, scratch.msghdr, MSG_CMSG_CLOEXEC | MSG_DONTWAIT]);
      const msghdr = unpackMsghdr(tracee.readMemory(scratch.msghdr, 56));
      const control = tracee.readMemory(scratch.control, scratch.controlLen);
      received.push(...parseRightsCmsg(control, msghdr.controlLen));
      if (received.length !== needed.length) {
        throw new Error(`received ${received.length} fds instead of ${needed.length} (msg_flags ${msghdr.flags})`);
      }
      for (const t of targets) {
        const from = received[needed.indexOf(t.stream)] as number;
        await call('dup3', nr.dup3, [from, t.fd, t.cloexec ? O_CLOEXEC : 0]);
        changed = true;
      }
    } finally {
      // Best effort: if the tracee died there is nothing left to do in it. Own short deadline, so
      // a takeover that ran out of time still tidies up a tracee that is merely slow.
      const tidy = new Deadline(pid, CLEANUP_MS);
      for (const fd of [...received, sock]) {
        try {
          await tracee.syscall(nr.close, [BigInt(fd)], tidy);
        } catch {
          break;
        }
      }
    }
    return changed;
  } catch (err) {
    await tracee.detach();
    // Half-done is still done: the caller must keep the pipes, so report success.
    if (changed) return true;
    // Killed mid-way, ptrace and /proc/<pid>/mem calls fail with ESRCH / short reads: say gone.
    if (!(err instanceof ProcessGoneError) && !(err instanceof TakeOverTimeoutError) && tracee.exited) {
      throw new ProcessGoneError(pid, 'exited while being redirected');
    }
    throw err;
  } finally {
    await tracee.detach();
  }
}
