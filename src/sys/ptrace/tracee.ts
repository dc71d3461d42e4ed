// One short ptrace session on one thread: seize, park it, run syscalls in its name, put everything
// back, detach. Syscalls are run through a `syscall`/`svc` instruction that already exists in the
// tracee (stopping at syscall-exit with PTRACE_SYSCALL) instead of writing a code stub: other
// threads of the tracee keep running the very same code pages, and a stub they stumbled on would
// kill them with SIGTRAP. The stop/resume state machine lives here; letting go (tracee-release.ts),
// waiting (tracee-wait.ts), registers (registers.ts), memory (tracee-memory.ts), the injection
// site (inject-site.ts) and aarch64's restart rules (arm64-restart.ts) have files of their own.
import { Arch, Registers, isRestartCode } from './arch';
import { DETACH_GRACE_MS, Deadline, pollUntil } from './deadline';
import { EPERM, ESRCH, ProcessGoneError, SysError, TakeOverTimeoutError } from './errors';
import { findScratch, findSyscallSite } from './inject-site';
import { libc } from './libc';
import { readMaps, readStat, type MapEntry } from './proc-fs';
import { Stepper, parkedState, probeRestart, reenterWithSignals } from './arm64-restart';
import { traceStats } from './trace-stats';
import { readRegisters, writeRegisters } from './registers';
import { releaseSession, restoreSession } from './tracee-release';
import { TraceeMemory } from './tracee-memory';
import { describeState, pollTraceeEvent } from './tracee-wait';
import type { TraceeEvent } from './wait-status';

export { traceStats };

const PTRACE_CONT = 7;
const PTRACE_SYSCALL = 24;
const PTRACE_SEIZE = 0x4206;
const PTRACE_INTERRUPT = 0x4207;
const PTRACE_O_TRACESYSGOOD = 0x1;
const PTRACE_O_TRACEEXEC = 0x10;

/** __USER_CS on x86_64: the code segment of 64-bit user mode (0x23 is 32-bit compat mode). */
const X86_64_USER_CS = 0x33n;

/** The session's state is read by tracee-release.ts too (fields without `private` are for it, not for callers). */
export class Tracee {
  /** /proc/<tid>/mem, open while the thread is parked. */
  readonly memory: TraceeMemory;
  saved: Registers | undefined;
  regsChanged = false;
  private syscallSite = 0n;
  /** Signals that arrived while our registers were loaded; queued again right before detaching. */
  readonly heldSignals: number[] = [];
  gone = false;
  /** In a stop we saw and have not resumed from: registers may be read and written. */
  inStop = false;
  private readonly info = Buffer.alloc(128);
  detached = false;
  /** Our own child: its exit status belongs to whoever spawned it (libuv, the reaper), never to us. */
  private readonly ourChild: boolean;
  /** aarch64: parked at an `svc` (a syscall to restart, or one about to be made): arm64-restart.ts. */
  private atSvc = false;
  probed = false;
  /** aarch64: the SVE registers (NT_ARM_SVE) to put back; an `svc` discards their upper lanes. */
  sve: Buffer | undefined;
  /** aarch64: the thread's own signal mask, while held signals are kept blocked (reenterWithSignals). */
  maskToRestore: bigint | undefined;

  private constructor(
    readonly pid: number,
    readonly tid: number,
    readonly arch: Arch,
  ) {
    this.ourChild = tid === pid && readStat(pid)?.ppid === process.pid;
    this.memory = new TraceeMemory(pid, tid);
  }

