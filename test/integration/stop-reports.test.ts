import assert from 'node:assert/strict';
import { test } from 'node:test';
import { grep, makeTree, runDinit } from './harness';

// The report period is 10 s (src/kernel/slow-stop.ts); DINIT_STOP_TIMEOUT=12 ends the wait after the first.
test('every wait of a stop is reported at 10 s: log/run, term program, a run whose terminate did not stop it, an orphan', { timeout: 90000 }, async () => {
  const dir = makeTree({
    // A log program that does not exit at the end of its input.
    a: { run: 'exec sleep 1000', 'log/run': 'cat >/dev/null; exec sleep 1002' },
    // A terminate program that ignores the SIGTERM it gets once run has ended.
    b: { run: 'exec sleep 1003', terminate: `trap '' TERM; kill "$DINIT_PID"; exec sleep 1004` },
    // A terminate program that exits 0 without stopping run (Go dinit's semantics: dinit waits).
    d: { run: 'exec sleep 1007', terminate: 'echo not stopping it >&2' },
    // A TERM-ignoring child of run, orphaned at the stop.
    e: { run: `sh -c "trap '' TERM; exec sleep 1005" </dev/null >/dev/null 2>&1 & exec sleep 1006` },
  });
  const r = await runDinit(dir, {
    env: { DINIT_STOP_TIMEOUT: '12' },
    timeoutMs: 60000,
    during: async (d) => {
      for (const name of ['a/log', 'b/run', 'd/run', 'e/run']) await d.waitFor(new RegExp(`${name}: running with PID`));
      await new Promise((resolve) => setTimeout(resolve, 300));
      d.signal('SIGTERM');
      await d.waitFor(/dinit exiting with status/, 45000);
    },
  });
  assert.equal(r.code, 0, r.stderr);
  const reports = grep(r.err, 'still running 10 s');
  assert.deepEqual(
    [...reports].sort(),
    [
      'T dinit: warning: a/log: PID <pid> still running 10 s after the stop began, waiting',
      'T dinit: warning: b/term: PID <pid> still running 10 s after it started, waiting',
      'T dinit: warning: d/run: PID <pid> still running 10 s after the stop began, waiting',
      'T dinit: warning: sleep/<pid>: PID <pid> still running 10 s after SIGTERM, waiting',
    ],
    r.stderr,
  );
  // A terminate program only starts the stop: d/run gets no SIGTERM from dinit, only the deadline's SIGKILL.
  assert.equal(grep(r.err, 'd/run: sending SIGTERM').length, 0, r.stderr);
  assert.ok(r.err.includes('T dinit: info: d/run: sending SIGKILL to PID <pid>'), r.stderr);
});
