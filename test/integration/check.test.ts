import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { CLI, makeFiles, makeTree, checkoutReadableBy } from './harness';
import { elfHeader, FOREIGN_MACHINE, FOREIGN_NAME, HERE_NAME } from '../fixtures/elf';

/** `dinit check [args]` from an empty folder (no config file found by accident). */
function check(args: string[], options: { env?: Record<string, string>; uid?: number; cwd?: string } = {}) {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  for (const key of Object.keys(env)) if (key.startsWith('DINIT_') && !(options.env && key in options.env)) delete env[key];
  const cwd = options.cwd ?? fs.mkdtempSync(path.join(os.tmpdir(), 'dinit-check-cwd-'));
  fs.chmodSync(cwd, 0o755);
  const r = spawnSync(process.execPath, [CLI, 'check', ...args], { env, cwd, encoding: 'utf8', uid: options.uid, gid: options.uid, timeout: 20000 });
  return { code: r.status, out: r.stdout.split('\n').filter((l) => l !== ''), stderr: r.stderr };
}

const idle = 'exec sleep 1000';

/** A 64-byte ELF header (little endian, 64-bit, executable) for `machine`. */

test('a clean tree: ok and the number of services, status 0', () => {
  const dir = makeTree({ a: { run: idle }, b: { run: idle, 'log/run': 'cat', terminate: 'kill $DINIT_PID' } });
  fs.mkdirSync(path.join(dir, '.hidden'));
  fs.writeFileSync(path.join(dir, 'README'), 'skipped');
  const r = check([dir]);
  assert.deepEqual(r.out, ['ok: 2 services']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
});

test('DINIT_DIR is checked when no folder is given; -v adds notes', () => {
  const dir = makeTree({ a: { run: idle } });
  fs.writeFileSync(path.join(dir, 'README'), 'skipped');
  const r = check(['-v'], { env: { DINIT_DIR: dir } });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.out[0], 'note: no config file');
  assert.ok(r.out.includes(`note: ${dir}/README: skipped, not a directory`));
  assert.ok(r.out.includes(`note: ${dir}/a: ok`));
  assert.equal(r.out.at(-1), 'ok: 1 service');
});

test('every bad case: one line per problem, then the count, status 1; nothing is started', () => {
  const marker = path.join(os.tmpdir(), `dinit-check-started-${process.pid}`);
  const dir = makeTree({
    good: { run: `touch ${marker}; ${idle}` },
    bash: { run: '#!/nonexistent/bash\necho hi' },
    crlf: { run: '#!/bin/sh\r\necho hi\r\n' },
    term: { run: idle },
    fin: { run: idle },
    logfile: { run: idle },
    badlog: { run: idle, 'log/run': 'cat' },
  });
  const put = (rel: string, text: string | Buffer, mode: number): void => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text, { mode });
  };
  fs.mkdirSync(path.join(dir, 'missing'));
  put('plain/run', '#!/bin/sh\necho hi\n', 0o644);
  fs.mkdirSync(path.join(dir, 'folder/run'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'linked'));
  fs.symlinkSync('/nonexistent/run', path.join(dir, 'linked/run'));
  fs.symlinkSync('/nonexistent/service', path.join(dir, 'dangling'));
  put('bare/run', 'echo hi\n', 0o755);
  put('foreign/run', elfHeader(FOREIGN_MACHINE), 0o755);
  put('term/terminate', '#!/bin/sh\nkill $DINIT_PID\n', 0o644);
  put('fin/finish', 'kill $DINIT_PID\n', 0o755);
  put('logfile/log', 'a file', 0o644);
  fs.chmodSync(path.join(dir, 'badlog/log/run'), 0o644);
  const r = check([dir]);
  assert.deepEqual(r.out, [
    `${dir}/dangling: broken symbolic link to "/nonexistent/service"`,
    `${dir}/badlog/log/run: not executable (mode 0644; chmod +x it)`,
    `${dir}/bare/run: no "#!" line and not an ELF binary: exec would fail with "exec format error"`,
    `${dir}/bash/run: interpreter "/nonexistent/bash" not found`,
    `${dir}/crlf/run: interpreter "/bin/sh\\r" not found: the file has Windows (CRLF) line endings`,
    `${dir}/fin/finish: no "#!" line and not an ELF binary: exec would fail with "exec format error"`,
    `${dir}/folder/run: is a directory, not a program`,
    `${dir}/foreign/run: ELF binary for ${FOREIGN_NAME}, but this machine is ${HERE_NAME}: exec would fail with "exec format error"`,
    `${dir}/linked/run: broken symbolic link to "/nonexistent/run"`,
    `${dir}/logfile/log: not a directory (a log program goes in log/run)`,
    `${dir}/missing/run: not found (every service needs an executable run file)`,
    `${dir}/plain/run: not executable (mode 0644; chmod +x it)`,
    `${dir}/term/terminate: not executable (mode 0644; chmod +x it)`,
    '13 problems',
  ]);
  assert.equal(r.code, 1);
  assert.equal(fs.existsSync(marker), false, 'check must not start programs');
});

