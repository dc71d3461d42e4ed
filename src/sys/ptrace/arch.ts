// Everything that differs between CPU architectures lives here, as pure data and pure functions,
// so it can be unit-tested on any machine (the integration tests only run on x86_64).

export type ArchName = 'x86_64' | 'aarch64';

/** The syscalls we inject, plus restart_syscall (needed to restore an interrupted nanosleep). */
export interface SyscallTable {
  readonly socket: number;
  readonly connect: number;
  readonly recvmsg: number;
  readonly dup3: number;
  readonly close: number;
  readonly restart_syscall: number;
}

/** A register file, one bigint per 64-bit slot, in kernel struct order. */
export type Registers = Record<string, bigint>;

export interface Arch {
  readonly name: ArchName;
  readonly syscalls: SyscallTable;
  /** Bytes of the "do a system call" instruction; we look for an existing one instead of writing code. */
  readonly syscallInstruction: Buffer;
  /** Instructions can only start at multiples of this. */
  readonly instructionAlign: number;
  /** Slot names of the register struct the kernel hands out (x86_64 GETREGS / aarch64 NT_PRSTATUS). */
  readonly registerNames: readonly string[];
  /** Bytes the kernel must not see us touch below the stack pointer (x86_64 red zone). */
  readonly redZone: number;
  pc(regs: Registers): bigint;
  sp(regs: Registers): bigint;
  /** Registers that make the tracee execute syscall `nr(args)` at `at`, everything else kept from `base`. */
  prepareCall(base: Registers, at: bigint, nr: number, args: readonly bigint[]): Registers;
  /** The value the syscall returned, sign-extended (negative = -errno). */
  result(regs: Registers): bigint;
  /** The syscall number the kernel saw on entry, or -1n if the arch does not expose it. */
  enteredSyscall(regs: Registers): bigint;
  /**
   * Registers to put back before detaching. `signalsPending` says whether we will leave a signal
   * queued on the thread: the kernel then runs its own restart logic on the way out, which needs
   * the registers exactly as they were; without a signal it does not, and an interrupted syscall
   * would return -ERESTART* to user space unless we rewind it ourselves.
   */
  restore(saved: Registers, signalsPending: boolean): Registers;
}

// Kernel-internal "please restart" codes (include/linux/errno.h), as seen in the return register.
export const ERESTARTSYS = -512n;
export const ERESTARTNOINTR = -513n;
export const ERESTARTNOHAND = -514n;
export const ERESTART_RESTARTBLOCK = -516n;

/** Whether a syscall's return value is one of the kernel-internal restart codes above. */
export function isRestartCode(ret: bigint): boolean {
  return ret === ERESTARTSYS || ret === ERESTARTNOINTR || ret === ERESTARTNOHAND || ret === ERESTART_RESTARTBLOCK;
}

const U64 = (1n << 64n) - 1n;
const toU64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const toS64 = (v: bigint): bigint => BigInt.asIntN(64, v);

export function packRegisters(arch: Arch, regs: Registers): Buffer {
  const buf = Buffer.alloc(arch.registerNames.length * 8);
  arch.registerNames.forEach((name, i) => {
    const v = regs[name];
    if (v === undefined) throw new Error(`register ${name} missing for ${arch.name}`);
    buf.writeBigUInt64LE(toU64(v) & U64, i * 8);
  });
  return buf;
}

export function unpackRegisters(arch: Arch, buf: Buffer): Registers {
  if (buf.length < arch.registerNames.length * 8) {
    throw new Error(`register buffer too short for ${arch.name}: ${buf.length} bytes`);
  }
  const regs: Registers = {};
  arch.registerNames.forEach((name, i) => {
    regs[name] = buf.readBigUInt64LE(i * 8);
  });
  return regs;
}

// struct user_regs_struct, arch/x86/include/uapi/asm/ptrace.h (27 slots, 216 bytes).
const X86_64_NAMES = [
  'r15', 'r14', 'r13', 'r12', 'rbp', 'rbx', 'r11', 'r10', 'r9', 'r8', 'rax', 'rcx', 'rdx', 'rsi',
  'rdi', 'orig_rax', 'rip', 'cs', 'eflags', 'rsp', 'ss', 'fs_base', 'gs_base', 'ds', 'es', 'fs', 'gs',
] as const;
const X86_64_ARGS = ['rdi', 'rsi', 'rdx', 'r10', 'r8', 'r9'] as const;

