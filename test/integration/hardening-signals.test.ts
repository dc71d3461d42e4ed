import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';
import { grep, makeTree, runDinit } from './harness';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const idle = 'exec sleep 1000';

test('a burst of 100 SIGTERMs: one stop, each program signalled once, status 0', async () => {
  const r = await runDinit(makeTree({ a: { run: idle }, b: { run: `trap 'sleep 0.2; exit 0' TERM; while :; do sleep 0.05; done` } }), {
    during: async (d) => {
      await d.waitFor(/a\/run: running with PID/);
      await d.waitFor(/b\/run: running with PID/);
      for (let i = 0; i < 100; i++) d.signal('SIGTERM');
    },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(grep(r.err, 'got signal 15, terminating services').length, 1);
  // Standard signals coalesce in the kernel (a pending one absorbs the next): anywhere from none to 99 more are noted.
  assert.ok(grep(r.err, 'got signal 15, already terminating services').length <= 99);
  assert.equal(grep(r.err, 'a/run: sending SIGTERM').length, 1);
  assert.equal(grep(r.err, 'b/run: sending SIGTERM').length, 1);
  assert.equal(r.err.at(-1), 'T dinit: info: dinit exiting with status 0');
});

test('SIGINT then SIGTERM: the first starts the stop, the second is noted, status 0', async () => {
  const r = await runDinit(makeTree({ a: { run: `trap 'sleep 0.3; exit 0' TERM; while :; do sleep 0.05; done` } }), {
    during: async (d) => {
      await d.waitFor(/a\/run: running with PID/);
      d.signal('SIGINT');
      d.signal('SIGTERM');
    },
  });
  assert.equal(r.code, 0, r.stderr);
  // Sent back to back, the two may be handled in either order: one starts the stop, the other is noted.
  const first = r.err.find((l) => /got signal \d+, terminating services/.test(l));
  const second = r.err.find((l) => /got signal \d+, already terminating services/.test(l));
  const numbers = [first, second].map((l) => Number(/got signal (\d+)/.exec(l ?? '')?.[1]));
  assert.deepEqual(numbers.sort((a, b) => a - b), [2, 15], r.stderr);
  assert.equal(grep(r.err, 'a/run: sending SIGTERM').length, 1);
});

/** Whether `pid` has a handler for `signal` (SigCgt in /proc/<pid>/status). */
/** Whether `pid` runs dinit's JavaScript yet (bin/dinit has exec'd Node on dist/cli.js). */
function isNode(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('cli.js');
  } catch {
    return false;
  }
}

function catches(pid: number, signal: number): boolean {
  try {
    const mask = BigInt(`0x${/SigCgt:\s+([0-9a-f]+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]}`);
    return (mask & (1n << BigInt(signal - 1))) !== 0n;
  } catch {
    return false;
  }
}

test('SIGTERM during start-up, before any program runs, is not lost: status 0, nothing left running', async (t) => {
  // The kernel drops a signal to a PID 1 without a handler, so "as early as possible" is the moment
  // dinit's handlers exist; then a few later points while it is still loading. Node's own start-up
  // handler for SIGTERM (restore the tty, re-raise: a no-op for a PID 1) also sets SigCgt bit 15,
  // so the mark is SIGCHLD (17), which cli.ts listens for right after TERM and INT.
  const dir = makeTree({ a: { run: idle }, b: { run: idle } });
  let beforeStart = 0;
  for (const delayMs of [0, 0, 5, 20, 50]) {
    const r = await runDinit(dir, {
      timeoutMs: 15000,
      during: async (d) => {
        // PID 1 is the launcher (sh) first: it catches TERM itself, but the mark is Node's.
        for (let i = 0; i < 5000 && !(isNode(d.pid) && catches(d.pid, 17)); i++) await sleep(1);
        if (delayMs) await sleep(delayMs);
        d.signal('SIGTERM');
      },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.err.includes('T dinit: info: got signal 15, terminating services'), r.stderr);
    // A program started before the signal was handled is stopped like any other.
    for (const name of ['a', 'b']) {
      if (r.err.includes(`T dinit: info: ${name}/run: running with PID <pid>`)) {
        assert.ok(r.err.includes(`T dinit: info: ${name}/run: PID <pid> finished with signal 15`), r.stderr);
      }
    }
    if (grep(r.err, 'running with PID').length === 0) beforeStart++;
  }
  t.diagnostic(`${beforeStart} of 5 SIGTERMs arrived before any program was started`);
  assert.ok(beforeStart >= 1, 'at least the earliest SIGTERM came before the programs started');
});
