import assert from 'node:assert/strict';
import { test } from 'node:test';
import { grep, makeTree, runDinit } from './harness';

test('DINIT_FORWARD_SIGNALS passes HUP and USR1 to every running program', async () => {
  const handler = (name: string) => `trap 'echo "${name} got $1" >&2' HUP USR1; trap 'exit 0' TERM; while :; do sleep 0.05; done`;
  const dir = makeTree({
    a: { run: handler('a').replace('$1', 'signal') },
    b: { run: handler('b').replace('$1', 'signal') },
  });
  const r = await runDinit(dir, {
    env: { DINIT_FORWARD_SIGNALS: 'hup, SIGUSR1' },
    during: async (d) => {
      await d.waitFor(/a\/run: running with PID/);
      await d.waitFor(/b\/run: running with PID/);
      await new Promise((resolve) => setTimeout(resolve, 200));
      d.signal('SIGHUP');
      await d.waitFor(/a\/run: a got signal/);
      await d.waitFor(/b\/run: b got signal/);
      d.signal('SIGTERM');
    },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.err.includes('T dinit: info: got signal SIGHUP, forwarding it to 2 programs'), r.stderr);
  assert.ok(r.err.includes('T dinit: info: a/run: sending SIGHUP to PID <pid>'));
});

test('an invalid DINIT_FORWARD_SIGNALS is refused', async () => {
  const r = await runDinit(makeTree({ a: { run: 'true' } }), { env: { DINIT_FORWARD_SIGNALS: 'HUP,TERM' } });
  assert.equal(r.code, 1);
  assert.match(r.err[0], /^T dinit: error: invalid forward signals HUP,TERM: /);
});

test('DINIT_STOP_TIMEOUT: programs still running after it get SIGKILL, logs flushed, status 0 on SIGTERM', async () => {
  const dir = makeTree({ stubborn: { run: `trap 'echo "ignoring TERM" >&2' TERM; while :; do sleep 0.05; done` } });
  const r = await runDinit(dir, {
    env: { DINIT_STOP_TIMEOUT: '1' },
    during: async (d) => {
      await d.waitFor(/stubborn\/run: running with PID/);
      await new Promise((resolve) => setTimeout(resolve, 100));
      d.signal('SIGTERM');
    },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.err.includes('T stubborn/run: ignoring TERM'));
  assert.ok(r.err.includes('T dinit: warning: stubborn/run: still running 1 s after the stop began (DINIT_STOP_TIMEOUT)'), r.stderr);
  assert.ok(r.err.includes('T dinit: info: stubborn/run: sending SIGKILL to PID <pid>'));
  assert.ok(r.err.includes('T dinit: info: stubborn/run: PID <pid> finished with signal 9'));
  assert.equal(r.err.at(-1), 'T dinit: info: dinit exiting with status 0');
});

test('DINIT_STOP_DELAY waits before SIGTERM is sent', async () => {
  const dir = makeTree({ a: { run: 'exec sleep 1000' } });
  let signalled = 0;
  const r = await runDinit(dir, {
    env: { DINIT_STOP_DELAY: '1' },
    during: async (d) => {
      await d.waitFor(/a\/run: running with PID/);
      d.signal('SIGTERM');
      signalled = Date.now();
      await d.waitFor(/a\/run: sending SIGTERM/);
      assert.ok(Date.now() - signalled >= 900, `SIGTERM sent after ${Date.now() - signalled} ms`);
    },
  });
  assert.equal(r.code, 0);
  assert.ok(r.err.includes('T dinit: info: waiting 1 s (DINIT_STOP_DELAY) before stopping programs'));
  assert.equal(grep(r.err, 'sending SIGTERM').length, 1);
});
