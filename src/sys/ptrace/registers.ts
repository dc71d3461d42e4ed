// Register access of a thread in a ptrace stop: GETREGS/SETREGS on x86_64, the NT_PRSTATUS
// regset on aarch64 (which has no GETREGS).
import { Arch, Registers, packRegisters, unpackRegisters } from './arch';
import { check, libc } from './libc';

const PTRACE_GETREGS = 12;
const PTRACE_SETREGS = 13;
const PTRACE_GETREGSET = 0x4204;
const PTRACE_SETREGSET = 0x4205;
const NT_PRSTATUS = 1;

export function readRegisters(arch: Arch, pid: number, tid: number): Registers {
  const c = libc();
  if (arch.name === 'x86_64') {
    const buf = Buffer.alloc(arch.registerNames.length * 8);
    check(`PTRACE_GETREGS of ${pid}`, c.ptraceBuf(PTRACE_GETREGS, tid, 0, buf));
    return unpackRegisters(arch, buf);
  }
  return withRegset(arch, (iov, regs) => {
    check(`PTRACE_GETREGSET of ${pid}`, c.ptrace(PTRACE_GETREGSET, tid, NT_PRSTATUS, iov));
    return unpackRegisters(arch, Buffer.from(regs));
  });
}

export function writeRegisters(arch: Arch, pid: number, tid: number, regs: Registers): void {
  const c = libc();
  const packed = packRegisters(arch, regs);
  if (arch.name === 'x86_64') {
    check(`PTRACE_SETREGS of ${pid}`, c.ptraceBuf(PTRACE_SETREGS, tid, 0, packed));
    return;
  }
  withRegset(arch, (iov, mem) => {
    packed.copy(mem);
    check(`PTRACE_SETREGSET of ${pid}`, c.ptrace(PTRACE_SETREGSET, tid, NT_PRSTATUS, iov));
  });
}

function withRegset<T>(arch: Arch, fn: (iovAddress: bigint, regs: Buffer) => T): T {
  return withIovec(arch.registerNames.length * 8, fn);
}

/**
 * GETREGSET/SETREGSET take a struct iovec holding a pointer, so both must live in native
 * memory: one block, the iovec then the `size` bytes it points at. `fn` gets the iovec's
 * address, those bytes, and the length the kernel left in the iovec (what GETREGSET filled).
 */
function withIovec<T>(size: number, fn: (iovAddress: bigint, data: Buffer, filled: () => number) => T): T {
  const block = libc().alloc(16 + size);
  try {
    block.bytes.writeBigUInt64LE(block.address + 16n, 0);
    block.bytes.writeBigUInt64LE(BigInt(size), 8);
    return fn(block.address, block.bytes.subarray(16), () => Number(block.bytes.readBigUInt64LE(8)));
  } finally {
    block.free();
  }
}

// --- aarch64 only: the state an injected `svc` would otherwise lose or change -------------------

const PTRACE_GETSIGMASK = 0x420a;
const PTRACE_SETSIGMASK = 0x420b;
const NT_ARM_SYSTEM_CALL = 0x404;
const NT_ARM_SVE = 0x405;
/** Room for the largest SVE regset (2048-bit vectors: 32 Z, 16 P, FFR, FPSR/FPCR, header). */
const SVE_REGSET_MAX = 16384;

/** Sets the syscall number of a thread in a syscall-entry stop (-1 skips the call). */
export function writeSyscallNumber(pid: number, tid: number, nr: number): void {
  withIovec(4, (iov, data) => {
    data.writeInt32LE(nr, 0);
    check(`PTRACE_SETREGSET(NT_ARM_SYSTEM_CALL) of ${pid}`, libc().ptrace(PTRACE_SETREGSET, tid, NT_ARM_SYSTEM_CALL, iov));
  });
}

/**
 * The thread's SVE registers (NT_ARM_SVE), or undefined without SVE. A syscall discards the
 * upper lanes of the Z registers and the P registers, so a thread caught in user space would lose
 * them to our injected `svc`.
 */
export function readSve(tid: number): Buffer | undefined {
  return withIovec(SVE_REGSET_MAX, (iov, data, filled) =>
    libc().ptrace(PTRACE_GETREGSET, tid, NT_ARM_SVE, iov) === -1 ? undefined : Buffer.from(data.subarray(0, filled())),
  );
}

export function writeSve(pid: number, tid: number, sve: Buffer): void {
  withIovec(sve.length, (iov, data) => {
    sve.copy(data);
    check(`PTRACE_SETREGSET(NT_ARM_SVE) of ${pid}`, libc().ptrace(PTRACE_SETREGSET, tid, NT_ARM_SVE, iov));
  });
}

/** The blocked-signal mask of a thread in a ptrace stop (64 bits: bit n-1 is signal n). */
export function readSigmask(pid: number, tid: number): bigint {
  const buf = Buffer.alloc(8);
  check(`PTRACE_GETSIGMASK of ${pid}`, libc().ptraceBuf(PTRACE_GETSIGMASK, tid, 8, buf));
  return buf.readBigUInt64LE(0);
}

export function writeSigmask(pid: number, tid: number, mask: bigint): void {
  const buf = Buffer.alloc(8);
  buf.writeBigUInt64LE(BigInt.asUintN(64, mask), 0);
  check(`PTRACE_SETSIGMASK of ${pid}`, libc().ptraceBuf(PTRACE_SETSIGMASK, tid, 8, buf));
}

/** writeSigmask that reports failure (a thread gone) instead of throwing. */
export function writeSigmaskQuietly(pid: number, tid: number, mask: bigint): boolean {
  try {
    writeSigmask(pid, tid, mask);
    return true;
  } catch {
    return false;
  }
}
