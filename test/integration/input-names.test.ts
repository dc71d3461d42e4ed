import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { CLI, grep, makeTree, runDinit } from './harness';

/**
 * Service folder names are bytes (issue 13, item 12): a Latin-1 `caf\xe9` folder is a service
 * that runs with its own folder as cwd, is named `caf\xe9` in every log line (JSON too), and
 * leaks no fd into its programs; `dinit check` handles it too.
 */

const LATIN1 = Buffer.from([0x63, 0x61, 0x66, 0xe9]); // "café" in Latin-1: not UTF-8

/** Creates `<root>/<name bytes>/<file>` with `text` (executable). */
function put(root: string, name: Buffer, file: string, text: string): void {
  const dir = Buffer.concat([Buffer.from(`${root}/`), name]);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(Buffer.concat([dir, Buffer.from(`/${file}`)]), `#!/bin/sh\n${text}\n`, { mode: 0o755 });
}

const RUN = [
  'cat ./marker >&2',
  // Any fd of this shell that is a directory would be one dinit leaked (dinit holds the folder open).
  'for f in /proc/$$/fd/*; do [ -d "$f" ] && echo "leaked directory fd $f" >&2; done',
  `echo '{"hello":1}'`,
].join('\n');

test('a service folder whose name is not UTF-8 runs, in its own folder, named with escapes', { timeout: 60000 }, async () => {
  // café waits: the container stops when caf\xe9's run has done its work and exits.
  const root = makeTree({ 'café': { run: 'echo utf8-ok >&2; touch ../ready; exec sleep 1000' } });
  put(root, LATIN1, 'run', `${RUN}\nwhile [ ! -e ../ready ]; do sleep 0.05; done`);
  fs.writeFileSync(Buffer.concat([Buffer.from(`${root}/`), LATIN1, Buffer.from('/marker')]), 'marker-ok\n');
  // A plain file with a non-UTF-8 name is skipped, as any file.
  fs.writeFileSync(Buffer.concat([Buffer.from(`${root}/`), Buffer.from([0x52, 0xff])]), 'not a service');
  const r = await runDinit(root, { timeoutMs: 30000 });
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /\uFFFD|no such file/);
  assert.deepEqual(grep(r.err, 'caf\\xe9/'), [
    'T dinit: info: caf\\xe9/run: starting',
    'T dinit: info: caf\\xe9/run: running with PID <pid>',
    'T caf\\xe9/run: marker-ok',
    'T dinit: info: caf\\xe9/run: PID <pid> finished with status 0',
  ]);
  assert.ok(r.err.includes('T café/run: utf8-ok'), r.stderr);
  assert.deepEqual(grep(r.err, 'leaked'), []);
  assert.equal(r.out.length, 1);
  const record = JSON.parse(r.out[0]) as Record<string, unknown>;
  assert.equal(record.service, 'caf\\xe9');
  assert.equal(record.hello, 1);
});

test('dinit check: a non-UTF-8 service is checked and named with escapes', { timeout: 60000 }, () => {
  const root = makeTree({ ok: { run: 'exit 0' } });
  put(root, LATIN1, 'run', 'exit 0');
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'dinit-names-cwd-'));
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('DINIT_')) delete env[key];
  let r = spawnSync(process.execPath, [CLI, 'check', '-v', root], { env, cwd, encoding: 'utf8', timeout: 20000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.ok(r.stdout.includes(`note: ${root}/caf\\xe9: ok\n`), r.stdout);
  assert.match(r.stdout, /ok: 2 services\n$/);
  // Broken: no run file, and a `log` that is a file.
  put(root, Buffer.from([0x78, 0xfe]), 'log', 'not a folder');
  r = spawnSync(process.execPath, [CLI, 'check', root], { env, cwd, encoding: 'utf8', timeout: 20000 });
  assert.equal(r.status, 1);
  assert.deepEqual(r.stdout.split('\n').filter((l) => l !== ''), [
    `${root}/x\\xfe/run: not found (every service needs an executable run file)`,
    `${root}/x\\xfe/log: not a directory (a log program goes in log/run)`,
    '2 problems',
  ]);
  // dinit itself refuses the same tree with the same escaped path.
});

test('a non-UTF-8 service with log/run and terminate: every program of it runs; a broken one is refused by name', { timeout: 60000 }, async () => {
  const root = makeTree({});
  put(root, LATIN1, 'run', 'echo from-run; exec sleep 1000');
  put(root, Buffer.concat([LATIN1, Buffer.from('/log')]), 'run', 'while read l; do echo "logged $l" >&2; done');
  put(root, LATIN1, 'terminate', 'echo term-ran >&2; kill $DINIT_PID');
  const r = await runDinit(root, {
    timeoutMs: 30000,
    during: async (d) => {
      await d.waitFor(/logged from-run/);
      d.signal('SIGTERM');
    },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.err.includes('T caf\\xe9/log: logged from-run'), r.stderr);
  assert.ok(r.err.includes('T caf\\xe9/term: term-ran'), r.stderr);
  const broken = makeTree({});
  put(broken, LATIN1, 'finish', 'exit 0');
  const b = await runDinit(broken, { timeoutMs: 20000 });
  assert.equal(b.code, 1);
  assert.deepEqual(grep(b.err, 'error'), [`T dinit: error: exiting: ${broken}/caf\\xe9/run: not found (every service needs an executable run file)`]);
});
