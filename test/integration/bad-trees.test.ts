import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { makeTree, runDinit } from './harness';
import { elfHeader, FOREIGN_MACHINE, FOREIGN_NAME, HERE_NAME } from '../fixtures/elf';

/**
 * A broken service tree stops dinit before any program starts: one error naming the path
 * and the reason, status 1. The `ok` service in each tree proves nothing was started.
 */

const idle = 'exec sleep 1000';

/** Both lines dinit prints for a tree it refuses (log level info). */
function refused(message: string): string[] {
  return [`T dinit: error: exiting: ${message}`, 'T dinit: info: dinit exiting with status 1'];
}

/** A 64-byte ELF header (little endian, 64-bit, executable) for `machine`. */

async function expectRefused(dir: string, message: string): Promise<void> {
  const r = await runDinit(dir);
  assert.equal(r.code, 1, r.stderr);
  assert.deepEqual(r.err, refused(message));
  assert.equal(r.stdout, '');
}

test('run missing', async () => {
  const dir = makeTree({ ok: { run: idle } });
  fs.mkdirSync(path.join(dir, 'empty'));
  await expectRefused(dir, `${dir}/empty/run: not found (every service needs an executable run file)`);
});

test('run not executable', async () => {
  const dir = makeTree({ ok: { run: idle } });
  fs.mkdirSync(path.join(dir, 'plain'));
  fs.writeFileSync(path.join(dir, 'plain/run'), '#!/bin/sh\necho hi\n', { mode: 0o644 });
  await expectRefused(dir, `${dir}/plain/run: not executable (mode 0644; chmod +x it)`);
});

test('run is a directory', async () => {
  const dir = makeTree({ ok: { run: idle } });
  fs.mkdirSync(path.join(dir, 'folder/run'), { recursive: true });
  await expectRefused(dir, `${dir}/folder/run: is a directory, not a program`);
});

test('run is a broken symbolic link', async () => {
  const dir = makeTree({ ok: { run: idle } });
  fs.mkdirSync(path.join(dir, 'linked'));
  fs.symlinkSync('/nonexistent/run', path.join(dir, 'linked/run'));
  await expectRefused(dir, `${dir}/linked/run: broken symbolic link to "/nonexistent/run"`);
});

test('a service entry that is a broken symbolic link', async () => {
  const dir = makeTree({ ok: { run: idle } });
  fs.symlinkSync('/nonexistent/service', path.join(dir, 'gone'));
  await expectRefused(dir, `${dir}/gone: broken symbolic link to "/nonexistent/service"`);
});

test('a script without "#!" is refused (Node would quietly run it with /bin/sh; exec fails with ENOEXEC)', async () => {
  const dir = makeTree({ ok: { run: idle } });
  fs.mkdirSync(path.join(dir, 'bare'));
  fs.writeFileSync(path.join(dir, 'bare/run'), 'echo hi\n', { mode: 0o755 });
  await expectRefused(dir, `${dir}/bare/run: no "#!" line and not an ELF binary: exec would fail with "exec format error"`);
});

test('an empty run file is refused', async () => {
  const dir = makeTree({ ok: { run: idle } });
  fs.mkdirSync(path.join(dir, 'empty'));
  fs.writeFileSync(path.join(dir, 'empty/run'), '', { mode: 0o755 });
  await expectRefused(dir, `${dir}/empty/run: empty file: exec would fail with "exec format error"`);
});

test('a "#!" interpreter that does not exist, and CRLF line endings', async () => {
  const dir = makeTree({ ok: { run: idle }, bash: { run: '#!/nonexistent/bash\necho hi\n' } });
  await expectRefused(dir, `${dir}/bash/run: interpreter "/nonexistent/bash" not found`);
  const crlf = makeTree({ ok: { run: idle }, win: { run: '#!/bin/sh\r\necho hi\r\n' } });
  await expectRefused(crlf, `${crlf}/win/run: interpreter "/bin/sh\\r" not found: the file has Windows (CRLF) line endings`);
});

test('a binary for another architecture', async () => {
  const dir = makeTree({ ok: { run: idle } });
  fs.mkdirSync(path.join(dir, 'foreign'));
  fs.writeFileSync(path.join(dir, 'foreign/run'), elfHeader(FOREIGN_MACHINE), { mode: 0o755 });
  await expectRefused(dir, `${dir}/foreign/run: ELF binary for ${FOREIGN_NAME}, but this machine is ${HERE_NAME}: exec would fail with "exec format error"`);
});

