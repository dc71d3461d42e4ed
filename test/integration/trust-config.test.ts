import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { CLI, LAUNCHER, launcherEnv, makeTree, runDinit, trustedTmp } from './harness';

const T = { timeout: 60000 };
const RULE = 'as root, dinit loads only config files and plugins that no other user can change (docs/security.md)';

/** A world-writable folder, where any user can leave files (a `docker exec` working directory, say). */
function hostileFolder(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dinit-hostile-'));
  fs.chmodSync(dir, 0o777);
  return dir;
}

/** A JavaScript config file that leaves a marker when it runs, owned by `uid`. */
function markingConfig(dir: string, name: string, uid: number, mode = 0o644): { file: string; marker: string } {
  const marker = path.join(trustedTmp('dinit-marker-'), 'ran');
  const file = path.join(dir, name);
  fs.writeFileSync(file, `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x'); module.exports = {};\n`);
  fs.chmodSync(file, mode);
  fs.chownSync(file, uid, uid);
  return { file, marker };
}

function check(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}) {
  const r = spawnSync(LAUNCHER, ['check', ...args], { env: launcherEnv({ ...process.env, ...options.env }), cwd: options.cwd, encoding: 'utf8', timeout: 20000 });
  return { code: r.status, out: r.stdout.split('\n').filter(Boolean), stderr: r.stderr };
}

test('a .dinitrc.js owned by 65534 in a world-writable working directory is never run by dinit', T, async () => {
  const cwd = hostileFolder();
  const { marker } = markingConfig(cwd, '.dinitrc.js', 65534);
  const tree = makeTree({ app: { run: 'echo app ran' } });
  // Not searched: the working directory is not a place for configuration.
  const plain = await runDinit(tree, { cwd, env: { DINIT_JSON_STDOUT: '0' } });
  assert.equal(plain.code, 0, plain.stderr);
  assert.ok(plain.out.includes('T app/run: app ran'));
  assert.equal(fs.existsSync(marker), false);
  // Asked for explicitly (DINIT_CONFIG=.): refused, nothing started.
  const asked = await runDinit(tree, { cwd, env: { DINIT_CONFIG: '.', DINIT_JSON_STDOUT: '0' } });
  assert.equal(asked.code, 1);
  assert.deepEqual(asked.err, [`T dinit: error: config file ${cwd}/.dinitrc.js refused: file ${cwd}/.dinitrc.js is owned by uid 65534, not root; ${RULE}`]);
  assert.deepEqual(asked.out, []);
  assert.equal(fs.existsSync(marker), false);
});

test('dinit check never runs that .dinitrc.js either, and reports it when asked to use it', T, () => {
  const cwd = hostileFolder();
  const { marker } = markingConfig(cwd, '.dinitrc.js', 65534);
  const tree = makeTree({ app: { run: 'exit 0' } });
  const plain = check([tree], { cwd });
  assert.deepEqual(plain.out, ['ok: 1 service']);
  assert.equal(plain.code, 0, plain.stderr);
  const asked = check([tree], { cwd, env: { DINIT_CONFIG: '.' } });
  assert.deepEqual(asked.out, [`config file ${cwd}/.dinitrc.js refused: file ${cwd}/.dinitrc.js is owned by uid 65534, not root; ${RULE}`, '1 problem']);
  assert.equal(asked.code, 1);
  assert.equal(fs.existsSync(marker), false);
});

test('a root-owned config in a world-writable folder is refused too (the folder lets others replace it)', T, async () => {
  const dir = hostileFolder();
  const { file, marker } = markingConfig(dir, 'dinit.config.js', 0);
  const r = await runDinit(makeTree({ app: { run: 'echo app ran' } }), { env: { DINIT_CONFIG: file } });
  assert.equal(r.code, 1);
  assert.deepEqual(r.err, [`T dinit: error: config file ${file} refused: folder ${dir} is writable by group and others (mode 0777); ${RULE}`]);
  assert.equal(fs.existsSync(marker), false);
});

