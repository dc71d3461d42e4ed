import assert from 'node:assert/strict';
import { test } from 'node:test';
import { libcCandidates } from '../../../src/sys/libc';
import { resolveSys } from '../../../src/sys';
import { decodeWaitStatus } from '../../../src/sys/wait-status';

test('posix-node serves what it has; koffi the rest; forcing koffi moves every call', () => {
  assert.deepEqual(resolveSys(undefined).backends, { waitpid: 'posix-node', peekExited: 'koffi', pipe: 'posix-node', setChildSubreaper: 'koffi' });
  assert.deepEqual(resolveSys('koffi').backends, { waitpid: 'koffi', peekExited: 'koffi', pipe: 'koffi', setChildSubreaper: 'koffi' });
});

test('a call neither backend can serve is named at start-up', () => {
  assert.throws(() => resolveSys('posix-node'), { message: 'native call peekExited is not available from posix-node' });
  assert.throws(() => resolveSys('wasm'), /invalid sys backend wasm/);
});

test('both backends give the same answers for pipe and waitpid', () => {
  for (const forced of [undefined, 'koffi']) {
    const { calls } = resolveSys(forced);
    const [r, w] = calls.pipe();
    assert.ok(r > 2 && w > 2 && r !== w);
    const fs = require('node:fs');
    fs.writeSync(w, 'x');
    assert.equal(fs.readSync(r, Buffer.alloc(1)), 1);
    fs.closeSync(r);
    fs.closeSync(w);
    // Not our child: ECHILD is reported as undefined by both.
    assert.equal(calls.waitpid(1, true), undefined);
    // No exited child: the peek says 0 on both backends.
    assert.equal(calls.peekExited(), 0);
  }
});

test('wait statuses decode as the kernel encodes them', () => {
  assert.deepEqual(decodeWaitStatus(3 << 8), { code: 3, signal: null });
  assert.deepEqual(decodeWaitStatus(9), { code: null, signal: 9 });
  assert.deepEqual(decodeWaitStatus(15 | 0x80), { code: null, signal: 15 }, 'core dump bit ignored');
});

test('the C library candidates put glibc first on glibc', () => {
  assert.equal(libcCandidates()[0], 'libc.so.6');
});
