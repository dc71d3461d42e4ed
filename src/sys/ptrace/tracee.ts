// One short ptrace session on one thread: seize, park it, run syscalls in its name, put everything
// back, detach. Syscalls are run through a `syscall`/`svc` instruction that already exists in the
// tracee (stopping at syscall-exit with PTRACE_SYSCALL) instead of writing a code stub: other
// threads of the tracee keep running the very same code pages, and a stub they stumbled on would
// kill them with SIGTRAP. Longer than most files on purpose: the stop/resume state machine,
// register access and memory access all share one session state.
import fs from 'node:fs';
import {
  Arch,
  Registers,
  findSyscallInstructions,
  isRestartCode,
  packRegisters,
  unpackRegisters,
} from './arch';
import { EINTR, EPERM, ESRCH, ProcessGoneError, SysError } from './errors';
import { check, libc } from './libc';
import { readMaps, readStat, type MapEntry } from './proc-fs';
import { TraceeEvent, decodeExitSiginfo, decodeWaitStatus, siginfoIsExit } from './wait-status';

const PTRACE_CONT = 7;
const PTRACE_DETACH = 17;
const PTRACE_SYSCALL = 24;
const PTRACE_GETREGS = 12;
const PTRACE_SETREGS = 13;
const PTRACE_GETREGSET = 0x4204;
const PTRACE_SETREGSET = 0x4205;
const PTRACE_SEIZE = 0x4206;
const PTRACE_INTERRUPT = 0x4207;
const PTRACE_O_TRACESYSGOOD = 0x1;
const PTRACE_O_TRACEEXEC = 0x10;
const NT_PRSTATUS = 1;

const P_PID = 1;
const WNOHANG = 1;
const WSTOPPED = 2;
const WEXITED = 4;
const WNOWAIT = 0x01000000;
const __WALL = 0x40000000;

/** __USER_CS on x86_64: the code segment of 64-bit user mode (0x23 is 32-bit compat mode). */
const X86_64_USER_CS = 0x33n;

/**
 * Which of the rarer paths were taken, summed over all sessions. Only read by tests and
 * diagnostics: signal timing cannot be forced, so tests report these instead of asserting them.
 */
export const traceStats = { sessions: 0, signalsDeliveredEarly: 0, signalsHeld: 0, syscallsRewound: 0, syscallRetries: 0 };

/** How far we look for an existing syscall instruction before giving up. */
const MAX_CODE_SCAN = 8 * 1024 * 1024;

export class Tracee {
  private memFd = -1;
  private saved: Registers | undefined;
  private regsChanged = false;
  private syscallSite = 0n;
  private readonly borrowed: Array<{ addr: bigint; original: Buffer }> = [];
  /** Signals that arrived while our registers were loaded; queued again right before detaching. */
  private readonly heldSignals: number[] = [];
  private gone = false;
  private detached = false;
  /** Our own child: its exit status belongs to whoever spawned it (libuv, the reaper), never to us. */
  private readonly ourChild: boolean;

  private constructor(
    readonly pid: number,
    readonly tid: number,
    private readonly arch: Arch,
  ) {
    this.ourChild = tid === pid && readStat(pid)?.ppid === process.pid;
  }

