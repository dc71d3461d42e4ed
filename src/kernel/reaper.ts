import type { Orphan } from '../hooks/types';
import { finishedText, type Logger } from './log';
import { describeProcess, readChildren, readStat, readUptime } from './proc-info';
import { decodeWaitStatus, type SysCalls, type WaitResult } from '../sys';

/** How often the children file is scanned besides SIGCHLD: calm, and once stopping. */
const INTERVAL_MS = 1000;
/** USER_HZ: the unit of start times in /proc/<pid>/stat. */
const CLK_TCK = 100;
const STOPPING_INTERVAL_MS = 100;
/** A process younger than this may be between fork and exec: look again later. */
const MIN_AGE_MS = 10;
/** How long a process still showing one of our programs' command lines (or none) may take to exec. */
const PRE_EXEC_GRACE_MS = 1000;
/** SIGCHLD alone reads the children file at most this often (zombies are reaped by peeking meanwhile). */
const FULL_SCAN_MIN_MS = 50;

export interface ReaperEvents {
  /** Is `pid` one of the kernel's own (spawned or adopted) programs? */
  isOwn(pid: number): boolean;
  /** Is `cmdline` that of one of the kernel's own programs (a fork that has not exec'd yet)? */
  isProgramCopy(cmdline: string): boolean;
  /** A live reparented process, seen for the first time and old enough to judge. */
  reparented(orphan: Orphan): void;
  /** A reparented process we had handed on (tracked) has been reaped. */
  reaped(pid: number, result: WaitResult): void;
  /** A scan finished; `foreign` live or zombie children not in the table remain. */
  scanned(foreign: number): void;
}

/**
 * Finds children of dinit that are not in its process table by reading
 * /proc/<pid>/task/<pid>/children, on SIGCHLD (coalesced into one scan per event-loop
 * turn) and on a timer. Reaps zombies with a targeted waitpid(pid, WNOHANG) — never
 * waitpid(-1), which would steal exit statuses from child_process.
 */
export class Reaper {
  private readonly tracked = new Set<number>();
  private scanQueued = false;
  private timer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private intervalMs = INTERVAL_MS;
  /** Once a zombie was met, peeking pays off; before, a plain start never loads koffi for it. */
  private zombiesSeen = false;
  private fullWanted = true;
  private hurried = false;
  private stopped = false;
  private lastFullScan = 0;
  /** Children reaped so far: tells a scan whether its list of children went stale. */
  private reapedCount = 0;

  constructor(
    private readonly pid: number,
    private readonly sys: SysCalls,
    private readonly log: Logger,
    private readonly events: ReaperEvents,
  ) {}