  /**
   * Seize `tid` (a thread of `pid`) and wait, without blocking, until it is parked in an interrupt
   * stop. On timeout the tracee is let go in the background (see release()) and the error thrown.
   */
  static async seize(pid: number, tid: number, arch: Arch, deadline: Deadline): Promise<Tracee> {
    const t = new Tracee(pid, tid, arch);
    traceStats.sessions++;
    const c = libc();
    if (c.ptrace(PTRACE_SEIZE, tid, 0, PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXEC) === -1) {
      const errno = c.errno();
      const st = readStat(pid, tid);
      if (errno === ESRCH || !st || st.state === 'Z' || st.state === 'X') throw new ProcessGoneError(pid);
      if (errno === EPERM) {
        throw new SysError(`PTRACE_SEIZE of process ${pid} (needs root or CAP_SYS_PTRACE; already traced?)`, errno);
      }
      throw new SysError(`PTRACE_SEIZE of process ${pid}`, errno);
    }
    try {
      if (c.ptrace(PTRACE_INTERRUPT, tid, 0, 0) === -1) throw new SysError(`PTRACE_INTERRUPT of ${pid}`, c.errno());
      await t.waitForInterruptStop(deadline, () => `waiting for process ${pid} to stop (${describeState(pid, tid)})`);
      t.memory.open();
    } catch (err) {
      await t.detach();
      const esrch = (err as { code?: string }).code === 'ESRCH';
      if (!(err instanceof ProcessGoneError) && !(err instanceof TakeOverTimeoutError) && (t.exited || esrch)) {
        throw new ProcessGoneError(pid, 'exited');
      }
      throw err;
    }
    return t;
  }

  private async waitForInterruptStop(deadline: Deadline, what: () => string): Promise<void> {
    for (;;) {
      const ev = await pollUntil(deadline, what, () => this.pollEvent());
      switch (ev.kind) {
        case 'event-stop':
          return;
        case 'signal':
          // Nothing is changed yet: deliver it right away, exactly as if we were not there.
          traceStats.signalsDeliveredEarly++;
          this.resume(PTRACE_CONT, ev.signal);
          break;
        case 'exited':
        case 'killed':
          throw new ProcessGoneError(this.pid, 'exited');
        default:
          // An exec before we touched anything is harmless (the fd scan happens after the stop).
          this.resume(PTRACE_CONT, 0);
      }
    }
  }

  /** The next stop or end of the tracee, or undefined if there is none yet; never blocks (tracee-wait.ts). */
  pollEvent(): TraceeEvent | undefined {
    let polled;
    try {
      polled = pollTraceeEvent(this.pid, this.tid, this.ourChild, this.info);
    } catch (error) {
      this.gone = true;
      throw error;
    }
    if (polled === undefined) return undefined;
    if (polled.kind === 'exited' || polled.kind === 'killed') this.gone = true;
    else this.inStop = true;
    return polled;
  }

  private resume(request: number, signal: number): void {
    const c = libc();
    this.inStop = false;
    // ESRCH here means SIGKILL pulled it out of the stop; the next poll reports the exit.
    if (c.ptrace(request, this.tid, 0, signal) === -1 && c.errno() !== ESRCH) {
      throw new SysError(`ptrace(${request}) on process ${this.pid}`, c.errno());
    }
  }

  getRegisters(): Registers {
    return readRegisters(this.arch, this.pid, this.tid);
  }

  setRegisters(regs: Registers): void {
    this.regsChanged = true;
    writeRegisters(this.arch, this.pid, this.tid, regs);
  }

  readMemory(addr: bigint, len: number): Buffer {
    return this.memory.read(addr, len);
  }

  /** Overwrite tracee memory, keeping the original bytes to put back at detach. */
  borrowMemory(addr: bigint, bytes: Buffer): void {
    this.memory.borrow(addr, bytes);
  }

  /** Save the registers and find what we need to inject: a syscall instruction and scratch memory. */
  prepare(scratchSize: number): bigint {
    this.saved = this.getRegisters();
    // A 32-bit (ia32) program would need other syscall numbers and register conventions.
    if (this.arch.name === 'x86_64' && this.saved.cs !== X86_64_USER_CS) {
      throw new Error(`process ${this.pid} is not a 64-bit program (cs 0x${this.saved.cs?.toString(16)})`);
    }
    // /proc/<tid>/maps is read once, and only if needed (x86_64 usually finds its site without it).
    let maps: MapEntry[] | undefined;
    const readMapsOnce = (): MapEntry[] => (maps ??= readMaps(this.tid));
    const read = (addr: bigint, len: number): Buffer => this.readMemory(addr, len);
    this.syscallSite = findSyscallSite(this.arch, this.pid, this.saved, read, readMapsOnce);
    if (this.arch.name === 'aarch64') {
      ({ sve: this.sve, atSvc: this.atSvc } = parkedState(this.tid, this.arch.pc(this.saved), this.arch.syscallInstruction, read));
    }
    return findScratch(this.arch, this.pid, this.saved, scratchSize, readMapsOnce);
  }