  /** Seize `tid` (a thread of `pid`) and wait until it is parked in an interrupt stop. */
  static seize(pid: number, tid: number, arch: Arch): Tracee {
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
      t.waitForInterruptStop();
      t.memFd = fs.openSync(`/proc/${tid}/mem`, 'r+');
    } catch (err) {
      t.detach();
      const esrch = (err as { code?: string }).code === 'ESRCH';
      if (!(err instanceof ProcessGoneError) && (t.exited || esrch)) throw new ProcessGoneError(pid, 'exited');
      throw err;
    }
    return t;
  }

  private waitForInterruptStop(): void {
    for (;;) {
      const ev = this.waitEvent();
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

  /**
   * Next stop or end of the tracee. Peeks with WNOWAIT first so that the exit of our own child is
   * left for its real waiter; stops are then consumed with waitpid.
   */
  private waitEvent(): TraceeEvent {
    const c = libc();
    const info = Buffer.alloc(128);
    for (;;) {
      if (c.waitid(P_PID, this.tid, info, WEXITED | WSTOPPED | WNOWAIT | __WALL) === -1) {
        const errno = c.errno();
        if (errno === EINTR) continue;
        this.gone = true;
        throw new ProcessGoneError(this.pid, `vanished while traced (${new SysError('waitid', errno).code})`);
      }
      if (siginfoIsExit(info)) {
        this.gone = true;
        if (!this.ourChild) c.waitpid(this.tid, Buffer.alloc(4), __WALL | WNOHANG);
        return decodeExitSiginfo(info);
      }
      const status = Buffer.alloc(4);
      const r = c.waitpid(this.tid, status, __WALL | WNOHANG);
      if (r === -1 && c.errno() === EINTR) continue;
      if (r <= 0) continue; // the stop went away (SIGKILL) between peek and consume: look again
      return decodeWaitStatus(status.readInt32LE(0));
    }
  }

  private resume(request: number, signal: number): void {
    const c = libc();
    // ESRCH here means SIGKILL pulled it out of the stop; the next waitEvent reports the exit.
    if (c.ptrace(request, this.tid, 0, signal) === -1 && c.errno() !== ESRCH) {
      throw new SysError(`ptrace(${request}) on process ${this.pid}`, c.errno());
    }
  }

  getRegisters(): Registers {
    const c = libc();
    if (this.arch.name === 'x86_64') {
      const buf = Buffer.alloc(this.arch.registerNames.length * 8);
      check(`PTRACE_GETREGS of ${this.pid}`, c.ptraceBuf(PTRACE_GETREGS, this.tid, 0, buf));
      return unpackRegisters(this.arch, buf);
    }
    return this.withRegset((iov, regs) => {
      check(`PTRACE_GETREGSET of ${this.pid}`, c.ptrace(PTRACE_GETREGSET, this.tid, NT_PRSTATUS, iov));
      return unpackRegisters(this.arch, Buffer.from(regs));
    });
  }

  setRegisters(regs: Registers): void {
    const c = libc();
    const packed = packRegisters(this.arch, regs);
    this.regsChanged = true;
    if (this.arch.name === 'x86_64') {
      check(`PTRACE_SETREGS of ${this.pid}`, c.ptraceBuf(PTRACE_SETREGS, this.tid, 0, packed));
      return;
    }
    this.withRegset((iov, mem) => {
      packed.copy(mem);
      check(`PTRACE_SETREGSET of ${this.pid}`, c.ptrace(PTRACE_SETREGSET, this.tid, NT_PRSTATUS, iov));
    });
  }

  /** GETREGSET takes a struct iovec holding a pointer, so both must live in native memory. */
  private withRegset<T>(fn: (iovAddress: bigint, regs: Buffer) => T): T {
    const size = this.arch.registerNames.length * 8;
    const block = libc().alloc(16 + size);
    try {
      block.bytes.writeBigUInt64LE(block.address + 16n, 0);
      block.bytes.writeBigUInt64LE(BigInt(size), 8);
      return fn(block.address, block.bytes.subarray(16));
    } finally {
      block.free();
    }
  }

  readMemory(addr: bigint, len: number): Buffer {
    const buf = Buffer.alloc(len);
    const n = fs.readSync(this.memFd, buf, 0, len, Number(addr));
    if (n !== len) throw new Error(`short read of process ${this.pid} memory at 0x${addr.toString(16)}`);
    return buf;
  }

  /** Overwrite tracee memory, keeping the original bytes to put back at detach. */
  borrowMemory(addr: bigint, bytes: Buffer): void {
    const original = this.readMemory(addr, bytes.length);
    this.borrowed.push({ addr, original });
    this.writeMemory(addr, bytes);
  }

  private writeMemory(addr: bigint, bytes: Buffer): void {
    const n = fs.writeSync(this.memFd, bytes, 0, bytes.length, Number(addr));
    if (n !== bytes.length) throw new Error(`short write to process ${this.pid} memory at 0x${addr.toString(16)}`);
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
    this.syscallSite = this.findSyscallSite(this.saved, readMapsOnce);
    return this.findScratch(this.saved, scratchSize, readMapsOnce);
  }

  private findSyscallSite(saved: Registers, readMapsOnce: () => MapEntry[]): bigint {
    const pc = this.arch.pc(saved);
    const insn = this.arch.syscallInstruction;
    // x86_64: a thread parked in a syscall sits right after one. Not on aarch64: resuming at the
    // interrupted `svc` after -ERESTART_RESTARTBLOCK makes the kernel swap in restart_syscall.
    if (this.arch.name === 'x86_64' && pc >= 2n) {
      try {
        if (this.readMemory(pc - 2n, insn.length).equals(insn)) return pc - 2n;
      } catch {
        // unreadable: fall through to the scan
      }
    }
    const avoid = new Set([pc, pc - BigInt(insn.length)]);
    const maps = readMapsOnce().filter((m) => m.perms.includes('x') && m.path !== '[vsyscall]');
    maps.sort((a, b) => Number(b.path === '[vdso]') - Number(a.path === '[vdso]'));
    let budget = MAX_CODE_SCAN;
    for (const m of maps) {
      for (let at = m.start; at < m.end && budget > 0; at += 65536n) {
        const len = Number(m.end - at < 65536n ? m.end - at : 65536n);
        budget -= len;
        let code: Buffer;
        try {
          code = this.readMemory(at, len);
        } catch {
          break;
        }
        // An instruction split across two chunks is missed; there are plenty of others.
        const site = findSyscallInstructions(this.arch, code, at).find((a) => !avoid.has(a));
        if (site !== undefined) return site;
      }
    }
    throw new Error(`no syscall instruction found in process ${this.pid}`);
  }

  /** Room below the stack pointer (past the red zone), which the parked thread is not using. */
  private findScratch(saved: Registers, size: number, readMapsOnce: () => MapEntry[]): bigint {
    const sp = this.arch.sp(saved);
    const below = (sp - BigInt(this.arch.redZone) - BigInt(size) - 64n) & ~15n;
    const above = (sp + 15n) & ~15n;
    const maps = readMapsOnce().filter((m) => m.perms.startsWith('rw'));
    for (const base of [below, above]) {
      // /proc/<pid>/mem does not grow the stack, so the area must already be mapped.
      if (maps.some((m) => m.start <= base && base + BigInt(size) <= m.end)) return base;
    }
    throw new Error(`no usable stack memory in process ${this.pid} (sp 0x${sp.toString(16)})`);
  }

  /** Run syscall `nr` in the tracee and return its raw result (negative = -errno). */
  syscall(nr: number, args: readonly bigint[]): bigint {
    if (!this.saved) throw new Error('Tracee.prepare() must run before syscall()');
    for (let attempt = 0; ; attempt++) {
      this.setRegisters(this.arch.prepareCall(this.saved, this.syscallSite, nr, args));
      this.resume(PTRACE_SYSCALL, 0);
      this.waitSyscallStop(); // entry
      this.resume(PTRACE_SYSCALL, 0);
      this.waitSyscallStop(); // exit
      const ret = this.arch.result(this.getRegisters());
      const restart = isRestartCode(ret);
      // A signal interrupted our call; we hold signals back, so simply issue it again.
      if (!restart || attempt >= 3) return ret;
      traceStats.syscallRetries++;
    }
  }

  private waitSyscallStop(): void {
    for (;;) {
      const ev = this.waitEvent();
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

  /** Put memory and registers back, re-queue held signals, detach. Never throws. */
  detach(): void {
    if (this.detached) return;
    this.detached = true;
    const c = libc();
    try {
      if (this.gone) return;
      for (const { addr, original } of this.borrowed.reverse()) {
        try {
          this.writeMemory(addr, original);
        } catch {
          // the process is going away; nothing else to do
        }
      }
      if (this.saved && this.regsChanged) {
        try {
          const restored = this.arch.restore(this.saved, this.heldSignals.length > 0);
          if (this.arch.pc(restored) !== this.arch.pc(this.saved)) traceStats.syscallsRewound++;
          this.setRegisters(restored);
        } catch {
          // same
        }
      }
      // Queued on this very thread while it is still parked: unblocked (they were delivered to it
      // moments ago), so the kernel takes them on the way out and applies its usual restart rules.
      for (const sig of this.heldSignals) c.tgkill(this.pid, this.tid, sig);
      if (c.ptrace(PTRACE_DETACH, this.tid, 0, 0) === -1 && c.errno() === ESRCH && !this.gone) {
        // Not in a stop: either an error struck between resume and wait, or SIGKILL woke it up.
        // Park it again (or see it exit: a dead tracee must be waited for, or its real parent
        // could never reap it), then let go.
        c.ptrace(PTRACE_INTERRUPT, this.tid, 0, 0);
        try {
          this.waitForInterruptStop();
          c.ptrace(PTRACE_DETACH, this.tid, 0, 0);
        } catch {
          // gone: waitEvent has recorded it
        }
      }
    } finally {
      if (this.memFd >= 0) fs.closeSync(this.memFd);
      this.memFd = -1;
    }
  }
}