  start(): void {
    this.arm();
    this.request();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.retryTimer);
  }

  /** Scan more often from now on (the container is stopping). */
  hurry(): void {
    // From now on every scan is a full one: dinit may exit only after a scan that saw no child.
    this.hurried = true;
    this.intervalMs = STOPPING_INTERVAL_MS;
    this.arm();
    this.request();
  }

  /** Ask for a scan soon; many requests in one turn make one scan. */
  request(): void {
    this.fullWanted = true;
    this.queue();
  }

  /**
   * SIGCHLD: something exited. During a storm that is every event-loop turn, and re-reading
   * a children file of thousands of pids each time dominated the cost; so reap what exited
   * by peeking, and read the children file at most every FULL_SCAN_MIN_MS (timers still do).
   */
  childExited(): void {
    this.queue();
  }

  private queue(): void {
    if (this.scanQueued) return;
    this.scanQueued = true;
    setImmediate(() => {
      this.scanQueued = false;
      if (this.stopped) return;
      const full =
        this.fullWanted || this.hurried || this.tracked.size === 0 || Date.now() - this.lastFullScan >= FULL_SCAN_MIN_MS;
      if (!full && this.reapExited() && this.tracked.size > 0) return;
      this.fullWanted = false;
      this.scan();
    });
  }

  /** Children of dinit right now that are not its own programs (a fresh read of the children file). */
  childrenNow(): number {
    let n = 0;
    for (const pid of readChildren(this.pid)) if (!this.events.isOwn(pid)) n++;
    return n;
  }

  track(pid: number): void {
    this.tracked.add(pid);
  }

  private arm(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.request();
      this.arm();
    }, this.intervalMs);
    // Deliberately ref'd: it keeps the event loop (and so PID 1) alive until the kernel
    // decides to exit. Signal handlers do not, and a SIGCHLD can arrive after the last pipe closed.
  }

  private scan(): void {
    this.lastFullScan = Date.now();
    let children = readChildren(this.pid);
    // Reap what has exited first, by peeking: a storm leaves thousands of zombies, and each
    // costs one peek and one waitpid, not a /proc read. A plain start (only our own
    // programs) never gets here, so it never loads koffi for the peek.
    let peeked = false;
    if (this.tracked.size > 0 || this.zombiesSeen || children.some((pid) => !this.events.isOwn(pid))) {
      const before = this.reapedCount;
      peeked = this.reapExited();
      if (this.reapedCount !== before) children = readChildren(this.pid);
    }
    let foreign = 0;
    let tooYoung = false;
    let uptime = -1;
    for (const pid of children) {
      if (this.events.isOwn(pid)) continue;
      if (this.tracked.has(pid)) {
        // Already reaped above when peeking worked; otherwise ask this one.
        if (!peeked && this.tryReap(pid)) continue;
        foreign++;
        continue;
      }
      const stat = readStat(pid);
      if (!stat) {
        // Gone between the two reads: it was reaped by someone, or it is a zombie of ours whose /proc vanished.
        if (this.tryReap(pid)) continue;
        foreign++;
        continue;
      }
      if (stat.state === 'Z') {
        this.zombiesSeen = true;
        this.reapZombie(pid, stat.comm);
        continue;
      }
      if (uptime < 0) uptime = readUptime();
      const ageMs = (uptime - stat.startTicks / CLK_TCK) * 1000;
      if (ageMs < MIN_AGE_MS) {
        tooYoung = true;
        foreign++;
        continue;
      }
      const orphan = { pid, ...describeProcess(pid, stat.comm) };
      // Not settled yet: still a copy of one of our programs (forked, not yet exec'd: a loaded
      // machine can take longer than MIN_AGE_MS between the two), or in the middle of execve
      // (a live process's cmdline reads empty then). Judge it once it has become itself.
      if (ageMs < PRE_EXEC_GRACE_MS && (orphan.cmdline === '' || this.events.isProgramCopy(orphan.cmdline))) {
        tooYoung = true;
        foreign++;
        continue;
      }
      this.tracked.add(pid);
      foreign++;
      this.events.reparented(orphan);
    }
    if (tooYoung && !this.retryTimer) {
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        this.request();
      }, MIN_AGE_MS);
    }
    this.events.scanned(foreign);
  }

  /**
   * Reaps every exited child that is not the kernel's own, found with waitid(WNOWAIT) peeks.
   * Returns false when it had to stop early — an exited child of child_process's that libuv
   * has not reaped yet hides the others — so the caller asks each tracked pid instead.
   */
  private reapExited(): boolean {
    for (;;) {
      let pid: number;
      try {
        pid = this.sys.peekExited();
      } catch {
        return false;
      }
      if (pid === 0) return true;
      // A child in a ptrace stop hides the rest: ask each tracked pid instead.
      if (pid < 0 || this.events.isOwn(pid)) return false;
      if (this.tracked.has(pid)) {
        if (!this.tryReap(pid)) return false;
        continue;
      }
      this.zombiesSeen = true;
      if (!this.reapZombie(pid)) return false;
    }
  }

  /** Reaps a tracked pid if it has ended; reports it. */
  private tryReap(pid: number): boolean {
    // Peek first: waitpid would also consume a ptrace stop of a process being taken over.
    if (this.sys.peekExited(pid) === 0 && readStat(pid)?.state !== undefined) return false;
    const result = this.sys.waitpid(pid, true);
    if (result === undefined) {
      // Not our child any more (ECHILD): forget it.
      this.tracked.delete(pid);
      this.events.reaped(pid, { code: null, signal: null });
      return true;
    }
    if (result.pid === 0) return false;
    this.reapedCount++;
    this.tracked.delete(pid);
    this.events.reaped(pid, decodeWaitStatus(result.status));
    return true;
  }

  /**
   * Reaps a zombie that was never judged alive. A zombie's cmdline is always empty, so its
   * name is its comm: the caller's if it read stat already, else read here, and only when
   * the line will be logged at all (a storm brings thousands of zombies).
   */
  private reapZombie(pid: number, comm?: string): boolean {
    const logged = this.log.enabled('warn');
    const label = logged ? `${(comm ?? readStat(pid)?.comm) || 'unknown'}/${pid}` : '';
    if (logged) this.log.warn(`${label}: reaping process with PID ${pid}`);
    const result = this.sys.waitpid(pid, true);
    if (!result || result.pid === 0) return false;
    this.reapedCount++;
    if (logged) this.log.info(`${label}: ${finishedText(pid, decodeWaitStatus(result.status))}`);
    return true;
  }
}
