import assert from 'node:assert/strict';
import { test } from 'node:test';
import { grep, makeFiles, makeTree, runDinit } from './harness';

/**
 * A plugin whose taps of the named hooks never settle (or settle late, after `lateMs`),
 * tapped before every built-in. Config folders are made by makeFiles: root-owned, 0700.
 */
function hangingPlugin(hooks: string[], options: { lateMs?: number; spawnArgv?: string[] } = {}): string {
  const plugin = `
    module.exports = { name: 'hang', apply(kernel) {
      const late = ${options.lateMs ?? -1};
      const argv = ${JSON.stringify(options.spawnArgv ?? null)};
      for (const hook of ${JSON.stringify(hooks)}) {
        kernel.hooks[hook].tapPromise({ name: 'hang', stage: -50 }, (value) => new Promise((resolve) => {
          if (late < 0) return; // never settles
          setTimeout(() => resolve(hook === 'spawn' && argv ? { ...value, argv } : hook === 'spawn' ? value : true), late);
        }));
      }
    } };`;
  return makeFiles({ 'dinit.config.json': JSON.stringify({ plugins: ['./hang.cjs'] }), 'hang.cjs': plugin });
}

const idle = 'exec sleep 1000';

test('a shutdown tap that never settles: after its deadline the program still gets SIGTERM and dinit exits 0', { timeout: 60000 }, async () => {
  const services = makeTree({ a: { run: idle } });
  let signalled = 0;
  let termAfter = 0;
  const r = await runDinit(services, {
    cwd: hangingPlugin(['shutdown']),
    env: { DINIT_CONFIG: '.', DINIT_HOOK_TIMEOUT: '1' },
    timeoutMs: 20000,
    during: async (d) => {
      await d.waitFor(/a\/run: running with PID/);
      d.signal('SIGTERM');
      signalled = Date.now();
      await d.waitFor(/a\/run: sending SIGTERM/);
      termAfter = Date.now() - signalled;
    },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(termAfter >= 900, `SIGTERM after ${termAfter} ms`);
  const missed = 'T dinit: error: plugin hang did not settle in hook shutdown within 1 s; going on without it';
  assert.deepEqual(grep(r.err, 'did not settle'), [missed], r.stderr);
  assert.ok(r.err.indexOf(missed) < r.err.indexOf('T dinit: info: a/run: sending SIGTERM to PID <pid>'), r.stderr);
  assert.ok(r.err.includes('T dinit: info: a/run: PID <pid> finished with signal 15'), r.stderr);
  assert.equal(r.err.at(-1), 'T dinit: info: dinit exiting with status 0');
});

test('an exit tap that never settles: the failed program still stops the container, status 3', { timeout: 60000 }, async () => {
  const services = makeTree({ bad: { run: 'sleep 0.3; exit 3' }, other: { run: idle } });
  const r = await runDinit(services, { cwd: hangingPlugin(['exit']), env: { DINIT_CONFIG: '.', DINIT_HOOK_TIMEOUT: '1' }, timeoutMs: 20000 });
  assert.equal(r.code, 3, r.stderr);
  assert.ok(r.err.includes('T dinit: error: plugin hang did not settle in hook exit within 1 s; going on without it'), r.stderr);
  assert.ok(r.err.includes('T dinit: info: other/run: sending SIGTERM to PID <pid>'), r.stderr);
  assert.equal(r.err.at(-1), 'T dinit: info: dinit exiting with status 3');
});

test('a reparent tap that never settles: the orphan is terminated after the deadline, and dinit exits', { timeout: 60000 }, async () => {
  const services = makeTree({ a: { run: `sh -c 'exec sleep 1001 >/dev/null 2>&1 &'; exec sleep 1000` } });
  const r = await runDinit(services, {
    cwd: hangingPlugin(['reparent']),
    env: { DINIT_CONFIG: '.', DINIT_HOOK_TIMEOUT: '1' },
    timeoutMs: 20000,
    during: async (d) => {
      await d.waitFor(/plugin hang did not settle in hook reparent/, 10000);
      await d.waitFor(/sleep\/\d+: PID \d+ finished with signal 15/, 10000);
      d.signal('SIGTERM');
    },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(grep(r.err, 'did not settle'), ['T dinit: error: plugin hang did not settle in hook reparent within 1 s; going on without it']);
  assert.deepEqual(grep(r.err, 'terminating reparented'), ['T dinit: warning: sleep/<pid>: terminating reparented child process with PID <pid>: sleep 1001']);
  assert.equal(r.err.at(-1), 'T dinit: info: dinit exiting with status 0');
});

test('a tap that settles after its deadline is ignored: the spawn goes on once, with the request unchanged', { timeout: 60000 }, async () => {
  const services = makeTree({ a: { run: 'echo original >&2; sleep 3' } });
  const r = await runDinit(services, {
    cwd: hangingPlugin(['spawn'], { lateMs: 2000, spawnArgv: ['/bin/sh', '-c', 'echo late >&2'] }),
    env: { DINIT_CONFIG: '.', DINIT_HOOK_TIMEOUT: '1' },
    timeoutMs: 20000,
  });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.err.includes('T dinit: error: plugin hang did not settle in hook spawn within 1 s; going on without it'), r.stderr);
  assert.equal(grep(r.err, 'a/run: running with PID').length, 1, r.stderr);
  assert.ok(r.err.includes('T a/run: original'), r.stderr);
  assert.equal(grep(r.err, 'late').length, 0, r.stderr);
});

test('hookTimeouts in the config file sets one hook; a tap may declare its own timeout', { timeout: 60000 }, async () => {
  const services = makeTree({ a: { run: idle } });
  const plugin = `module.exports = { name: 'slow', apply(k) {
    k.hooks.shutdown.tapPromise({ name: 'slow', stage: -50 }, () => new Promise(() => {}));
    k.hooks.shutdown.tapPromise({ name: 'patient', stage: -40, timeout: 1.5 }, () => new Promise(() => {}));
  } };`;
  const cwd = makeFiles({ 'dinit.config.json': JSON.stringify({ hookTimeouts: { shutdown: 0.5 }, plugins: ['./slow.cjs'] }), 'slow.cjs': plugin });
  const r = await runDinit(services, {
    cwd,
    env: { DINIT_CONFIG: '.' },
    timeoutMs: 20000,
    during: async (d) => {
      await d.waitFor(/a\/run: running with PID/);
      d.signal('SIGTERM');
    },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(grep(r.err, 'did not settle'), [
    'T dinit: error: plugin slow did not settle in hook shutdown within 0.5 s; going on without it',
    'T dinit: error: plugin patient did not settle in hook shutdown within 1.5 s; going on without it',
  ]);
});

test('bad hook deadlines are refused with one clear message', { timeout: 60000 }, async () => {
  const services = makeTree({ a: { run: 'echo started >&2' } });
  const cases: Array<[unknown, RegExp]> = [
    [{ hookTimeouts: 5 }, /key "hookTimeouts" must be an object of hook names \(load, spawn, reparent, adopted, exit, shutdown, beforeExit\) to seconds, got 5$/],
    [{ hookTimeouts: { line: 1 } }, /key "hookTimeouts" names unknown hook "line" \(known: load, spawn, reparent, adopted, exit, shutdown, beforeExit\), got \{"line":1\}$/],
    [{ hookTimeouts: { exit: 0 } }, /key "hookTimeouts" sets hook "exit" to 0; each must be a number of seconds above 0 and at most 86400, got \{"exit":0\}$/],
    [{ hookTimeouts: { exit: '5' } }, /key "hookTimeouts" sets hook "exit" to "5"; each must be/],
  ];
  for (const [config, message] of cases) {
    const cwd = makeFiles({ 'dinit.config.json': JSON.stringify(config) });
    const r = await runDinit(services, { cwd, env: { DINIT_CONFIG: '.' } });
    assert.equal(r.code, 1, JSON.stringify(config));
    assert.equal(r.err.length, 1, r.stderr);
    assert.match(r.err[0], new RegExp(`^T dinit: error: config file ${cwd}/dinit\\.config\\.json: ${message.source}`));
  }
  for (const value of ['0', 'x', '86401', '-1']) {
    const r = await runDinit(services, { env: { DINIT_HOOK_TIMEOUT: value } });
    assert.equal(r.code, 1);
    assert.deepEqual(r.err, [`T dinit: error: invalid hook timeout ${value}: expected whole seconds from 1 to 86400`]);
  }
});
