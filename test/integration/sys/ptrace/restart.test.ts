// What a takeover must leave exactly as it was, on every architecture: a sleep it interrupted
// goes on (not over), a signal that arrives while we inject interrupts the call the thread was
// blocked in as it would have without us, and registers a syscall would discard survive.
// Found on arm64 (issue 20), where the kernel restarts syscalls differently from x86_64.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, describe, it } from 'node:test';
import { takeOverOutput } from '../../../../src/sys/ptrace';
import { archFor } from '../../../../src/sys/ptrace/arch';
import { Deadline } from '../../../../src/sys/ptrace/deadline';
import { libc } from '../../../../src/sys/ptrace/libc';
import { Tracee as Session, traceStats } from '../../../../src/sys/ptrace/tracee';
import { SYS, Tracee, blockedIn, compileC, readAll, skipReason, slow, start, until } from './helpers';

const running: Tracee[] = [];
function track(t: Tracee): Tracee {
  running.push(t);
  return t;
}
after(() => running.forEach((t) => t.kill()));

const arch = process.arch === 'arm64' || process.arch === 'x64' ? archFor(process.arch) : undefined;
/** getpid: a call that changes nothing, to have the tracee run something of ours. */
const GETPID = process.arch === 'arm64' ? 172 : 39;

// Blocks once in read(0), pause() or nanosleep(5 s) under a SIGUSR1 handler installed with or
// without SA_RESTART, and says how the call ended.
const BLOCKER_C = `
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
static volatile sig_atomic_t got;
static void on_usr1(int s) { (void)s; got++; }
int main(int argc, char **argv) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_usr1;
  if (argc > 2) sa.sa_flags = SA_RESTART;
  sigaction(SIGUSR1, &sa, 0);
  char buf[64];
  long r;
  if (!strcmp(argv[1], "read")) r = read(0, buf, sizeof buf);
  else if (!strcmp(argv[1], "pause")) r = pause();
  else {
    struct timespec ts = { 5, 0 }, left = { 0, 0 };
    r = nanosleep(&ts, &left);
    if (r < 0) fprintf(stderr, "left %ld\\n", (long)left.tv_sec);
  }
  fprintf(stderr, "%s %ld %s handled %d\\n", argv[1], r, r < 0 ? strerror(errno) : "ok", (int)got);
  return 0;
}
`;

/** The signals pending for a process, thread and process-wide (bit n-1: signal n). */
function pending(pid: number): bigint {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const mask = (key: string): bigint => BigInt(`0x${new RegExp(`^${key}:\\s*([0-9a-f]+)$`, 'm').exec(status)?.[1] ?? '0'}`);
  return mask('SigPnd') | mask('ShdPnd');
}

/**
 * Seizes the tracee, runs getpid in it, sends SIGUSR1 while our registers are loaded, runs getpid
 * again (the signal stops it there and is held back), and lets go.
 */
async function signalDuringInjection(t: Tracee): Promise<void> {
  const deadline = new Deadline(t.pid, slow(3000));
  const session = await Session.seize(t.pid, t.pid, arch!, deadline);
  try {
    session.prepare(256);
    await session.syscall(GETPID, [], deadline);
    const held = traceStats.signalsHeld;
    process.kill(t.pid, 'SIGUSR1');
    await until('SIGUSR1 pending', () => pending(t.pid) & (1n << 9n));
    await session.syscall(GETPID, [], deadline);
    assert.equal(traceStats.signalsHeld, held + 1, 'the signal arrived during the injection');
  } finally {
    await session.detach();
  }
}

