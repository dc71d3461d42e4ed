// Orchestration: which processes, which fds, which pipe; the per-process injection sequence
// (socket → connect → [we send the fds] → recvmsg → dup3… → close) runs in redirectProcess.
import { Arch, archFor } from './arch';
import { ProcessGoneError, SysError } from './errors';
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
  SCRATCH_SIZE,
  SOCK_CLOEXEC,
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

/**
 * Replace, in `rootPid` and every descendant, every writable fd (except fd 0) that refers to the
 * same file as rootPid's fd 1 (resp. fd 2) with the write end of a new pipe; return the read ends.
 * Synchronous. Throws ProcessGoneError if rootPid is gone (or exits / execs before anything was
 * changed), a plain Error otherwise; descendants that vanish are skipped.
 */
export function takeOverOutput(rootPid: number): TakeOverResult {
  if (!Number.isInteger(rootPid) || rootPid <= 0) throw new Error(`invalid pid: ${rootPid}`);
  if (rootPid === process.pid) throw new Error('cannot take over the output of the calling process');
  const arch = archFor(process.arch);
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
  let courier: FdCourier | undefined;
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
    courier = FdCourier.open();

    const processes: number[] = [];
    const skipped: Array<{ pid: number; reason: string }> = [];
    let rootChanged: boolean;
    try {
      rootChanged = redirectProcess(rootPid, arch, streams, courier);
    } catch (err) {
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
          if (redirectProcess(pid, arch, streams, courier)) processes.push(pid);
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
    courier?.close();
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

/** Returns whether any fd of `pid` was replaced. */
function redirectProcess(pid: number, arch: Arch, streams: readonly Stream[], courier: FdCourier): boolean {
  const tracee = Tracee.seize(pid, pickThread(pid), arch);
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
    const scratch = layoutRecvScratch(scratchBase, courier.name, needed.length);
    tracee.borrowMemory(scratchBase, scratch.bytes);

    const nr = arch.syscalls;
    const call = (name: string, n: number, args: Array<number | bigint>): number => {
      const ret = tracee.syscall(n, args.map((a) => BigInt(a)));
      if (ret < 0n) throw new SysError(`${name} in process ${pid}`, Number(-ret));
      return Number(ret);
    };

    const sock = call('socket', nr.socket, [AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0]);
    const received: number[] = [];
    try {
      call('connect', nr.connect, [sock, scratch.sockaddr, scratch.sockaddrLen]);
      courier.deliver(pid, needed.map((i) => (streams[i] as Stream).writeFd));
      call('recvmsg', nr.recvmsg, [sock, scratch.msghdr, MSG_CMSG_CLOEXEC]);
      const msghdr = unpackMsghdr(tracee.readMemory(scratch.msghdr, 56));
      const control = tracee.readMemory(scratch.control, scratch.controlLen);
      received.push(...parseRightsCmsg(control, msghdr.controlLen));
      if (received.length !== needed.length) {
        throw new Error(`received ${received.length} fds instead of ${needed.length} (msg_flags ${msghdr.flags})`);
      }
      for (const t of targets) {
        const from = received[needed.indexOf(t.stream)] as number;
        call('dup3', nr.dup3, [from, t.fd, t.cloexec ? O_CLOEXEC : 0]);
        changed = true;
      }
    } finally {
      // Best effort: if the tracee died there is nothing left to clean up in it.
      for (const fd of [...received, sock]) {
        try {
          tracee.syscall(nr.close, [BigInt(fd)]);
        } catch {
          break;
        }
      }
    }
    return changed;
  } catch (err) {
    tracee.detach();
    // Half-done is still done: the caller must keep the pipes, so report success.
    if (changed) return true;
    // Killed mid-way, ptrace and /proc/<pid>/mem calls fail with ESRCH / short reads: say gone.
    if (!(err instanceof ProcessGoneError) && tracee.exited) throw new ProcessGoneError(pid, 'exited while being redirected');
    throw err;
  } finally {
    tracee.detach();
  }
}
