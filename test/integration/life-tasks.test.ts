import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { CLI, grep, makeTree, runDinit, trustedCopy, trustedTmp } from './harness';

/**
 * Init and finish tasks (the built-in `tasks`): DINIT_INIT_DIR's executables run one at a time
 * before any program, DINIT_FINISH_DIR's after every program has exited. Task folders are code
 * run as root: they live in trusted folders (trustedTmp), as they must in an image.
 */

const idle = 'exec sleep 1000';

/** A trusted folder of task scripts (name → script body; made executable). */
function taskDir(tasks: Record<string, string>, mode = 0o755): string {
  const dir = trustedTmp('dinit-tasks-');
  for (const [name, body] of Object.entries(tasks)) {
    fs.writeFileSync(path.join(dir, name), body.startsWith('#!') ? body : `#!/bin/sh\n${body}\n`, { mode });
  }
  return dir;
}

test('init tasks run one at a time in byte order before any program, in their folder, stdin /dev/null, logged as <file>/init', { timeout: 60000 }, async () => {
  const init = taskDir({
    'b-second': 'echo "second in $(pwd)"; read x || echo "stdin is empty"',
    'B-first': 'sleep 0.2; echo first',
    '.hidden': 'echo hidden',
  });
  const dir = makeTree({ a: { run: 'echo program; exit 0' } });
  const r = await runDinit(dir, { env: { DINIT_INIT_DIR: init, DINIT_JSON_STDOUT: '0' } });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.out, ['T B-first/init: first', `T b-second/init: second in ${init}`, 'T b-second/init: stdin is empty', 'T a/run: program']);
  assert.deepEqual(r.err.slice(0, 7), [
    'T dinit: info: B-first/init: starting',
    'T dinit: info: B-first/init: running with PID <pid>',
    'T dinit: info: B-first/init: PID <pid> finished with status 0',
    'T dinit: info: b-second/init: starting',
    'T dinit: info: b-second/init: running with PID <pid>',
    'T dinit: info: b-second/init: PID <pid> finished with status 0',
    'T dinit: info: a/run: starting',
  ]);
  assert.deepEqual(grep(r.out, 'hidden'), []);
});

test('a failing init task stops dinit with status 1 before any program starts; later tasks do not run', { timeout: 60000 }, async () => {
  const marker = path.join(os.tmpdir(), `dinit-tasks-started-${process.pid}`);
  const init = taskDir({ '10-migrate': 'echo migrating; exit 2', '20-never': `touch ${marker}` });
  const dir = makeTree({ a: { run: `touch ${marker}; ${idle}` } });
  const r = await runDinit(dir, { env: { DINIT_INIT_DIR: init } });
  assert.equal(r.code, 1, r.stderr);
  assert.deepEqual(r.err.slice(-3), [
    'T dinit: info: 10-migrate/init: PID <pid> finished with status 2',
    'T dinit: error: exiting: 10-migrate/init: init task failed with status 2; no program was started',
    'T dinit: info: dinit exiting with status 1',
  ]);
  assert.equal(fs.existsSync(marker), false);
  assert.deepEqual(grep(r.err, 'a/run'), []);
});

