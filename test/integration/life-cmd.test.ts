import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { closed, grep, LAUNCHER, launcherEnv, makeTree, normalise, runDinit, trustedTmp } from './harness';

// CMD mode: `dinit [--] CMD [ARG…]`, a tini replacement with dinit's logs.

const T = { timeout: 90000 };
const NO_TREE = '/nonexistent/dinit-service-tree';

test('dinit -- CMD ARG…: runs CMD from PATH with its args as <basename>/run; its status is dinit\'s; no tree needed', T, async () => {
  const r = await runDinit(NO_TREE, { args: ['--', 'sh', '-c', 'echo "args: $0 $1" >&2; echo to stdout; exit 7', 'one', 'two'], env: { DINIT_JSON_STDOUT: '0' }, timeoutMs: 20000 });
  assert.equal(r.code, 7, r.stderr);
  assert.deepEqual(r.err, [
    'T dinit: info: sh/run: starting',
    'T dinit: info: sh/run: running with PID <pid>',
    'T sh/run: args: one two',
    'T dinit: info: sh/run: PID <pid> finished with status 7',
    'T dinit: info: dinit exiting with status 7',
  ]);
  assert.deepEqual(r.out, ['T sh/run: to stdout']);
});

test('dinit CMD without "--": runs when CMD is in PATH or has a "/"; exit 0 is 0', T, async () => {
  const dir = trustedTmp('dinit-cmd-');
  const script = path.join(dir, 'hello.sh');
  fs.writeFileSync(script, '#!/bin/sh\necho "hello $1" >&2\n', { mode: 0o755 });
  const inPath = await runDinit(NO_TREE, { args: ['true'], timeoutMs: 20000 });
  assert.equal(inPath.code, 0, inPath.stderr);
  assert.ok(inPath.err.includes('T dinit: info: true/run: PID <pid> finished with status 0'), inPath.stderr);
  const relative = await runDinit(NO_TREE, { args: ['./hello.sh', 'there'], cwd: dir, timeoutMs: 20000 });
  assert.equal(relative.code, 0, relative.stderr);
  assert.ok(relative.err.includes('T hello.sh/run: hello there'), relative.stderr);
});

test('CMD killed by a signal: dinit exits 128+n (DINIT_EXIT_CODE=dinit: Go\'s 3)', T, async () => {
  const killed = await runDinit(NO_TREE, { args: ['--', 'sh', '-c', 'kill -KILL $$'], timeoutMs: 20000 });
  assert.equal(killed.code, 137, killed.stderr);
  const exited = await runDinit(NO_TREE, { args: ['--', 'sh', '-c', 'exit 7'], env: { DINIT_EXIT_CODE: 'dinit' }, timeoutMs: 20000 });
  assert.equal(exited.code, 3, exited.stderr);
});