  /** Run syscall `nr` in the tracee and return its raw result (negative = -errno). */
  async syscall(nr: number, args: readonly bigint[], deadline: Deadline): Promise<bigint> {
    if (!this.saved) throw new Error('Tracee.prepare() must run before syscall()');
    if (this.atSvc && !this.probed) await this.probeRestart(deadline);
    for (let attempt = 0; ; attempt++) {
      this.setRegisters(this.arch.prepareCall(this.saved, this.syscallSite, nr, args));
      this.resume(PTRACE_SYSCALL, 0);
      await this.waitSyscallStop(deadline, nr); // entry
      this.resume(PTRACE_SYSCALL, 0);
      await this.waitSyscallStop(deadline, nr); // exit
      const ret = this.arch.result(this.getRegisters());
      const restart = isRestartCode(ret);
      // A signal interrupted our call; we hold signals back, so simply issue it again.
      if (!restart || attempt >= 3) return ret;
      traceStats.syscallRetries++;
    }
  }

  /** The steps of arm64-restart.ts, run on this session. */
  private stepper(): Stepper {
    return {
      pid: this.pid,
      tid: this.tid,
      syscallStep: async (deadline, nr) => {
        this.resume(PTRACE_SYSCALL, 0);
        await this.waitSyscallStop(deadline, nr);
      },
      getRegisters: () => this.getRegisters(),
    };
  }

  private async probeRestart(deadline: Deadline): Promise<void> {
    this.probed = true;
    this.saved = await probeRestart(this.stepper(), this.saved as Registers, deadline, () => (this.regsChanged = true));
  }

  async reenterWithSignals(): Promise<void> {
    await reenterWithSignals(this.stepper(), this.heldSignals, Number(this.saved?.x8 ?? -1), new Deadline(this.pid, DETACH_GRACE_MS), {
      restore: () => this.restore(),
      maskToRestore: (mask) => (this.maskToRestore = mask),
    });
  }

  private async waitSyscallStop(deadline: Deadline, nr: number): Promise<void> {
    for (;;) {
      const ev = await pollUntil(
        deadline,
        () => `waiting for syscall ${nr} injected into process ${this.pid} (${describeState(this.pid, this.tid)})`,
        () => this.pollEvent(),
      );
      switch (ev.kind) {
        case 'syscall':
          return;
        case 'signal':
          // Delivering it now would run a handler on our borrowed registers and stack.
          // Standard signals coalesce anyway; real-time ones (>= 32) are queued, so keep each.
          if (ev.signal >= 32 || !this.heldSignals.includes(ev.signal)) this.heldSignals.push(ev.signal);
          traceStats.signalsHeld++;
          this.resume(PTRACE_SYSCALL, 0);
          break;
        case 'exec':
          throw new ProcessGoneError(this.pid, 'exec\'d while being redirected');
        case 'exited':
        case 'killed':
          throw new ProcessGoneError(this.pid, 'exited while being redirected');
        default:
          this.resume(PTRACE_SYSCALL, 0);
      }
    }
  }

  /** Whether the tracee was seen to exit (valid after detach()). */
  get exited(): boolean {
    return this.gone;
  }

  /**
   * Put memory and registers back, re-queue held signals, detach. Never throws, never blocks
   * (tracee-release.ts: how a tracee that is not in a stop is released later).
   */
  detach(): Promise<void> {
    return releaseSession(this);
  }

  /** Memory, registers (and on aarch64 the SVE regset) as they were before we came. */
  restore(): void {
    restoreSession(this);
  }
}
