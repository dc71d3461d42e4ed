import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeTree } from './harness';
import { binEntries, exec, freshCopy, installOffline, pack, tarList } from '../container/pack';

// `npm pack` on a fresh clone (nothing built) must give a tarball that installs with no registry
// (its dependencies bundled, native binaries included) and whose `dinit` runs: that is what
// every Dockerfile of the README does.

const nativeDir = process.arch === 'arm64' ? 'arm64' : 'x64';
let clone = '';
let tarball = '';
let bin = '';
after(() => {
  for (const dir of [clone, tarball && path.dirname(tarball), bin && path.dirname(bin)]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('npm pack on a fresh clone builds first and bundles every runtime dependency', { timeout: 300000 }, () => {
  clone = freshCopy();
  assert.equal(fs.existsSync(path.join(clone, 'dist')), false, 'the copy starts unbuilt');
  // CI=true is how CI machines run it: tsup (picocolors) then colours its log, and npm's JSON
  // on stdout must stay JSON all the same.
  tarball = pack(clone, fs.mkdtempSync(path.join(os.tmpdir(), 'dinit-tgz-')), { ...process.env, CI: 'true' });
  const files = new Set(tarList(tarball));
  for (const file of ['package.json', 'README.md', 'dist/cli.js', 'dist/index.js', 'dist/index.d.ts']) assert.ok(files.has(file), `tarball has ${file}`);
  for (const [name, target] of Object.entries(binEntries(clone))) assert.ok(files.has(path.normalize(target)), `tarball has bin ${name}: ${target}`);
  const pkg = JSON.parse(fs.readFileSync(path.join(clone, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  for (const dep of Object.keys(pkg.dependencies)) assert.ok(files.has(`node_modules/${dep}/package.json`), `tarball bundles ${dep}`);
  // The native halves: posix-node's glibc build, koffi's glibc and musl builds (Alpine).
  const gnu = process.arch === 'arm64' ? 'aarch64-linux-gnu' : 'x86_64-linux-gnu';
  assert.ok(files.has(`node_modules/posix-node/dist/${gnu}.node`), 'posix-node binary');
  assert.ok(files.has(`node_modules/@koromix/koffi-linux-${nativeDir}/linux_${nativeDir}/koffi.node`), 'koffi glibc binary');
  assert.ok(files.has(`node_modules/@koromix/koffi-linux-${nativeDir}/musl_${nativeDir}/koffi.node`), 'koffi musl binary');
  assert.equal([...files].some((f) => f.startsWith('node_modules/typescript/')), false, 'no dev dependency bundled');
});

test('the tarball installs into an empty prefix with no registry, and its dinit checks a tree', { timeout: 180000 }, () => {
  assert.ok(tarball, 'packed by the test before');
  bin = installOffline(tarball);
  for (const name of Object.keys(binEntries(clone))) assert.ok(fs.existsSync(path.join(bin, name)), `installed ${name}`);
  const good = makeTree({ hello: { run: 'echo hello' } });
  const ok = exec(path.join(bin, 'dinit'), ['check', good], { env: { PATH: process.env.PATH } });
  assert.equal(ok.code, 0, ok.stderr + ok.stdout);
  const bad = makeTree({ broken: { run: 'echo hi' } });
  fs.chmodSync(path.join(bad, 'broken', 'run'), 0o644);
  const failed = exec(path.join(bin, 'dinit'), ['check', bad], { env: { PATH: process.env.PATH } });
  assert.equal(failed.code, 1);
  assert.match(failed.stdout + failed.stderr, new RegExp(`${path.join(bad, 'broken', 'run')}: .*not executable`));
});

for (const backend of ['default', 'koffi']) {
  test(`the installed dinit runs as PID 1 (native calls: ${backend}) and exits with its program`, { timeout: 60000 }, () => {
    assert.ok(bin, 'installed by the test before');
    const dir = makeTree({ hello: { run: `echo '{"msg":"hi"}'; sh -c 'sleep 0.1 &'; sleep 0.3` } });
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, DINIT_DIR: dir, DINIT_LOG_LEVEL: 'info' };
    if (backend === 'koffi') env.DINIT_SYS_BACKEND = 'koffi';
    const r = exec('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', path.join(bin, 'dinit')], { env, timeout: 30000 });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^\{"msg":"hi","service":"hello","stage":"run","logged":"[^"]+"\}$/m);
    assert.match(r.stderr, /dinit: info: hello\/run: PID \d+ finished with status 0/);
    assert.match(r.stderr, /dinit: info: dinit exiting with status 0/);
  });
}