test('CMD reads dinit\'s stdin', T, async () => {
  const env = launcherEnv({ ...process.env, DINIT_DIR: NO_TREE, DINIT_LOG_LEVEL: 'info' });
  const child = spawn('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', LAUNCHER, '--', 'sh', '-c', 'read line; echo "read: $line" >&2'], {
    env,
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const killer = setTimeout(() => child.kill('SIGKILL'), 20000);
  child.stdin!.end('from the terminal\n');
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  await closed(child.stderr!);
  clearTimeout(killer);
  assert.equal(code, 0, stderr);
  assert.ok(normalise(stderr).includes('T sh/run: read: from the terminal'), stderr);
});

test('SIGTERM stops CMD (SIGTERM to it) and dinit exits 0', T, async () => {
  const r = await runDinit(NO_TREE, {
    args: ['--', 'sleep', '1000'],
    timeoutMs: 20000,
    during: async (d) => {
      await d.waitFor(/sleep\/run: running with PID/);
      d.signal('SIGTERM');
    },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.err.includes('T dinit: info: sleep/run: sending SIGTERM to PID <pid>'), r.stderr);
  assert.ok(r.err.includes('T dinit: info: sleep/run: PID <pid> finished with signal 15'), r.stderr);
});

test('CMD together with a service tree: both run; CMD\'s exit stops the tree, with CMD\'s status', T, async () => {
  const dir = makeTree({ web: { run: 'echo web up >&2; exec sleep 1000' } });
  const r = await runDinit(dir, {
    args: ['--', 'sh', '-c', 'sleep 0.5; exit 4'],
    timeoutMs: 20000,
  });
  assert.equal(r.code, 4, r.stderr);
  assert.ok(r.err.includes('T web/run: web up'), r.stderr);
  assert.ok(r.err.includes('T dinit: info: web/run: sending SIGTERM to PID <pid>'), r.stderr);
  assert.equal(r.err.at(-1), 'T dinit: info: dinit exiting with status 4');
});

test('CMD mode: an empty tree is no "no services" stop; a service with CMD\'s name is refused', T, async () => {
  const empty = trustedTmp('dinit-cmd-empty-');
  const r = await runDinit(empty, { args: ['--', 'true'], timeoutMs: 20000 });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(grep(r.err, 'no services'), []);
  const clash = makeTree({ sleep: { run: 'exec sleep 1000' } });
  const c = await runDinit(clash, { args: ['--', 'sleep', '1'], timeoutMs: 20000 });
  assert.equal(c.code, 1, c.stderr);
  assert.deepEqual(grep(c.err, 'starting'), []);
  assert.ok(c.err.includes(`T dinit: error: exiting: sleep/run: the command "sleep" has the name of a service in ${clash}; its log lines could not be told apart`), c.stderr);
});

test('CMD not found: 127, not executable: 126, each with a clear error and nothing started (DINIT_EXIT_CODE=dinit: 1)', T, async () => {
  // The launcher needs `node` on PATH: the folder of the Node under test comes first, as
  // launcherEnv puts it (it is not /usr/bin in the arm64 VM or with the npm Node builds).
  const searched = `${path.dirname(process.execPath)}:/usr/bin:/bin`;
  const missing = await runDinit(NO_TREE, { args: ['--', 'no-such-program-x'], env: { PATH: searched }, timeoutMs: 20000 });
  assert.equal(missing.code, 127, missing.stderr);
  assert.deepEqual(missing.err, [
    `T dinit: error: exiting: no-such-program-x/run: "no-such-program-x" not found in PATH (${searched})`,
    'T dinit: info: dinit exiting with status 127',
  ]);
  const dir = trustedTmp('dinit-cmd-noexec-');
  fs.writeFileSync(path.join(dir, 'plain'), 'echo hi\n', { mode: 0o644 });
  const denied = await runDinit(NO_TREE, { args: ['--', './plain'], cwd: dir, timeoutMs: 20000 });
  // As root, X_OK fails only when no execute bit is set at all: 126, as a shell says.
  assert.equal(denied.code, 126, denied.stderr);
  assert.deepEqual(denied.err, [`T dinit: error: exiting: plain/run: ${path.join(dir, 'plain')} is not executable`, 'T dinit: info: dinit exiting with status 126']);
  const goStatus = await runDinit(NO_TREE, { args: ['--', 'no-such-program-x'], env: { DINIT_EXIT_CODE: 'dinit' }, timeoutMs: 20000 });
  assert.equal(goStatus.code, 1, goStatus.stderr);
  // Without "--", a word that is not found stays a usage error.
  const typo = await runDinit(NO_TREE, { args: ['no-such-program-x'], timeoutMs: 20000 });
  assert.equal(typo.code, 2, typo.stderr);
});

test('"docker exec <c> dinit -- ls" is refused like "docker exec <c> dinit": it would start the tree a second time', T, async () => {
  const marker = path.join(trustedTmp('dinit-cmd-marker-'), 'starts');
  const dir = makeTree({ app: { run: `echo started >> ${marker}; exec sleep 1000` } });
  let second: ReturnType<typeof spawnSync> | undefined;
  const r = await runDinit(dir, {
    args: ['--', 'sleep', '1000'],
    timeoutMs: 40000,
    during: async (d) => {
      await d.waitFor(/app\/run: running with PID/);
      second = spawnSync('nsenter', ['-t', String(d.pid), '-p', '-m', '--', LAUNCHER, '--', 'ls'], {
        env: launcherEnv({ ...process.env, DINIT_DIR: dir, DINIT_STATUS_SOCKET: 'not-the-same' }),
        encoding: 'utf8',
        timeout: 20000,
      });
      d.signal('SIGTERM');
    },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(second!.status, 2, String(second!.stderr));
  assert.equal(second!.stdout, '');
  assert.match(String(second!.stderr), /dinit: error: another dinit already supervises this PID namespace: PID 1 of this PID namespace is dinit \(.*dist\/cli\.js -- sleep 1000\)/);
  assert.equal(fs.readFileSync(marker, 'utf8'), 'started\n');
});