describe('a takeover leaves the interrupted call as it was', { skip: skipReason }, () => {
  it('an interrupted sleep goes on where it was, not over', { timeout: slow(30000) }, async () => {
    // Loaded first: loading koffi takes seconds on an emulated machine, and the takeover must
    // land well inside the sleep.
    libc();
    const t = track(await start('sleep', ['4']));
    await until('sleep in clock_nanosleep', () => blockedIn(t.pid) === SYS.clock_nanosleep);
    const blockedAt = Date.now();
    // Well into the sleep: started over, it would end 2.5 s (at least) after the right time.
    await new Promise((r) => setTimeout(r, 2500));
    const r = await takeOverOutput(t.pid, { deadlineMs: slow(3000) });
    const [out, err, exit] = await Promise.all([readAll(r.stdout), readAll(r.stderr), t.exited]);
    const took = Date.now() - blockedAt;
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.equal(out + err + t.oldErr(), '');
    assert.ok(took < 4000 + 1500, `slept ${took} ms after it was seen asleep (4000 asked; started over: 6500 or more)`);
  });

  for (const call of ['read', 'pause', 'nanosleep']) {
    it(`a signal arriving during the injection ends a blocked ${call} with EINTR (handler without SA_RESTART)`, { timeout: slow(30000) }, async () => {
      const t = track(await start(compileC('ptrace-blocker', BLOCKER_C), [call]));
      const nr = { read: SYS.read, pause: process.arch === 'arm64' ? SYS.ppoll : SYS.pause, nanosleep: SYS.clock_nanosleep }[call];
      await until(`${call} blocked`, () => blockedIn(t.pid) === nr);
      await signalDuringInjection(t);
      const exit = await t.exited;
      assert.match(t.oldErr(), new RegExp(`^(left [0-5]\\n)?${call} -1 Interrupted system call handled 1\\n$`));
      assert.deepEqual(exit, { code: 0, signal: null });
    });
  }

  it('a signal arriving during the injection leaves a read under SA_RESTART blocked, then it reads', { timeout: slow(30000) }, async () => {
    const t = track(await start(compileC('ptrace-blocker', BLOCKER_C), ['read', 'restart']));
    await until('read blocked', () => blockedIn(t.pid) === SYS.read);
    await signalDuringInjection(t);
    await until('the handler to have run, read blocked again', () => blockedIn(t.pid) === SYS.read);
    t.child.stdin?.end('abc');
    await t.exited;
    assert.equal(t.oldErr(), 'read 3 ok handled 1\n');
  });
});

// SVE (arm64 only): the upper lanes of a Z register of a thread caught in user space.
const SVE_C = `
#include <signal.h>
#include <stdio.h>
#include <string.h>
static volatile int flag;
static void on_usr1(int s) { (void)s; flag = 1; }
int main(void) {
  unsigned char z[256];
  unsigned long vl;
  signal(SIGUSR1, on_usr1);
  __asm__ volatile("cntb %0" : "=r"(vl));
  printf("ready %lu\\n", vl);
  fflush(stdout);
  /* z31 = 1, 2, 3, ...; spin in user space until SIGUSR1, then store z31. */
  __asm__ volatile(
    "index z31.b, #1, #1\\n"
    "1: ldr w9, [%1]\\n"
    "cbz w9, 1b\\n"
    "str z31, [%0]\\n"
    :: "r"(z), "r"(&flag) : "x9", "memory", "v31");
  for (unsigned long i = 0; i < vl; i++)
    if (z[i] != (unsigned char)(i + 1)) { printf("lost from byte %lu of %lu\\n", i, vl); return 1; }
  printf("intact %lu\\n", vl);
  return 0;
}
`;
const hasSve = (() => {
  try {
    return process.arch === 'arm64' && /^Features\s*:.*\bsve\b/m.test(fs.readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return false;
  }
})();

describe('a takeover keeps the SVE registers of a thread caught in user space', { skip: skipReason || (hasSve ? false : 'needs arm64 with SVE') }, () => {
  it('keeps the upper lanes of z31', { timeout: slow(30000) }, async (t0) => {
    let binary: string;
    try {
      binary = compileC('ptrace-sve', SVE_C, ['-march=armv8-a+sve']);
    } catch {
      t0.skip('cc cannot build SVE code');
      return;
    }
    const t = track(await start(binary, []));
    await until('spinning', () => t.oldOut().startsWith('ready'));
    const r = await takeOverOutput(t.pid, { deadlineMs: slow(3000) });
    process.kill(t.pid, 'SIGUSR1');
    const [out, exit] = await Promise.all([readAll(r.stdout), t.exited, readAll(r.stderr)]);
    const vl = /ready (\d+)/.exec(t.oldOut())?.[1];
    assert.equal(out, `intact ${vl}\n`);
    assert.deepEqual(exit, { code: 0, signal: null });
  });
});