test('SIGTERM during the init phase stops the running task, starts nothing and exits 0', { timeout: 60000 }, async () => {
  const init = taskDir({ '10-slow': idle, '20-never': 'echo never' });
  const dir = makeTree({ a: { run: idle } });
  const r = await runDinit(dir, {
    env: { DINIT_INIT_DIR: init },
    during: async (d) => {
      await d.waitFor(/10-slow\/init: running with PID/);
      d.signal('SIGTERM');
    },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.err.includes('T dinit: info: 10-slow/init: sending SIGTERM to PID <pid>'), r.stderr);
  assert.ok(r.err.includes('T dinit: info: 10-slow/init: PID <pid> finished with signal 15'));
  assert.deepEqual(grep(r.err, /a\/run|20-never/), []);
  assert.equal(r.err.at(-1), 'T dinit: info: dinit exiting with status 0');
});

test('an init task ignoring SIGTERM gets SIGKILL at DINIT_STOP_TIMEOUT; nothing starts, status 0', { timeout: 60000 }, async () => {
  const init = taskDir({ '10-stubborn': "trap '' TERM; while :; do sleep 0.1; done" });
  const dir = makeTree({ a: { run: idle } });
  const r = await runDinit(dir, {
    env: { DINIT_INIT_DIR: init, DINIT_STOP_TIMEOUT: '1' },
    timeoutMs: 20000,
    during: async (d) => {
      await d.waitFor(/10-stubborn\/init: running with PID/);
      d.signal('SIGTERM');
    },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.err.includes('T dinit: warning: 10-stubborn/init: still running 1 s after the stop began (DINIT_STOP_TIMEOUT)'), r.stderr);
  assert.ok(r.err.includes('T dinit: info: 10-stubborn/init: PID <pid> finished with signal 9'));
  assert.deepEqual(grep(r.err, 'a/run'), []);
});

test('without DINIT_STOP_TIMEOUT a slow finish task is waited for and reported every 10 s', { timeout: 60000 }, async () => {
  const finish = taskDir({ '10-slow': 'sleep 10.5' });
  const r = await runDinit(makeTree({ a: { run: 'exit 0' } }), { env: { DINIT_FINISH_DIR: finish }, timeoutMs: 30000 });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.err.includes('T dinit: warning: 10-slow/finish: PID <pid> still running 10 s after it started, waiting'), r.stderr);
  assert.deepEqual(r.err.slice(-2), ['T dinit: info: 10-slow/finish: PID <pid> finished with status 0', 'T dinit: info: dinit exiting with status 0']);
});

test('finish tasks run after every program has exited, before dinit exits; their failure is a warning only', { timeout: 60000 }, async () => {
  const finish = taskDir({ '10-report': 'echo "cleaning up"; exit 4', '20-next': 'echo next' });
  const dir = makeTree({ a: { run: 'exit 0' }, b: { run: idle } });
  const r = await runDinit(dir, { env: { DINIT_FINISH_DIR: finish, DINIT_JSON_STDOUT: '0' } });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.out, ['T 10-report/finish: cleaning up', 'T 20-next/finish: next']);
  const tail = r.err.slice(r.err.indexOf('T dinit: info: b/run: PID <pid> finished with signal 15'));
  assert.deepEqual(tail, [
    'T dinit: info: b/run: PID <pid> finished with signal 15',
    'T dinit: info: 10-report/finish: starting',
    'T dinit: info: 10-report/finish: running with PID <pid>',
    'T dinit: info: 10-report/finish: PID <pid> finished with status 4',
    'T dinit: warning: 10-report/finish: finish task failed with status 4',
    'T dinit: info: 20-next/finish: starting',
    'T dinit: info: 20-next/finish: running with PID <pid>',
    'T dinit: info: 20-next/finish: PID <pid> finished with status 0',
    'T dinit: info: dinit exiting with status 0',
  ]);
});

test('finish tasks keep a failing exit status, and DINIT_STOP_TIMEOUT bounds them', { timeout: 60000 }, async () => {
  const finish = taskDir({ '10-hang': idle, '20-after': 'echo after' });
  const dir = makeTree({ a: { run: 'exit 2' } });
  const started = Date.now();
  const r = await runDinit(dir, { env: { DINIT_FINISH_DIR: finish, DINIT_STOP_TIMEOUT: '1' }, timeoutMs: 20000 });
  assert.equal(r.code, 3, r.stderr);
  assert.ok(Date.now() - started < 10000);
  assert.ok(r.err.includes('T dinit: warning: 10-hang/finish: still running 1 s after the stop began (DINIT_STOP_TIMEOUT)'), r.stderr);
  assert.ok(r.err.includes('T dinit: info: 10-hang/finish: PID <pid> finished with signal 9'));
  assert.ok(r.err.includes('T dinit: warning: 20-after/finish: not run: DINIT_STOP_TIMEOUT (1 s) has passed'));
  assert.equal(r.err.at(-1), 'T dinit: info: dinit exiting with status 3');
});

