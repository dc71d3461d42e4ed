import assert from 'node:assert/strict';
import { test } from 'node:test';
import { grep, makeTree, runDinit } from './harness';

test('a runit finish that exits 0 without stopping run: 2 s later run gets SIGTERM, with a warning saying why', { timeout: 60000 }, async () => {
  const dir = makeTree({ a: { run: 'exec sleep 1000', finish: 'echo cleaning up >&2' } });
  let finished = 0;
  let termAt = 0;
  const r = await runDinit(dir, {
    timeoutMs: 20000,
    during: async (d) => {
      await d.waitFor(/a\/run: running with PID/);
      d.signal('SIGTERM');
      await d.waitFor(/a\/term: PID \d+ finished with status 0/);
      finished = Date.now();
      await d.waitFor(/a\/run: sending SIGTERM/);
      termAt = Date.now();
    },
  });
  assert.equal(r.code, 0, r.stderr);
  const waited = termAt - finished;
  assert.ok(waited >= 1800 && waited < 6000, `SIGTERM ${waited} ms after finish exited`);
  assert.ok(r.err.includes('T a/term: cleaning up'), r.stderr);
  const warning =
    'T dinit: warning: a/term: a/run is still running 2 s after finish exited (runit runs finish after run has stopped, so it does not stop run); sending SIGTERM';
  const at = r.err.indexOf(warning);
  assert.ok(at > 0, r.stderr);
  assert.equal(r.err[at + 1], 'T dinit: info: a/run: sending SIGTERM to PID <pid>');
  assert.ok(r.err.includes('T dinit: info: a/run: PID <pid> finished with signal 15'), r.stderr);
  assert.equal(r.err.at(-1), 'T dinit: info: dinit exiting with status 0');
});

test('a finish that stops run itself: no warning and no SIGTERM from dinit', { timeout: 60000 }, async () => {
  const dir = makeTree({ a: { run: 'exec sleep 1000', finish: 'kill "$DINIT_PID"' } });
  const r = await runDinit(dir, {
    timeoutMs: 20000,
    during: async (d) => {
      await d.waitFor(/a\/run: running with PID/);
      d.signal('SIGTERM');
    },
  });
  assert.equal(r.code, 0, r.stderr);
  // Not to run. (The finish program itself may get one: when run's exit is seen before the
  // finish program's own, it is still running once run has ended — terminate-file's rule.)
  assert.equal(grep(r.err, 'a/run: sending SIGTERM').length, 0, r.stderr);
  assert.equal(grep(r.err, 'finish exited').length, 0, r.stderr);
});