test('sticky /tmp is no exception: a root-owned 0644 config in a root-owned 0755 folder under /tmp is refused', T, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dinit-sticky-'));
  fs.chmodSync(dir, 0o755);
  const { file, marker } = markingConfig(dir, 'dinit.config.js', 0);
  const tmp = fs.realpathSync(os.tmpdir());
  const mode = (fs.statSync(tmp).mode & 0o7777).toString(8).padStart(4, '0');
  const r = await runDinit(makeTree({ app: { run: 'exit 0' } }), { env: { DINIT_CONFIG: file } });
  assert.equal(r.code, 1);
  assert.deepEqual(r.err, [`T dinit: error: config file ${file} refused: folder ${tmp} is writable by group and others (mode ${mode}, sticky does not help); ${RULE}`]);
  assert.equal(fs.existsSync(marker), false);
});

test('a group-writable config file is refused; the same file 0644 is used', T, async () => {
  const dir = trustedTmp('dinit-conf-');
  const file = path.join(dir, 'dinit.config.json');
  fs.writeFileSync(file, JSON.stringify({ jsonStdout: false }));
  fs.chmodSync(file, 0o664);
  const tree = makeTree({ app: { run: 'echo app ran' } });
  const refused = await runDinit(tree, { env: { DINIT_CONFIG: file } });
  assert.equal(refused.code, 1);
  assert.deepEqual(refused.err, [`T dinit: error: config file ${file} refused: file ${file} is writable by its group (mode 0664); ${RULE}`]);
  fs.chmodSync(file, 0o644);
  const used = await runDinit(tree, { env: { DINIT_CONFIG: file } });
  assert.equal(used.code, 0, used.stderr);
  assert.ok(used.out.includes('T app/run: app ran'));
});

test('a symbolic link in a trusted folder to a config in a world-writable one is refused', T, async () => {
  const hostile = hostileFolder();
  const { file, marker } = markingConfig(hostile, 'real.js', 0);
  const link = path.join(trustedTmp('dinit-link-'), 'dinit.config.js');
  fs.symlinkSync(file, link);
  const r = await runDinit(makeTree({ app: { run: 'exit 0' } }), { env: { DINIT_CONFIG: link } });
  assert.equal(r.code, 1);
  assert.deepEqual(r.err, [`T dinit: error: config file ${link} refused: folder ${hostile} is writable by group and others (mode 0777); ${RULE}`]);
  assert.equal(fs.existsSync(marker), false);
});

/** Runs dinit as PID 1 with `source` bind-mounted on /etc/dinit in its own mount namespace. */
function withEtcDinit(source: string, tree: string) {
  const created = !fs.existsSync('/etc/dinit');
  if (created) fs.mkdirSync('/etc/dinit', { mode: 0o755 });
  try {
    const script = `mount --bind "$1" /etc/dinit && exec "$2"`;
    const r = spawnSync('unshare', ['--mount', '--propagation', 'private', '--pid', '--fork', '--mount-proc', '--kill-child', 'sh', '-c', script, 'sh', source, LAUNCHER], {
      env: launcherEnv({ ...process.env, DINIT_DIR: tree, DINIT_LOG_LEVEL: 'info' }),
      encoding: 'utf8',
      timeout: 20000,
    });
    return { code: r.status, stdout: r.stdout, err: r.stderr.split('\n').filter(Boolean).map((l) => l.replace(/^\S+Z /, 'T ')) };
  } finally {
    if (created) fs.rmdirSync('/etc/dinit');
  }
}

test('/etc/dinit is searched; a group-writable config there is refused, nothing starts', T, () => {
  const etc = trustedTmp('dinit-etc-');
  const file = path.join(etc, 'dinit.config.yaml');
  fs.writeFileSync(file, 'jsonStdout: false\n');
  fs.chmodSync(file, 0o620);
  const marker = path.join(trustedTmp('dinit-marker-'), 'started');
  const tree = makeTree({ app: { run: `touch ${marker}; echo app ran` } });
  const refused = withEtcDinit(etc, tree);
  assert.equal(refused.code, 1);
  assert.deepEqual(refused.err, [`T dinit: error: config file /etc/dinit/dinit.config.yaml refused: file /etc/dinit/dinit.config.yaml is writable by its group (mode 0620); ${RULE}`]);
  assert.equal(fs.existsSync(marker), false);
  fs.chmodSync(file, 0o600);
  const used = withEtcDinit(etc, tree);
  assert.equal(used.code, 0, used.err.join('\n'));
  assert.match(used.stdout, /app\/run: app ran/);
});

