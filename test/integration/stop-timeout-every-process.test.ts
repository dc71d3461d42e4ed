import assert from 'node:assert/strict';
import { test } from 'node:test';
import { grep, makeTree, runDinit } from './harness';

test('DINIT_STOP_TIMEOUT=3 SIGKILLs every process at 3 s: program, log/run, term program and a reparented child', { timeout: 90000 }, async () => {
  const dir = makeTree({
    // run's TERM-ignoring background child is orphaned when run ends at the stop's SIGTERM.
    a: {
      run: `sh -c "trap '' TERM; exec sleep 1001" </dev/null >/dev/null 2>&1 & echo started; exec sleep 1000`,
      // A log program that does not exit at the end of its input.
      'log/run': `cat >/dev/null; exec sleep 1002`,
    },
    // A terminate program that stops run, then ignores the SIGTERM it gets once run has ended.
    b: { run: 'exec sleep 1003', terminate: `trap '' TERM; kill "$DINIT_PID"; exec sleep 1004` },
    // A program that ignores SIGTERM.
    c: { run: `trap '' TERM; exec sleep 1005` },
  });
  let signalled = 0;
  let exited = 0;
  const r = await runDinit(dir, {
    env: { DINIT_STOP_TIMEOUT: '3' },
    timeoutMs: 60000,
    during: async (d) => {
      await d.waitFor(/a\/log: running with PID/);
      await d.waitFor(/b\/run: running with PID/);
      await d.waitFor(/c\/run: running with PID/);
      await new Promise((resolve) => setTimeout(resolve, 300));
      d.signal('SIGTERM');
      signalled = Date.now();
      await d.waitFor(/dinit exiting with status/, 45000);
      exited = Date.now();
    },
  });
  const seconds = (exited - signalled) / 1000;
  assert.ok(seconds >= 2.5 && seconds < 15, `dinit exited ${seconds} s after SIGTERM`);
  assert.equal(r.code, 0, r.stderr);
  const sigkills = grep(r.err, 'sending SIGKILL');
  assert.deepEqual(
    [...sigkills].sort(),
    [
      'T dinit: info: a/log: sending SIGKILL to PID <pid>',
      'T dinit: info: b/term: sending SIGKILL to PID <pid>',
      'T dinit: info: c/run: sending SIGKILL to PID <pid>',
      'T dinit: info: sleep/<pid>: sending SIGKILL to PID <pid>',
    ],
    r.stderr,
  );
  const warning = 'still running 3 s after the stop began (DINIT_STOP_TIMEOUT)';
  for (const label of ['a/log', 'b/term', 'c/run', 'sleep/<pid>']) {
    const at = r.err.indexOf(`T dinit: warning: ${label}: ${warning}`);
    assert.ok(at >= 0, `${label}: no deadline warning\n${r.stderr}`);
    assert.equal(r.err[at + 1], `T dinit: info: ${label}: sending SIGKILL to PID <pid>`, r.stderr);
    assert.ok(at > r.err.indexOf('T dinit: info: got signal 15, terminating services'));
  }
  assert.ok(r.err.includes('T dinit: warning: sleep/<pid>: terminating reparented child process with PID <pid>: sleep 1001'), r.stderr);
  assert.ok(r.err.includes('T dinit: info: sleep/<pid>: PID <pid> finished with signal 9'), r.stderr);
  assert.equal(r.err.at(-1), 'T dinit: info: dinit exiting with status 0');
});

test('a process reparented after the deadline passed gets SIGKILL at once', { timeout: 90000 }, async () => {
  // run ignores SIGTERM; its child outlives it only once the deadline has killed run.
  const dir = makeTree({ a: { run: `trap '' TERM; sh -c "trap '' TERM; exec sleep 1001" </dev/null >/dev/null 2>&1 & wait` } });
  let signalled = 0;
  let exited = 0;
  const r = await runDinit(dir, {
    env: { DINIT_STOP_TIMEOUT: '2' },
    timeoutMs: 60000,
    during: async (d) => {
      await d.waitFor(/a\/run: running with PID/);
      await new Promise((resolve) => setTimeout(resolve, 300));
      d.signal('SIGTERM');
      signalled = Date.now();
      await d.waitFor(/dinit exiting with status/, 45000);
      exited = Date.now();
    },
  });
  const seconds = (exited - signalled) / 1000;
  assert.ok(seconds < 12, `dinit exited ${seconds} s after SIGTERM`);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.err.includes('T dinit: info: a/run: sending SIGKILL to PID <pid>'), r.stderr);
  assert.ok(r.err.includes('T dinit: info: sleep/<pid>: sending SIGKILL to PID <pid>'), r.stderr);
  assert.ok(r.err.includes('T dinit: info: sleep/<pid>: PID <pid> finished with signal 9'), r.stderr);
});
