import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { CLI, grep, makeTree, runDinit } from './harness';
import { spawn } from 'node:child_process';

/**
 * `<svc>/restart` (the built-in `restart`): `run` is started again after 1 s, 2 s, 4 s … up to
 * N times, then the next exit stops the container as without the file. Timings are checked
 * as lower bounds only (from dinit's own timestamps): a loaded machine only makes them longer.
 */

const idle = 'exec sleep 1000';
const TIME = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)/;

/** ms timestamps of the raw stderr lines containing `needle`. */
function times(stderr: string, needle: string): number[] {
  return stderr
    .split('\n')
    .filter((l) => l.includes(needle))
    .map((l) => Date.parse(TIME.exec(l)![1]));
}

test('on-failure N: a failing run is restarted N times with growing delays, then dinit stops with status 3', { timeout: 60000 }, async () => {
  const dir = makeTree({ a: { run: 'exit 2', restart: 'on-failure 2' }, b: { run: idle } });
  fs.writeFileSync(path.join(dir, 'a/restart'), 'on-failure 2\n'); // a plain file (makeTree writes scripts)
  const r = await runDinit(dir, { timeoutMs: 30000 });
  assert.equal(r.code, 3, r.stderr);
  assert.deepEqual(grep(r.err, /a\/run: (restarting|PID <pid> finished|starting)/), [
    'T dinit: info: a/run: starting',
    'T dinit: info: a/run: PID <pid> finished with status 2',
    'T dinit: warning: a/run: restarting in 1 s (restart 1 of 2)',
    'T dinit: info: a/run: starting',
    'T dinit: info: a/run: PID <pid> finished with status 2',
    'T dinit: warning: a/run: restarting in 2 s (restart 2 of 2)',
    'T dinit: info: a/run: starting',
    'T dinit: info: a/run: PID <pid> finished with status 2',
  ]);
  // The last exit stops the container as without the file: b is terminated.
  assert.ok(r.err.includes('T dinit: info: b/run: terminating'));
  assert.equal(r.err.at(-1), 'T dinit: info: dinit exiting with status 3');
  const exits = times(r.stderr, 'a/run: PID');
  const starts = times(r.stderr, 'a/run: starting');
  assert.ok(starts[1] - exits[0] >= 990, `first delay ${starts[1] - exits[0]} ms`);
  assert.ok(starts[2] - exits[1] >= 1990, `second delay ${starts[2] - exits[1]} ms`);
});

test('always: a run exiting 0 is restarted too; once the restarts are used up, exit 0 stops with status 0', { timeout: 60000 }, async () => {
  const dir = makeTree({ a: { run: 'echo once' } });
  fs.writeFileSync(path.join(dir, 'a/restart'), '  always 1  \n');
  const r = await runDinit(dir, { timeoutMs: 30000 });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(grep(r.err, 'a/run: PID <pid> finished with status 0').length, 2);
  assert.deepEqual(grep(r.err, 'restarting'), ['T dinit: warning: a/run: restarting in 1 s (restart 1 of 1)']);
  assert.equal(r.err.at(-1), 'T dinit: info: dinit exiting with status 0');
});

test('on-failure: exit 0 and exit 115 are not restarted; always: 115 is not either', { timeout: 60000 }, async () => {
  const dir = makeTree({ ok: { run: 'exit 0' }, other: { run: idle } });
  fs.writeFileSync(path.join(dir, 'ok/restart'), 'on-failure');
  let r = await runDinit(dir);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(grep(r.err, 'restarting'), []);
  const off = makeTree({ off: { run: 'exit 115' } });
  fs.writeFileSync(path.join(off, 'off/restart'), 'always 3');
  r = await runDinit(off);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.err.includes('T dinit: info: off/run: PID <pid> finished and disabled itself'));
  assert.deepEqual(grep(r.err, 'restarting'), []);
});

