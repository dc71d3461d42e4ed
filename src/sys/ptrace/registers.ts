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

/** GETREGSET takes a struct iovec holding a pointer, so both must live in native memory. */
function withRegset<T>(arch: Arch, fn: (iovAddress: bigint, regs: Buffer) => T): T {
  const size = arch.registerNames.length * 8;
  const block = libc().alloc(16 + size);
  try {
    block.bytes.writeBigUInt64LE(block.address + 16n, 0);
    block.bytes.writeBigUInt64LE(BigInt(size), 8);
    return fn(block.address, block.bytes.subarray(16));
  } finally {
    block.free();
  }
}