test('a missing tree, a file as the tree, and a tree with no services', () => {
  let r = check(['/nonexistent/services']);
  assert.deepEqual(r.out, ['/nonexistent/services: cannot read service directory: no such file or directory (ENOENT)', '1 problem']);
  assert.equal(r.code, 1);
  const file = path.join(makeTree({ a: { run: idle } }), 'a/run');
  r = check([file]);
  assert.deepEqual(r.out, [`${file}: cannot read service directory: not a directory (ENOTDIR)`, '1 problem']);
  const empty = makeTree({});
  r = check([empty]);
  assert.deepEqual(r.out, [`${empty}: no services (no folder in it that does not start with ".")`, '1 problem']);
  assert.equal(r.code, 1);
});

test('a name with a newline is reported on one line', () => {
  const dir = makeTree({ 'two\nlines': { run: idle } });
  fs.chmodSync(path.join(dir, 'two\nlines/run'), 0o644);
  const r = check([dir]);
  assert.deepEqual(r.out, [`${dir}/two\\nlines/run: not executable (mode 0644; chmod +x it)`, '1 problem']);
});

// `dinit check` needs the native modules from node_modules, so it runs from the checkout:
// when uid 65534 cannot reach it (CI clones into a 0700 folder), this test cannot run.
const nobodyReachesCheckout = checkoutReadableBy(65534);

test('not root: an unreadable service folder is a problem (root would read it anyway)', { skip: nobodyReachesCheckout ? false : 'uid 65534 cannot read the checkout (its folder is not searchable by others)' }, () => {
  const dir = makeTree({ open: { run: idle }, locked: { run: idle } });
  fs.chmodSync(dir, 0o755);
  fs.chmodSync(path.join(dir, 'locked'), 0o700);
  const r = check([dir], { uid: 65534 });
  assert.deepEqual(r.out, [`${dir}/locked: cannot read service directory: permission denied (EACCES)`, '1 problem']);
  assert.equal(r.code, 1, r.stderr);
  assert.deepEqual(check([dir]).out, ['ok: 2 services']);
});

test('a bad config file is reported, and the tree is still checked', () => {
  const dir = makeTree({ a: { run: idle } });
  fs.mkdirSync(path.join(dir, 'b'));
  const files = makeFiles({ 'dinit.config.json': JSON.stringify({ logLevel: 'loud', colour: true }) });
  const config = path.join(files, 'dinit.config.json');
  const r = check([dir], { env: { DINIT_CONFIG: config } });
  assert.deepEqual(r.out, [
    `config file ${config}: key "logLevel" must be one of none, error, warn, info, debug, trace, got "loud"`,
    `${dir}/b/run: not found (every service needs an executable run file)`,
    '2 problems',
  ]);
  assert.equal(r.code, 1);
});

test('a config file in the working folder is used when asked for (DINIT_CONFIG=.); its dir is checked', () => {
  const dir = makeTree({ a: { run: idle } });
  const cwd = makeFiles({ '.dinitrc.json': JSON.stringify({ dir }) });
  const r = check([], { cwd, env: { DINIT_CONFIG: '.' } });
  assert.deepEqual(r.out, ['ok: 1 service']);
  assert.equal(r.code, 0, r.stderr);
});

test('invalid DINIT_* variables are reported', () => {
  const dir = makeTree({ a: { run: idle } });
  const r = check([dir], { env: { DINIT_LOG_LEVEL: 'loud' } });
  assert.deepEqual(r.out, ['environment: invalid log level loud', '1 problem']);
  assert.equal(r.code, 1);
});

test('a plugin that fails to load, and one that fails to apply', () => {
  const dir = makeTree({ a: { run: idle } });
  const files = makeFiles({
    'dinit.config.json': JSON.stringify({ plugins: ['./throws.js'] }),
    'throws.js': 'throw new Error("boom");',
    'apply.json': JSON.stringify({ plugins: ['./bad-apply.js'] }),
    'bad-apply.js': 'module.exports = { name: "bad-apply", apply() { throw new Error("no way"); } };',
    'missing.json': JSON.stringify({ plugins: ['./nowhere.js'] }),
  });
  let r = check([dir], { env: { DINIT_CONFIG: path.join(files, 'dinit.config.json') } });
  assert.deepEqual(r.out, [`config file ${files}/dinit.config.json: plugin "./throws.js" failed to load: boom`, '1 problem']);
  assert.equal(r.code, 1);
  r = check([dir], { env: { DINIT_CONFIG: path.join(files, 'apply.json') } });
  assert.deepEqual(r.out, [`config file ${files}/apply.json: plugin bad-apply failed to apply: no way`, '1 problem']);
  assert.equal(r.code, 1);
  r = check([dir], { env: { DINIT_CONFIG: path.join(files, 'missing.json') } });
  assert.deepEqual(r.out, [`config file ${files}/missing.json: plugin "./nowhere.js" not found (resolved from ${files})`, '1 problem']);
});

test('runit-dir disabled by the config: the tree is not checked, and says so', () => {
  const files = makeFiles({ 'dinit.config.json': JSON.stringify({ plugins: [['runit-dir', false]] }) });
  const r = check(['/nonexistent'], { env: { DINIT_CONFIG: path.join(files, 'dinit.config.json') } });
  assert.deepEqual(r.out, ['note: runit-dir is replaced or disabled: service tree /nonexistent not checked', 'ok: 0 services']);
  assert.equal(r.code, 0);
});

test('usage errors: status 2', () => {
  const r = check(['--frobnicate']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^dinit: error: check: unexpected "--frobnicate"\nusage: dinit check/);
  assert.equal(check(['a', 'b']).code, 2);
  assert.equal(check(['--help']).code, 0);
});
