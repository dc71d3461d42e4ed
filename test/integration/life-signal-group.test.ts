import assert from 'node:assert/strict';
import { test } from 'node:test';
import { grep, makeTree, runDinit } from './harness';

// DINIT_SIGNAL_GROUP=1: dinit's signals go to the program's whole process group (tini -g).

const T = { timeout: 90000 };
/** A run shell that does not exec: its child says on stderr which signal reached it. */
const NO_EXEC = `sh -c 'trap "echo child got TERM >&2; exit 0" TERM; trap "echo child got HUP >&2" HUP; echo child up >&2; while :; do sleep 0.05; done' &\nwait`;

for (const group of ['0', '1']) {
  test(`DINIT_SIGNAL_GROUP=${group}: the child of a run shell that does not exec ${group === '1' ? 'gets SIGTERM directly' : 'is orphaned, then terminated as a reparented process'}`, T, async () => {
    const dir = makeTree({ app: { run: NO_EXEC } });
    const r = await runDinit(dir, {
      env: { DINIT_SIGNAL_GROUP: group },
      timeoutMs: 30000,
      during: async (d) => {
        await d.waitFor(/app\/run: child up/);
        d.signal('SIGTERM');
      },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.err.includes('T dinit: info: app/run: sending SIGTERM to PID <pid>'), r.stderr);
    assert.ok(r.err.includes('T app/run: child got TERM'), r.stderr);
    const reparented = grep(r.err, 'terminating reparented child process');
    if (group === '1') assert.deepEqual(reparented, [], r.stderr);
    else assert.equal(reparented.length, 1, r.stderr);
    assert.equal(r.err.at(-1), 'T dinit: info: dinit exiting with status 0');
  });
}

test('DINIT_SIGNAL_GROUP=1: forwarded signals and the stop deadline SIGKILL reach the whole group too', T, async () => {
  // Both shells survive TERM and HUP (traps, not ignores: a child could not trap an ignored signal):
  // only the stop deadline's SIGKILL ends them.
  const dir = makeTree({
    app: { run: `trap : TERM HUP\nsh -c 'trap "echo child got HUP >&2" HUP; trap : TERM; echo child up >&2; while :; do sleep 0.05; done' &\nwhile :; do wait; done` },
  });
  const r = await runDinit(dir, {
    env: { DINIT_SIGNAL_GROUP: '1', DINIT_FORWARD_SIGNALS: 'HUP', DINIT_STOP_TIMEOUT: '1' },
    timeoutMs: 30000,
    during: async (d) => {
      await d.waitFor(/app\/run: child up/);
      d.signal('SIGHUP');
      await d.waitFor(/app\/run: child got HUP/);
      d.signal('SIGTERM');
    },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.err.includes('T dinit: info: app/run: sending SIGHUP to PID <pid>'), r.stderr);
  assert.ok(r.err.includes('T dinit: info: app/run: sending SIGKILL to PID <pid>'), r.stderr);
  assert.ok(r.err.includes('T dinit: info: app/run: PID <pid> finished with signal 9'), r.stderr);
  // The child died with the group's SIGKILL: nothing was left to be reparented and terminated.
  assert.deepEqual(grep(r.err, 'reparented'), [], r.stderr);
});

test('DINIT_SIGNAL_GROUP=yes is a config error naming the variable (exit 1)', T, async () => {
  const dir = makeTree({ app: { run: 'exec sleep 1000' } });
  const r = await runDinit(dir, { env: { DINIT_SIGNAL_GROUP: 'yes' }, timeoutMs: 20000 });
  assert.equal(r.code, 1, r.stderr);
  assert.deepEqual(r.err, ['T dinit: error: invalid signal group yes: DINIT_SIGNAL_GROUP must be 0 or 1']);
});
