import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { CLI, grep, makeFiles, makeTree, runDinit } from './harness';
import { rows, status, uniqueSocket } from './ready-helpers';

const idle = 'exec sleep 1000';
const T = { timeout: 60000 };

test('a check that passes: logged once as ready, status 0 with READY, its output is no log line', T, async () => {
  const socket = uniqueSocket();
  const dir = makeTree({ a: { run: idle, check: 'echo "pid=$DINIT_PID cwd=$(pwd)"; echo oops >&2; exit 0' }, b: { run: idle } });
  const r = await runDinit(dir, {
    env: { DINIT_STATUS_SOCKET: socket, DINIT_CHECK_INTERVAL: '1', DINIT_LOG_LEVEL: 'info' },
    timeoutMs: 30000,
    during: async (d) => {
      await d.waitFor(/a\/check: ready/);
      await d.waitFor(/b\/run: running with PID/);
      const s = await status([], socket);
      assert.equal(s.code, 0, s.stdout + s.stderr);
      assert.deepEqual(rows(s.stdout), [
        ['SERVICE', 'STAGE', 'PID', 'STATE', 'READY', 'STARTED', 'UPTIME'],
        ['a', 'run', '<pid>', 'running', 'yes', 'T', '<uptime>'],
        ['b', 'run', '<pid>', 'running', 'yes', 'T', '<uptime>'],
        ['ok: 2 services running and ready'],
      ]);
      const j = JSON.parse((await status(['--json'], socket)).stdout);
      const [a, b] = j.programs;
      assert.equal(a.ready, true);
      assert.equal(a.restarts, 0);
      assert.equal(b.ready, true);
      assert.equal(b.check, undefined);
      assert.equal(a.check.detail, 'check passed');
      // Run with the folder as cwd and DINIT_PID = run's pid; stdout and stderr both kept.
      assert.equal(a.check.output, `pid=${a.pid} cwd=${path.join(dir, 'a')}\noops\n`);
      // Two more checks at 1 s: still logged only once.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      d.signal('SIGTERM');
    },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(grep(r.err, 'a/check: ready').length, 1, r.stderr);
  assert.equal(grep([...r.err, ...r.out], 'oops').length, 0, r.stderr);
  // Probes start and exit at debug only.
  assert.equal(grep(r.err, /a\/check: (running with|PID)/).length, 0, r.stderr);
});

test('not ready until the check passes; a change back is a warning; a failing check does not set the exit status', T, async () => {
  const socket = uniqueSocket();
  const dir = makeTree({ a: { run: idle, check: 'if [ -f ok ]; then exit 0; fi; echo "waiting for ok"; exit 1' } });
  const flag = path.join(dir, 'a', 'ok');
  const r = await runDinit(dir, {
    env: { DINIT_STATUS_SOCKET: socket, DINIT_CHECK_INTERVAL: '1', DINIT_LOG_LEVEL: 'debug' },
    timeoutMs: 40000,
    during: async (d) => {
      await d.waitFor(/a\/check: not ready yet: check exited with status 1/);
      const s = await status([], socket);
      assert.equal(s.code, 1, s.stdout + s.stderr);
      assert.deepEqual(rows(s.stdout), [
        ['SERVICE', 'STAGE', 'PID', 'STATE', 'READY', 'STARTED', 'UPTIME'],
        ['a', 'run', '<pid>', 'running', 'no', 'T', '<uptime>'],
        ['not ok: not ready: a/run (check exited with status 1)'],
        ['a/check output:'],
        ['  waiting for ok'],
      ]);
      assert.equal(JSON.parse((await status(['--json'], socket)).stdout).programs[0].ready, false);
      fs.writeFileSync(flag, '');
      await d.waitFor(/a\/check: ready/);
      assert.equal((await status([], socket)).code, 0);
      fs.unlinkSync(flag);
      await d.waitFor(/warning: a\/check: not ready: check exited with status 1/);
      assert.equal((await status([], socket)).code, 1);
      d.signal('SIGTERM');
    },
  });
  assert.equal(r.code, 0, r.stderr);
});

test('a check that hangs is killed after DINIT_CHECK_TIMEOUT; checks never overlap', T, async () => {
  const socket = uniqueSocket();
  const dir = makeTree({ a: { run: idle, check: 'echo started >> ../count; exec sleep 1000' } });
  const r = await runDinit(dir, {
    env: { DINIT_STATUS_SOCKET: socket, DINIT_CHECK_INTERVAL: '1', DINIT_CHECK_TIMEOUT: '2', DINIT_LOG_LEVEL: 'debug' },
    timeoutMs: 40000,
    during: async (d) => {
      await d.waitFor(/a\/check: not ready yet: check timed out after 2 s/, 15000);
      const j = JSON.parse((await status(['--json'], socket)).stdout);
      assert.equal(j.programs[0].check.detail, 'check timed out after 2 s');
      // One check at a time: at most one start per 2 s timeout, not one per 1 s interval.
      const started = fs.readFileSync(path.join(dir, 'count'), 'utf8').split('\n').filter(Boolean).length;
      const elapsed = j.uptimeMs / 1000;
      assert.ok(started <= Math.ceil(elapsed / 2) + 1, `${started} checks in ${elapsed} s`);
      d.signal('SIGTERM');
    },
  });
  assert.equal(r.code, 0, r.stderr);
});

test('a running check is killed when the stop begins: dinit does not wait for it', T, async () => {
  const dir = makeTree({ a: { run: idle, check: 'exec sleep 1000' } });
  let stopAt = 0;
  const r = await runDinit(dir, {
    env: { DINIT_CHECK_TIMEOUT: '600', DINIT_LOG_LEVEL: 'debug' },
    timeoutMs: 30000,
    during: async (d) => {
      await d.waitFor(/a\/check: running with PID/);
      stopAt = Date.now();
      d.signal('SIGTERM');
    },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(Date.now() - stopAt < 10000, 'dinit waited for the check');
  assert.equal(grep(r.err, /a\/check: sending SIGKILL to PID/).length, 1, r.stderr);
});

test('a check that cannot be started is a warning, and the service is not ready', T, async () => {
  const socket = uniqueSocket();
  // Executable, but its interpreter does not exist: exec fails.
  const dir = makeTree({ a: { run: idle } });
  fs.writeFileSync(path.join(dir, 'a', 'check'), '#!/nonexistent/sh\nexit 0\n', { mode: 0o755 });
  const r = await runDinit(dir, {
    env: { DINIT_STATUS_SOCKET: socket, DINIT_CHECK_INTERVAL: '1', DINIT_LOG_LEVEL: 'warn' },
    timeoutMs: 30000,
    during: async (d) => {
      await d.waitFor(/warning: a\/check: cannot run the check: /);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const s = await status([], socket);
      assert.equal(s.code, 1, s.stdout);
      d.signal('SIGTERM');
    },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(grep(r.err, /a\/check: cannot run the check/).length, 1, r.stderr);
});

test('DINIT_CHECK_INTERVAL and DINIT_CHECK_TIMEOUT are validated like the other durations', T, async () => {
  const dir = makeTree({ a: { run: idle } });
  for (const [name, value, words] of [
    ['DINIT_CHECK_INTERVAL', '0', 'check interval'],
    ['DINIT_CHECK_INTERVAL', 'ten', 'check interval'],
    ['DINIT_CHECK_TIMEOUT', '-1', 'check timeout'],
  ]) {
    const r = await runDinit(dir, { env: { [name]: value }, timeoutMs: 20000 });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`invalid ${words} "?${value}"?: ${name} must be whole seconds from 1 to 2147483`));
  }
});

test('dinit check validates check files like run files, and the check variables', T, () => {
  const dir = makeTree({ a: { run: idle, check: 'exit 0' }, b: { run: idle } });
  fs.writeFileSync(path.join(dir, 'b', 'check'), 'exit 0\n', { mode: 0o644 });
  const env: NodeJS.ProcessEnv = { ...process.env, DINIT_CHECK_TIMEOUT: '0', DINIT_METRICS_LISTEN: 'nowhere' };
  for (const key of Object.keys(env)) if (key.startsWith('DINIT_') && !/CHECK_TIMEOUT|METRICS_LISTEN/.test(key)) delete env[key];
  const r = spawnSync(process.execPath, [CLI, 'check', dir], { env, encoding: 'utf8', timeout: 30000 });
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /invalid check timeout 0: DINIT_CHECK_TIMEOUT must be whole seconds from 1 to 2147483/);
  assert.match(r.stdout, /invalid metrics listen address nowhere: DINIT_METRICS_LISTEN expected host:port/);
  assert.match(r.stdout, new RegExp(`${path.join(dir, 'b', 'check')}: not executable \\(mode 0644; chmod \\+x it\\)`));
  assert.doesNotMatch(r.stdout, /\/a\/check/);
});

test('config file keys checkInterval, checkTimeout and metricsListen are validated; good ones are used', T, async () => {
  const dir = makeTree({ a: { run: idle } });
  for (const [config, message] of [
    [{ checkInterval: 0 }, 'key "checkInterval" must be whole seconds from 1 to 2147483 (the longest a timer can wait, about 24 days), got 0'],
    [{ checkTimeout: 1.5 }, 'key "checkTimeout" must be whole seconds from 1 to 2147483 (the longest a timer can wait, about 24 days), got 1.5'],
    [{ metricsListen: 9100 }, 'key "metricsListen" must be a string host:port, got 9100'],
    [{ metricsListen: 'x:0' }, 'key "metricsListen" must be host:port (port 0 is not from 1 to 65535), got "x:0"'],
  ] as const) {
    const files = makeFiles({ 'dinit.config.json': JSON.stringify(config) });
    const env: NodeJS.ProcessEnv = { ...process.env, DINIT_CONFIG: path.join(files, 'dinit.config.json') };
    for (const key of Object.keys(env)) if (key.startsWith('DINIT_') && key !== 'DINIT_CONFIG') delete env[key];
    const r = spawnSync(process.execPath, [CLI, 'check', dir], { env, encoding: 'utf8', timeout: 30000 });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.ok(r.stdout.includes(`config file ${path.join(files, 'dinit.config.json')}: ${message}`), r.stdout);
  }
  // A good file: the interval from the file is used (two checks about a second apart).
  const files = makeFiles({ 'dinit.config.json': JSON.stringify({ checkInterval: 1 }) });
  const tree = makeTree({ a: { run: idle, check: 'date +%s%N >> ../times; exit 0' } });
  await runDinit(tree, {
    env: { DINIT_CONFIG: path.join(files, 'dinit.config.json') },
    timeoutMs: 30000,
    during: async (d) => {
      await d.waitFor(/a\/check: ready/);
      const end = Date.now() + 15000;
      while (Date.now() < end && fs.readFileSync(path.join(tree, 'times'), 'utf8').trim().split('\n').length < 2) await new Promise((resolve) => setTimeout(resolve, 100));
      d.signal('SIGTERM');
    },
  });
  const times = fs.readFileSync(path.join(tree, 'times'), 'utf8').trim().split('\n').map((t) => Number(BigInt(t) / 1000000n));
  assert.ok(times.length >= 2, String(times));
  assert.ok(times[1] - times[0] >= 900 && times[1] - times[0] < 8000, String(times[1] - times[0]));
});