test('a run killed by a signal dinit did not send is restarted (on-failure); N = 0 never restarts', { timeout: 60000 }, async () => {
  const dir = makeTree({ a: { run: 'kill -9 $$' } });
  fs.writeFileSync(path.join(dir, 'a/restart'), 'on-failure 1');
  let r = await runDinit(dir, { timeoutMs: 30000 });
  assert.equal(r.code, 3, r.stderr);
  assert.deepEqual(grep(r.err, 'restarting'), ['T dinit: warning: a/run: restarting in 1 s (restart 1 of 1)']);
  assert.equal(grep(r.err, 'finished with signal 9').length, 2);
  fs.writeFileSync(path.join(dir, 'a/restart'), 'on-failure 0');
  r = await runDinit(dir);
  assert.equal(r.code, 3, r.stderr);
  assert.deepEqual(grep(r.err, 'restarting'), []);
});

test('SIGTERM during a pending restart: nothing starts again, dinit exits 0 at once', { timeout: 60000 }, async () => {
  const dir = makeTree({ a: { run: 'exit 1' } });
  fs.writeFileSync(path.join(dir, 'a/restart'), 'on-failure 5');
  let signalled = 0;
  const r = await runDinit(dir, {
    timeoutMs: 30000,
    during: async (d) => {
      // The third restart waits 4 s: signal right after it was announced.
      await d.waitFor(/a\/run: restarting in 4 s \(restart 3 of 5\)/, 20000);
      signalled = Date.now();
      d.signal('SIGTERM');
    },
  });
  const took = Date.now() - signalled;
  assert.equal(r.code, 0, r.stderr);
  assert.ok(took < 3000, `exited ${took} ms after SIGTERM (a pending restart must not hold the exit)`);
  const after = r.err.slice(r.err.indexOf('T dinit: info: got signal 15, terminating services'));
  assert.deepEqual(after, ['T dinit: info: got signal 15, terminating services', 'T dinit: info: dinit exiting with status 0']);
});

test('log/run keeps running across restarts: one log/run pid reads the lines of every run', { timeout: 60000 }, async () => {
  const dir = makeTree({
    a: { run: 'echo "run $$"; exit 3', 'log/run': 'echo "log $$"; while read l; do echo "got $l"; done' },
  });
  fs.writeFileSync(path.join(dir, 'a/restart'), 'on-failure 2');
  const r = await runDinit(dir, { timeoutMs: 30000, env: { DINIT_JSON_STDOUT: '0' } });
  assert.equal(r.code, 3, r.stderr);
  assert.equal(grep(r.err, 'a/log: running with PID').length, 1, r.stderr);
  const logPid = /a\/log: running with PID (\d+)/.exec(r.stderr)![1];
  const runPids = [...r.stderr.matchAll(/a\/run: running with PID (\d+)/g)].map((m) => m[1]);
  assert.equal(runPids.length, 3);
  const got = r.out.filter((l) => l.includes('got run'));
  assert.deepEqual(got.map((l) => l.replace(/^.*got run /, '')), runPids, r.stdout);
  assert.equal(r.out.filter((l) => l.includes(`log ${logPid}`)).length, 1, r.stdout);
  // Only once the restarts are used up does log/run get EOF (and it finishes after the last run).
  assert.ok(r.err.includes('T dinit: info: a/log: PID <pid> finished with status 0'));
  assert.ok(r.err.indexOf('T dinit: info: a/log: PID <pid> finished with status 0') > r.err.lastIndexOf('T dinit: info: a/run: PID <pid> finished with status 3'));
});

test('a bad restart file stops dinit before anything starts (status 1), and dinit check lists it', { timeout: 60000 }, async () => {
  const marker = path.join(os.tmpdir(), `dinit-restart-started-${process.pid}`);
  const dir = makeTree({ a: { run: idle }, b: { run: `touch ${marker}; ${idle}` } });
  fs.writeFileSync(path.join(dir, 'a/restart'), 'sometimes 3\n');
  const r = await runDinit(dir);
  assert.equal(r.code, 1, r.stderr);
  const message = `${dir}/a/restart: invalid restart policy "sometimes 3": expected "on-failure [N]" or "always [N]", N the number of restarts allowed (a whole number, default 5)`;
  assert.deepEqual(r.err, [`T dinit: error: exiting: ${message}`, 'T dinit: info: dinit exiting with status 1']);
  assert.equal(fs.existsSync(marker), false);
  fs.writeFileSync(path.join(dir, 'b/restart'), 'always -1');
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('DINIT_')) delete env[key];
  const c = spawnSync(process.execPath, [CLI, 'check', dir], { env, cwd: dir, encoding: 'utf8', timeout: 20000 });
  assert.equal(c.status, 1, c.stderr);
  assert.deepEqual(c.stdout.split('\n').filter((l) => l !== ''), [
    message,
    `${dir}/b/restart: invalid restart policy "always -1": expected "on-failure [N]" or "always [N]", N the number of restarts allowed (a whole number, default 5)`,
    '2 problems',
  ]);
});

