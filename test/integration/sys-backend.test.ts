import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeTree, runDinit } from './harness';

// This file runs twice in `npm test`: as is, and with DINIT_SYS_BACKEND=koffi.
const forced = process.env.DINIT_SYS_BACKEND === 'koffi';

test(`native calls resolve to ${forced ? 'koffi for every call' : 'posix-node where it has them'}`, async () => {
  const r = await runDinit(makeTree({ a: { run: '(sleep 1000 &); (true &); sleep 0.5' } }), { env: { DINIT_LOG_LEVEL: 'trace' } });
  assert.equal(r.code, 0, r.stderr);
  const expected = forced
    ? 'T dinit: trace: native calls: waitpid via koffi, peekExited via koffi, pipe via koffi, setChildSubreaper via koffi'
    : 'T dinit: trace: native calls: waitpid via posix-node, peekExited via koffi, pipe via posix-node, setChildSubreaper via koffi';
  assert.ok(r.err.includes(expected), r.stderr);
  // The orphan was terminated and reaped through the selected backend.
  assert.ok(r.err.includes('T dinit: info: sleep/<pid>: PID <pid> finished with signal 15'), r.stderr);
});

test('as a subreaper, prctl goes through koffi on every backend', async () => {
  const r = await runDinit(makeTree({ a: { run: '(sleep 1000 &); sleep 0.5' } }), { pid1: false });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.err.includes('T dinit: info: sleep/<pid>: PID <pid> finished with signal 15'), r.stderr);
});

test('an unknown backend is refused at start-up', async () => {
  const r = await runDinit(makeTree({ a: { run: 'true' } }), { env: { DINIT_SYS_BACKEND: 'zig' } });
  assert.equal(r.code, 1);
  assert.deepEqual(r.err, ['T dinit: error: exiting: invalid sys backend zig: must be koffi or posix-node']);
});