test('a binary for this architecture runs', async () => {
  const dir = makeTree({});
  fs.mkdirSync(path.join(dir, 'native'));
  fs.copyFileSync(fs.realpathSync('/bin/true'), path.join(dir, 'native/run'));
  fs.chmodSync(path.join(dir, 'native/run'), 0o755);
  const r = await runDinit(dir);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.err.includes('T dinit: info: native/run: PID <pid> finished with status 0'), r.stderr);
});

test('log that is a file, not a folder', async () => {
  const dir = makeTree({ ok: { run: idle }, app: { run: idle } });
  fs.writeFileSync(path.join(dir, 'app/log'), '#!/bin/sh\ncat\n', { mode: 0o755 });
  await expectRefused(dir, `${dir}/app/log: not a directory (a log program goes in log/run)`);
});

test('log/run not executable', async () => {
  const dir = makeTree({ ok: { run: idle }, app: { run: idle } });
  fs.mkdirSync(path.join(dir, 'app/log'));
  fs.writeFileSync(path.join(dir, 'app/log/run'), '#!/bin/sh\ncat\n', { mode: 0o600 });
  await expectRefused(dir, `${dir}/app/log/run: not executable (mode 0600; chmod +x it)`);
});

test('DINIT_DIR pointing at a file', async () => {
  const dir = makeTree({ ok: { run: idle } });
  const file = path.join(dir, 'ok/run');
  await expectRefused(file, `cannot read service directory ${file}: not a directory (ENOTDIR)`);
});

test('several problems: the first is named, the count of the others given', async () => {
  const dir = makeTree({ ok: { run: idle } });
  fs.mkdirSync(path.join(dir, 'a'));
  fs.mkdirSync(path.join(dir, 'b'));
  fs.mkdirSync(path.join(dir, 'c/run'), { recursive: true });
  await expectRefused(dir, `${dir}/a/run: not found (every service needs an executable run file) (and 2 more problems: "dinit check" lists them all)`);
});

test('still skipped as Go dinit does: dot entries (even broken ones) and plain files', async () => {
  const dir = makeTree({ ok: { run: 'exit 0' } });
  fs.mkdirSync(path.join(dir, '.hidden'));
  fs.writeFileSync(path.join(dir, '.hidden/run'), 'no shebang', { mode: 0o644 });
  fs.symlinkSync('/nonexistent', path.join(dir, '.dangling'));
  fs.writeFileSync(path.join(dir, 'README'), 'not a service');
  const r = await runDinit(dir);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.err, [
    'T dinit: info: ok/run: starting',
    'T dinit: info: ok/run: running with PID <pid>',
    'T dinit: info: ok/run: PID <pid> finished with status 0',
    'T dinit: info: dinit exiting with status 0',
  ]);
});

test('a service folder without read permission: root reads it anyway (permission bits do not bind root)', async () => {
  const dir = makeTree({ locked: { run: 'exit 0' } });
  fs.chmodSync(path.join(dir, 'locked'), 0o000);
  const r = await runDinit(dir);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.err.includes('T dinit: info: locked/run: PID <pid> finished with status 0'), r.stderr);
});

test('names with spaces, non-ASCII letters and a newline work; lines stay one per record', async () => {
  // Each prints, then waits: the first to exit stops the others, after they have printed.
  const script = 'echo \'{"a":1}\'; echo "to stderr" >&2; sleep 0.5';
  const dir = makeTree({ 'with space': { run: script }, ünïcødé: { run: script }, 'new\nline': { run: script } });
  const r = await runDinit(dir);
  assert.equal(r.code, 0, r.stderr);
  // A newline in a folder name is written `\n` everywhere (text lines and the JSON "service").
  for (const shown of ['new\\nline', 'with space', 'ünïcødé']) {
    assert.ok(r.err.includes(`T dinit: info: ${shown}/run: running with PID <pid>`), r.stderr);
    assert.ok(r.err.includes(`T ${shown}/run: to stderr`), r.stderr);
  }
  const records = r.stdout.trim().split('\n').map((line) => JSON.parse(line) as { service: string; a: number });
  assert.deepEqual(records.map((x) => x.service).sort(), ['new\\nline', 'with space', 'ünïcødé']);
  assert.ok(records.every((x) => x.a === 1));
  // No line was split: each one starts with its timestamp.
  assert.deepEqual(r.err.filter((line) => !line.startsWith('T ')), [], r.stderr);
});