test('nothing is restarted once the stop began: another program\'s exit stops an always service', { timeout: 60000 }, async () => {
  const dir = makeTree({ a: { run: idle }, b: { run: 'sleep 0.3; exit 1' } });
  fs.writeFileSync(path.join(dir, 'a/restart'), 'always');
  const r = await runDinit(dir);
  assert.equal(r.code, 3, r.stderr);
  assert.ok(r.err.includes('T dinit: info: a/run: PID <pid> finished with signal 15'));
  assert.deepEqual(grep(r.err, 'restarting'), []);
});

test('dinit status shows the newest run of a restarted service', { timeout: 60000 }, async () => {
  const marker = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dinit-restart-')), 'failed-once');
  const dir = makeTree({ a: { run: `[ -e ${marker} ] && exec sleep 1000; touch ${marker}; exit 1` } });
  fs.writeFileSync(path.join(dir, 'a/restart'), 'on-failure');
  const socket = `dinit-restart-test-${process.pid}`;
  let report: { healthy: boolean; programs: Array<{ service: string; stage: string; pid: number; state: string }> } | undefined;
  const r = await runDinit(dir, {
    env: { DINIT_STATUS_SOCKET: socket },
    during: async (d) => {
      await d.waitFor(/a\/run: restarting in 1 s/);
      const pids = [...d.stderr().matchAll(/a\/run: running with PID (\d+)/g)].map((m) => Number(m[1]));
      // The second run's pid (bounded by the test's timeout).
      while (pids.length < 2) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        pids.splice(0, pids.length, ...[...d.stderr().matchAll(/a\/run: running with PID (\d+)/g)].map((m) => Number(m[1])));
      }
      const env: NodeJS.ProcessEnv = { ...process.env, DINIT_STATUS_SOCKET: socket };
      const child = spawn(process.execPath, [CLI, 'status', '--json'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (chunk) => (out += chunk));
      await new Promise((resolve) => child.on('close', resolve));
      report = JSON.parse(out);
      assert.equal(report!.programs.filter((p) => p.service === 'a' && p.stage === 'run').length, 1, out);
      const run = report!.programs.find((p) => p.service === 'a' && p.stage === 'run')!;
      assert.equal(run.pid, pids[1], out);
      assert.equal(run.state, 'running');
      assert.equal(report!.healthy, true);
      d.signal('SIGTERM');
    },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(report);
});

test('a pending restart counts as a running program: another program disabling itself does not stop the container', { timeout: 60000 }, async () => {
  const dir = makeTree({ a: { run: 'exit 1' }, off: { run: 'sleep 0.3; exit 115' } });
  fs.writeFileSync(path.join(dir, 'a/restart'), 'on-failure 1');
  const r = await runDinit(dir, { timeoutMs: 30000 });
  assert.equal(r.code, 3, r.stderr);
  assert.ok(r.err.includes('T dinit: info: off/run: PID <pid> finished and disabled itself'));
  assert.equal(grep(r.err, 'a/run: PID <pid> finished with status 1').length, 2, r.stderr);
});

test('log/run exiting while a restart is pending stops the container; the restart is cancelled', { timeout: 60000 }, async () => {
  const dir = makeTree({ a: { run: 'exit 1', 'log/run': 'sleep 0.3; exit 0' } });
  fs.writeFileSync(path.join(dir, 'a/restart'), 'on-failure');
  const r = await runDinit(dir, { timeoutMs: 30000 });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(grep(r.err, 'a/run: starting').length, 1, r.stderr);
  assert.deepEqual(r.err.slice(-2), ['T dinit: info: a/log: PID <pid> finished with status 0', 'T dinit: info: dinit exiting with status 0']);
});