export const x86_64: Arch = {
  name: 'x86_64',
  syscalls: { socket: 41, connect: 42, recvmsg: 47, dup3: 292, close: 3, restart_syscall: 219 },
  syscallInstruction: Buffer.from([0x0f, 0x05]),
  instructionAlign: 1,
  registerNames: X86_64_NAMES,
  redZone: 128,
  pc: (r) => r.rip,
  sp: (r) => r.rsp,
  prepareCall(base, at, nr, args) {
    const regs: Registers = { ...base, rip: at, rax: BigInt(nr) };
    // orig_rax = -1 tells the kernel "not inside a syscall", so resuming from the interrupt stop
    // does not apply the restart logic of the syscall the tracee was blocked in to our call.
    regs.orig_rax = U64;
    X86_64_ARGS.forEach((name, i) => {
      regs[name] = toU64(args[i] ?? 0n);
    });
    return regs;
  },
  result: (r) => toS64(r.rax),
  enteredSyscall: (r) => toS64(r.orig_rax),
  restore(saved, signalsPending) {
    const regs: Registers = { ...saved };
    const ret = toS64(saved.rax);
    const inSyscall = toS64(saved.orig_rax) >= 0n;
    const restartable = isRestartCode(ret);
    if (inSyscall && restartable && !signalsPending) {
      // What arch_do_signal_or_restart() does when no handler runs: back over the 2-byte
      // `syscall` instruction and re-issue it (restart_syscall for the RESTARTBLOCK case).
      regs.rip = toU64(saved.rip - 2n);
      regs.rax = ret === ERESTART_RESTARTBLOCK ? BigInt(this.syscalls.restart_syscall) : saved.orig_rax;
    }
    return regs;
  },
};

// struct user_pt_regs, arch/arm64/include/uapi/asm/ptrace.h (34 slots, 272 bytes).
const AARCH64_NAMES = [...Array.from({ length: 31 }, (_, i) => `x${i}`), 'sp', 'pc', 'pstate'];

export const aarch64: Arch = {
  name: 'aarch64',
  syscalls: { socket: 198, connect: 203, recvmsg: 212, dup3: 24, close: 57, restart_syscall: 128 },
  // svc #0, little-endian.
  syscallInstruction: Buffer.from([0x01, 0x00, 0x00, 0xd4]),
  instructionAlign: 4,
  registerNames: AARCH64_NAMES,
  redZone: 0,
  pc: (r) => r.pc,
  sp: (r) => r.sp,
  prepareCall(base, at, nr, args) {
    // x7 is left alone on purpose: the kernel clobbers it at syscall stops and puts back the value
    // it had before the stop, so it must already hold the tracee's original x7.
    const regs: Registers = { ...base, pc: at, x8: BigInt(nr) };
    for (let i = 0; i < 6; i++) regs[`x${i}`] = toU64(args[i] ?? 0n);
    return regs;
  },
  result: (r) => toS64(r.x0),
  enteredSyscall: () => -1n,
  restore(saved) {
    // arm64 rewinds pc and reloads x0 from orig_x0 *before* the stop is reported, so the saved
    // registers already re-issue the interrupted syscall.
    return { ...saved };
  },
};

export function archFor(name: string): Arch {
  if (name === 'x64' || name === 'x86_64') return x86_64;
  if (name === 'arm64' || name === 'aarch64') return aarch64;
  throw new Error(`ptrace output takeover is not supported on ${name} (only x86_64 and aarch64)`);
}

/** Offsets (aligned for `arch`) of every occurrence of the syscall instruction in `code` read at `base`. */
export function findSyscallInstructions(arch: Arch, code: Buffer, base: bigint): bigint[] {
  const found: bigint[] = [];
  const insn = arch.syscallInstruction;
  let from = 0;
  for (;;) {
    const at = code.indexOf(insn, from);
    if (at < 0) break;
    if ((base + BigInt(at)) % BigInt(arch.instructionAlign) === 0n) found.push(base + BigInt(at));
    from = at + 1;
  }
  return found;
}
