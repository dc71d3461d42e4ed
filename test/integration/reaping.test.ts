import assert from 'node:assert/strict';
import { test } from 'node:test';
import { orphanStormCommand } from './fixtures';
import { SLOWDOWN, grep, makeTree, runDinit } from './harness';

/** Shell snippet printing how many zombie children dinit ($PPID of run) has. */
const countZombies = `z=0; for s in /proc/[0-9]*/status; do
  if grep -q "^PPid:[[:space:]]*$PPID$" "$s" 2>/dev/null && grep -q '^State:[[:space:]]*Z' "$s" 2>/dev/null; then z=$((z+1)); fi
done; echo "zombies=$z" >&2`;

for (const pid1 of [true, false]) {
  const mode = pid1 ? 'as PID 1' : 'as a subreaper';

  test(`terminate policy: a double-forked daemon gets SIGTERM (${mode})`, async () => {
    const dir = makeTree({ app: { run: `(sleep 1000 &); exec sleep 1000` } });
    const r = await runDinit(dir, {
      pid1,
      during: async (d) => {
        await d.waitFor(/sleep\/\d+: PID \d+ finished with signal 15/);
        d.signal('SIGTERM');
      },
    });
    assert.equal(r.code, 0);
    assert.ok(r.err.includes('T dinit: warning: sleep/<pid>: terminating reparented child process with PID <pid>: sleep 1000'), r.stderr);
    assert.ok(r.err.includes('T dinit: info: sleep/<pid>: sending SIGTERM to PID <pid>'));
    assert.ok(r.err.includes('T dinit: info: sleep/<pid>: PID <pid> finished with signal 15'));
  });

  test(`5,000 orphans exiting at once leave no zombie (${mode})`, async () => {
    const dir = makeTree({ storm: { run: `${orphanStormCommand(5000)}; sleep ${2 * SLOWDOWN}; ${countZombies}` } });
    // ignore: the orphans live until released, then all exit at once and must be reaped.
    const env = { DINIT_LOG_LEVEL: 'error', DINIT_REPARENTING_POLICY: 'ignore' };
    const r = await runDinit(dir, { pid1, env, timeoutMs: 90000 });
    assert.equal(r.code, 0);
    assert.ok(r.err.includes('T storm/run: zombies=0'), r.stderr.slice(-2000));
  });
}

test('a daemon ignoring SIGTERM gets SIGKILL after DINIT_KILL_TIMEOUT', async () => {
  const dir = makeTree({ app: { run: `(trap '' TERM; exec sleep 1000) & sleep 3` } });
  const r = await runDinit(dir, { env: { DINIT_KILL_TIMEOUT: '1' } });
  assert.ok(r.err.includes('T dinit: info: sleep/<pid>: sending SIGTERM to PID <pid>'), r.stderr);
  assert.ok(r.err.includes('T dinit: info: sleep/<pid>: sending SIGKILL to PID <pid>'), r.stderr);
  assert.ok(r.err.includes('T dinit: info: sleep/<pid>: PID <pid> finished with signal 9'), r.stderr);
});

test('adopt: an adopted process exiting by itself stops the container with its status', async () => {
  const dir = makeTree({ app: { run: `(sh -c 'sleep 2; exit 4' &); exec sleep 1000` } });
  const r = await runDinit(dir, { env: { DINIT_REPARENTING_POLICY: 'adopt' } });
  assert.equal(r.code, 3);
  assert.ok(r.err.includes("T dinit: warning: sh/<pid>: adopting reparented child process with PID <pid>: sh -c sleep 2; exit 4"), r.stderr);
  assert.ok(r.err.includes('T dinit: info: sh/<pid>: PID <pid> finished with status 4'));
  assert.ok(r.err.includes('T dinit: info: app/run: terminating'));
  assert.ok(r.err.includes('T dinit: info: app/run: PID <pid> finished with signal 15'));
});

test('adopt: on SIGTERM the adopted process is terminated like a program', async () => {
  const dir = makeTree({ app: { run: `(sleep 1000 &); exec sleep 1000` } });
  const r = await runDinit(dir, {
    env: { DINIT_REPARENTING_POLICY: 'adopt' },
    during: async (d) => {
      await d.waitFor(/adopting reparented child process/);
      d.signal('SIGTERM');
    },
  });
  assert.equal(r.code, 0);
  assert.ok(r.err.includes('T dinit: info: sleep/<pid>: terminating'));
  assert.ok(r.err.includes('T dinit: info: sleep/<pid>: sending SIGTERM to PID <pid>'));
  assert.ok(r.err.includes('T dinit: info: sleep/<pid>: PID <pid> finished with signal 15'));
});

test('ignore: live orphans are left alone, zombies are still reaped, all end at stop', async () => {
  const dir = makeTree({
    app: { run: `(sleep 1000 &); (sh -c 'exit 0' &); sleep 0.7; ${countZombies}; exec sleep 1000` },
  });
  const r = await runDinit(dir, {
    env: { DINIT_REPARENTING_POLICY: 'ignore' },
    during: async (d) => {
      await d.waitFor(/zombies=/);
      d.signal('SIGTERM');
    },
  });
  assert.equal(r.code, 0);
  assert.ok(r.err.includes('T app/run: zombies=0'), r.stderr);
  // Only at stop is the live one terminated.
  const stopAt = r.err.indexOf('T dinit: info: got signal 15, terminating services');
  const termAt = r.err.indexOf('T dinit: warning: sleep/<pid>: terminating reparented child process with PID <pid>: sleep 1000');
  assert.ok(stopAt >= 0 && termAt > stopAt, r.stderr);
});

test('a zombie found by the scan is reported with its name, without the empty cmdline', async () => {
  const dir = makeTree({ app: { run: `(sh -c 'exit 0' &); sleep 1.5` } });
  const r = await runDinit(dir, { env: { DINIT_REPARENTING_POLICY: 'ignore' } });
  const reaped = grep(r.err, 'reaping process');
  const finished = grep(r.err, /sh\/<pid>: PID <pid> finished with status 0/);
  // Either the scan met it as a zombie, or (rarely) alive and then reaped when it ended.
  if (reaped.length > 0) assert.deepEqual(reaped, ['T dinit: warning: sh/<pid>: reaping process with PID <pid>']);
  assert.equal(finished.length, 1, r.stderr);
});

test('a process whose parent exits between fork and exec is judged after its exec', async () => {
  // The orphan spends a moment as a copy of the shell before it execs sleep.
  const dir = makeTree({ app: { run: `(i=0; while [ $i -lt 20 ]; do i=$((i+1)); done; exec sleep 1000) & exit 0` } });
  const r = await runDinit(dir, { env: { DINIT_LOG_LEVEL: 'info' } });
  assert.ok(r.err.includes('T dinit: warning: sleep/<pid>: terminating reparented child process with PID <pid>: sleep 1000'), r.stderr);
});
