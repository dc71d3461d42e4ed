// Where to inject: a syscall instruction that already exists in the tracee, and scratch memory.
import { Arch, Registers, findSyscallInstructions } from './arch';
import type { MapEntry } from './proc-fs';

/** How far we look for an existing syscall instruction before giving up. */
const MAX_CODE_SCAN = 8 * 1024 * 1024;

/**
 * An existing syscall instruction to run injected calls through: x86_64 usually has one right
 * before pc; otherwise executable mappings are scanned (the vDSO first), within MAX_CODE_SCAN.
 */
export function findSyscallSite(
arch: Arch,
pid: number,
saved: Registers,
readMemory: (addr: bigint, len: number) => Buffer,
readMapsOnce: () => MapEntry[],
): bigint {
  const pc = arch.pc(saved);
  const insn = arch.syscallInstruction;
  // x86_64: a thread parked in a syscall sits right after one. Not on aarch64: resuming at the
  // interrupted `svc` after -ERESTART_RESTARTBLOCK makes the kernel swap in restart_syscall.
  if (arch.name === 'x86_64' && pc >= 2n) {
    try {
      if (readMemory(pc - 2n, insn.length).equals(insn)) return pc - 2n;
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
        code = readMemory(at, len);
      } catch {
        break;
      }
      // An instruction split across two chunks is missed; there are plenty of others.
      const site = findSyscallInstructions(arch, code, at).find((a) => !avoid.has(a));
      if (site !== undefined) return site;
    }
  }
  throw new Error(`no syscall instruction found in process ${pid}`);
}

/** Room below the stack pointer (past the red zone), which the parked thread is not using. */
export function findScratch(arch: Arch, pid: number, saved: Registers, size: number, readMapsOnce: () => MapEntry[]): bigint {
  const sp = arch.sp(saved);
  const below = (sp - BigInt(arch.redZone) - BigInt(size) - 64n) & ~15n;
  const above = (sp + 15n) & ~15n;
  const maps = readMapsOnce().filter((m) => m.perms.startsWith('rw'));
  for (const base of [below, above]) {
    // /proc/<pid>/mem does not grow the stack, so the area must already be mapped.
    if (maps.some((m) => m.start <= base && base + BigInt(size) <= m.end)) return base;
  }
  throw new Error(`no usable stack memory in process ${pid} (sp 0x${sp.toString(16)})`);
}
