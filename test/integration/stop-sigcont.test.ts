import assert from 'node:assert/strict';
import { test } from 'node:test';
import { grep, makeTree, runDinit } from './harness';

test('a program stopped with SIGSTOP gets SIGCONT after the stop SIGTERM, so it ends; SIGCONT is logged at trace only', { timeout: 60000 }, async () => {
  // The shell stops itself; SIGTERM stays pending until a SIGCONT lets it act.
  const dir = makeTree({ a: { run: 'echo stopping myself >&2; kill -STOP $$; exec sleep 1000' } });
  for (const level of ['info', 'trace']) {
    const r = await runDinit(dir, {
      env: { DINIT_LOG_LEVEL: level },
      timeoutMs: 15000,
      during: async (d) => {
        await d.waitFor(/a\/run: stopping myself/);
        await new Promise((resolve) => setTimeout(resolve, 300));
        d.signal('SIGTERM');
      },
    });
    assert.equal(r.code, 0, r.stderr);
    const sent = grep(r.err, /a\/run: sending SIG/);
    if (level === 'info') assert.deepEqual(sent, ['T dinit: info: a/run: sending SIGTERM to PID <pid>'], r.stderr);
    else assert.deepEqual(sent, ['T dinit: info: a/run: sending SIGTERM to PID <pid>', 'T dinit: trace: a/run: sending SIGCONT to PID <pid>'], r.stderr);
    assert.ok(r.err.includes('T dinit: info: a/run: PID <pid> finished with signal 15'), r.stderr);
  }
});

test('a stopped reparented process gets SIGCONT after its SIGTERM too', { timeout: 60000 }, async () => {
  const dir = makeTree({ a: { run: `sh -c 'kill -STOP $$; exec sleep 1001' </dev/null >/dev/null 2>&1 & echo started >&2; exec sleep 1000` } });
  const r = await runDinit(dir, {
    env: { DINIT_LOG_LEVEL: 'trace' },
    timeoutMs: 15000,
    during: async (d) => {
      await d.waitFor(/a\/run: started/);
      await new Promise((resolve) => setTimeout(resolve, 300));
      d.signal('SIGTERM');
    },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.err.includes('T dinit: trace: sh/<pid>: sending SIGCONT to PID <pid>'), r.stderr);
  assert.ok(r.err.includes('T dinit: info: sh/<pid>: PID <pid> finished with signal 15'), r.stderr);
});