test('a plugin file in a world-writable folder is refused, by dinit and by dinit check, and never loaded', T, async () => {
  const hostile = hostileFolder();
  const marker = path.join(trustedTmp('dinit-marker-'), 'loaded');
  const plugin = path.join(hostile, 'plugin.js');
  fs.writeFileSync(plugin, `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x'); module.exports = { name: 'p', apply() {} };\n`);
  fs.chmodSync(plugin, 0o644);
  const conf = trustedTmp('dinit-conf-');
  const file = path.join(conf, 'dinit.config.json');
  fs.writeFileSync(file, JSON.stringify({ plugins: [plugin] }));
  const tree = makeTree({ app: { run: 'echo app ran' } });
  const expected = `config file ${file}: plugin "${plugin}" (${plugin}) refused: folder ${hostile} is writable by group and others (mode 0777); ${RULE}`;
  const r = await runDinit(tree, { env: { DINIT_CONFIG: file } });
  assert.equal(r.code, 1);
  assert.deepEqual(r.err, [`T dinit: error: ${expected}`]);
  assert.deepEqual(r.out, []);
  const c = check([tree], { env: { DINIT_CONFIG: file } });
  assert.deepEqual(c.out, [expected, '1 problem']);
  assert.equal(fs.existsSync(marker), false);
});

test('a plugin file owned by another user in a trusted folder is refused', T, async () => {
  const conf = trustedTmp('dinit-conf-');
  const plugin = path.join(conf, 'plugin.js');
  fs.writeFileSync(plugin, `module.exports = { name: 'p', apply() {} };\n`);
  fs.chownSync(plugin, 1000, 1000);
  const file = path.join(conf, 'dinit.config.json');
  fs.writeFileSync(file, JSON.stringify({ plugins: ['./plugin.js'] }));
  const r = await runDinit(makeTree({ app: { run: 'exit 0' } }), { env: { DINIT_CONFIG: file } });
  assert.equal(r.code, 1);
  assert.deepEqual(r.err, [`T dinit: error: config file ${file}: plugin "./plugin.js" (${plugin}) refused: file ${plugin} is owned by uid 1000, not root; ${RULE}`]);
});

test('DINIT_CONFIG naming a folder searches it; a folder without a config file is an error', T, async () => {
  const conf = trustedTmp('dinit-conf-');
  const tree = makeTree({ app: { run: 'echo app ran' } });
  const empty = await runDinit(tree, { env: { DINIT_CONFIG: conf } });
  assert.equal(empty.code, 1);
  assert.match(empty.err[0], new RegExp(`^T dinit: error: config folder ${conf} \\(DINIT_CONFIG\\): no config file in it \\(looked for package\\.json, \\.dinitrc, `));
  fs.writeFileSync(path.join(conf, '.dinitrc.yaml'), 'jsonStdout: false\n');
  const found = await runDinit(tree, { env: { DINIT_CONFIG: conf } });
  assert.equal(found.code, 0, found.stderr);
  assert.ok(found.out.includes('T app/run: app ran'));
});

test('not as root, the ownership rule does not apply: a user runs their own config', T, (t) => {
  const uid = 65534;
  const probe = spawnSync(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(CLI)}, 4)`], { uid, gid: uid, stdio: 'ignore' });
  if (probe.status !== 0) return t.skip('the checkout is not readable by uid 65534');
  const dir = hostileFolder();
  const file = path.join(dir, 'dinit.config.json');
  fs.writeFileSync(file, JSON.stringify({ jsonStdout: false }));
  fs.chownSync(file, uid, uid);
  const tree = makeTree({ app: { run: 'exit 0' } });
  fs.chmodSync(tree, 0o755);
  const r = spawnSync(LAUNCHER, ['check', tree], { env: launcherEnv({ ...process.env, DINIT_CONFIG: file }), uid, gid: uid, encoding: 'utf8', timeout: 20000 });
  assert.equal(r.stdout, 'ok: 1 service\n', r.stderr);
  assert.equal(r.status, 0);
});