test('bad task folders: a non-executable task or an untrusted folder is a start-up error and a dinit check problem', { timeout: 60000 }, async () => {
  const marker = path.join(os.tmpdir(), `dinit-tasks-bad-${process.pid}`);
  const init = taskDir({ README: 'not a program' }, 0o644);
  const finish = taskDir({ '10-ok': 'true' });
  fs.chmodSync(finish, 0o775);
  const dir = makeTree({ a: { run: `touch ${marker}; ${idle}` } });
  const r = await runDinit(dir, { env: { DINIT_INIT_DIR: init, DINIT_FINISH_DIR: finish } });
  assert.equal(r.code, 1, r.stderr);
  const notExecutable = `${init}/README: not executable (mode 0644; chmod +x it)`;
  const refused = `${finish}/10-ok: refused: folder ${finish} is writable by its group (mode 0775); as root, dinit runs only tasks that no other user can change (docs/security.md)`;
  assert.deepEqual(r.err, [`T dinit: error: exiting: ${notExecutable} (and 1 more: "dinit check" lists them all)`, 'T dinit: info: dinit exiting with status 1']);
  assert.equal(fs.existsSync(marker), false);
  const env: NodeJS.ProcessEnv = { ...process.env, DINIT_INIT_DIR: init, DINIT_FINISH_DIR: finish };
  for (const key of Object.keys(env)) if (key.startsWith('DINIT_') && !['DINIT_INIT_DIR', 'DINIT_FINISH_DIR'].includes(key)) delete env[key];
  const c = spawnSync(process.execPath, [CLI, 'check', dir], { env, cwd: dir, encoding: 'utf8', timeout: 20000 });
  assert.equal(c.status, 1, c.stderr);
  assert.deepEqual(c.stdout.split('\n').filter((l) => l !== ''), [notExecutable, refused, '2 problems']);
  // A folder that does not exist holds no tasks: nothing to report.
  const ok = spawnSync(process.execPath, [CLI, 'check', '-v', dir], { env: { ...env, DINIT_INIT_DIR: '/nonexistent/init.d', DINIT_FINISH_DIR: '/nonexistent/finish.d' }, cwd: dir, encoding: 'utf8', timeout: 20000 });
  assert.equal(ok.status, 0, ok.stdout);
});

test('examples/migrations: the migration init task runs before the app, and applies nothing twice', { timeout: 60000 }, async () => {
  const example = trustedCopy(path.resolve(__dirname, '../../examples/migrations'));
  const state = trustedTmp('dinit-migrations-state-');
  const env = {
    DINIT_INIT_DIR: path.join(example, 'init.d'),
    DINIT_FINISH_DIR: '/nonexistent/finish.d',
    APP_MIGRATIONS: path.join(example, 'migrations'),
    APP_STATE: state,
  };
  const start = () =>
    runDinit(path.join(example, 'services'), {
      env,
      during: async (d) => {
        await d.waitFor(/"msg":"app serving"/);
        d.signal('SIGTERM');
      },
    });
  let r = await start();
  assert.equal(r.code, 0, r.stderr);
  const fields = (line: string) => {
    const { logged: _, ...rest } = JSON.parse(line) as Record<string, unknown>;
    return rest;
  };
  assert.deepEqual(r.stdout.split('\n').filter(Boolean).map(fields), [
    { msg: 'applying migration', migration: '1_create_users.sql', service: '10-migrate', stage: 'init' },
    { msg: 'applying migration', migration: '2_add_email.sql', service: '10-migrate', stage: 'init' },
    { msg: 'schema up to date', version: 2, applied: 2, service: '10-migrate', stage: 'init' },
    { msg: 'app serving', schema: 2, service: 'app', stage: 'run' },
  ]);
  r = await start();
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.split('\n').filter(Boolean).map(fields).slice(0, 1), [
    { msg: 'schema up to date', version: 2, applied: 0, service: '10-migrate', stage: 'init' },
  ]);
});
