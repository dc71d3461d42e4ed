import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ERESTARTNOHAND,
  ERESTARTSYS,
  ERESTART_RESTARTBLOCK,
  aarch64,
  archFor,
  findSyscallInstructions,
  packRegisters,
  unpackRegisters,
  x86_64,
} from '../../../../src/sys/ptrace/arch';

const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);

function regsOf(arch: typeof x86_64, fill: (name: string, i: number) => bigint) {
  return Object.fromEntries(arch.registerNames.map((n, i) => [n, fill(n, i)]));
}

describe('x86_64 registers', () => {
  it('follows the user_regs_struct layout (27 slots, 216 bytes)', () => {
    assert.equal(x86_64.registerNames.length, 27);
    const buf = packRegisters(x86_64, regsOf(x86_64, (_, i) => BigInt(i + 1)));
    assert.equal(buf.length, 216);
    assert.equal(buf.readBigUInt64LE(80), 11n); // rax is slot 10
    assert.equal(buf.readBigUInt64LE(120), 16n); // orig_rax slot 15
    assert.equal(buf.readBigUInt64LE(128), 17n); // rip slot 16
    assert.equal(buf.readBigUInt64LE(152), 20n); // rsp slot 19
  });

  it('round-trips, including negative values as two\'s complement', () => {
    const regs = regsOf(x86_64, (_, i) => BigInt(i) * 0x1111n);
    regs.orig_rax = u64(-1n);
    const back = unpackRegisters(x86_64, packRegisters(x86_64, regs));
    assert.deepEqual(back, regs);
    assert.equal(x86_64.enteredSyscall(back), -1n);
  });

  it('loads a syscall into rax/rdi/rsi/rdx/r10/r8/r9 and marks "not in a syscall"', () => {
    const base = regsOf(x86_64, () => 7n);
    const r = x86_64.prepareCall(base, 0x1000n, 41, [1n, 2n, 3n, 4n, 5n, 6n]);
    assert.deepEqual([r.rax, r.rdi, r.rsi, r.rdx, r.r10, r.r8, r.r9, r.rip], [41n, 1n, 2n, 3n, 4n, 5n, 6n, 0x1000n]);
    assert.equal(r.orig_rax, u64(-1n));
    assert.equal(r.rbx, 7n);
    assert.equal(base.rax, 7n, 'base is not mutated');
    assert.equal(x86_64.result({ ...r, rax: u64(-9n) }), -9n);
  });

  it('rewinds an interrupted syscall on restore when no signal is left pending', () => {
    const saved = { ...regsOf(x86_64, () => 0n), rip: 0x4002n, orig_rax: 61n, rax: u64(ERESTARTSYS) };
    const r = x86_64.restore(saved, false);
    assert.equal(r.rip, 0x4000n);
    assert.equal(r.rax, 61n);
    assert.equal(r.orig_rax, 61n);
    const nohand = x86_64.restore({ ...saved, rax: u64(ERESTARTNOHAND) }, false);
    assert.equal(nohand.rax, 61n);
  });

  it('turns -ERESTART_RESTARTBLOCK into restart_syscall (219)', () => {
    const saved = { ...regsOf(x86_64, () => 0n), rip: 0x4002n, orig_rax: 230n, rax: u64(ERESTART_RESTARTBLOCK) };
    const r = x86_64.restore(saved, false);
    assert.equal(r.rip, 0x4000n);
    assert.equal(r.rax, 219n);
  });

  it('restores exactly when a signal is pending (the kernel then applies its own restart rules)', () => {
    const saved = { ...regsOf(x86_64, () => 0n), rip: 0x4002n, orig_rax: 61n, rax: u64(ERESTARTSYS) };
    assert.deepEqual(x86_64.restore(saved, true), saved);
  });

  it('restores exactly outside syscalls and after completed syscalls', () => {
    const user = { ...regsOf(x86_64, () => 3n), orig_rax: u64(-1n), rax: u64(ERESTARTSYS) };
    assert.deepEqual(x86_64.restore(user, false), user);
    const done = { ...regsOf(x86_64, () => 3n), orig_rax: 0n, rax: 5n };
    assert.deepEqual(x86_64.restore(done, false), done);
  });
});

describe('aarch64 registers', () => {
  it('follows the user_pt_regs layout (x0..x30, sp, pc, pstate; 272 bytes)', () => {
    assert.equal(aarch64.registerNames.length, 34);
    const buf = packRegisters(aarch64, regsOf(aarch64, (_, i) => BigInt(i)));
    assert.equal(buf.length, 272);
    assert.equal(buf.readBigUInt64LE(8 * 8), 8n); // x8
    assert.equal(buf.readBigUInt64LE(248), 31n); // sp
    assert.equal(buf.readBigUInt64LE(256), 32n); // pc
    assert.deepEqual(unpackRegisters(aarch64, buf), regsOf(aarch64, (_, i) => BigInt(i)));
  });

  it('loads a syscall into x8 and x0..x5 and keeps x7', () => {
    const base = regsOf(aarch64, () => 9n);
    const r = aarch64.prepareCall(base, 0x2000n, 198, [1n, 2n, 3n]);
    assert.deepEqual([r.x8, r.x0, r.x1, r.x2, r.x3, r.x4, r.x5, r.pc], [198n, 1n, 2n, 3n, 0n, 0n, 0n, 0x2000n]);
    assert.equal(r.x7, 9n);
    assert.equal(aarch64.result({ ...r, x0: u64(-11n) }), -11n);
    assert.equal(aarch64.sp(r), 9n);
  });

  it('restores registers exactly (the kernel already rewound the syscall)', () => {
    const saved = regsOf(aarch64, (_, i) => BigInt(i * 3));
    assert.deepEqual(aarch64.restore(saved, false), saved);
  });
});

describe('syscall tables and instructions', () => {
  it('has the x86_64 numbers', () => {
    assert.deepEqual(x86_64.syscalls, { socket: 41, connect: 42, recvmsg: 47, dup3: 292, close: 3, restart_syscall: 219 });
    assert.deepEqual([...x86_64.syscallInstruction], [0x0f, 0x05]);
  });

  it('has the aarch64 (asm-generic) numbers', () => {
    assert.deepEqual(aarch64.syscalls, { socket: 198, connect: 203, recvmsg: 212, dup3: 24, close: 57, restart_syscall: 128 });
    assert.equal(aarch64.syscallInstruction.readUInt32LE(0), 0xd4000001); // svc #0
  });

  it('finds syscall instructions, honouring alignment', () => {
    const code = Buffer.from([0x90, 0x0f, 0x05, 0xcc, 0x0f, 0x05]);
    assert.deepEqual(findSyscallInstructions(x86_64, code, 0x1000n), [0x1001n, 0x1004n]);
    const arm = Buffer.alloc(12);
    arm.writeUInt32LE(0xd4000001, 4);
    const misaligned = Buffer.concat([Buffer.alloc(2), arm]);
    assert.deepEqual(findSyscallInstructions(aarch64, arm, 0x1000n), [0x1004n]);
    assert.deepEqual(findSyscallInstructions(aarch64, misaligned, 0x1000n), []);
  });

  it('maps node arch names', () => {
    assert.equal(archFor('x64'), x86_64);
    assert.equal(archFor('arm64'), aarch64);
    assert.throws(() => archFor('ia32'), /not supported on ia32/);
  });
});
