import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { grep, makeFiles, makeTree, runDinit } from './harness';

/**
 * No forged log lines (issue 13, item 6): what dinit logs that comes from outside (command
 * lines, comm, plugin-supplied names and messages) is escaped C-style, so a newline cannot
 * start a line with a fake timestamp and `dinit: error:`, an ESC sequence cannot reach the
 * terminal, and invalid UTF-8 shows as `\xNN` (not U+FFFD).
 */

const FAKE = '2026-12-01T00:00:00.000Z dinit: error: pwned';
/** argv[0] of the orphan, as perl writes it: newline, fake line, ESC sequence, a byte that is not UTF-8. */
const EVIL_ARGV0 = `"evil\\n${FAKE}\\x1b[31m\\xff"`;
/** As the harness normalises it (timestamps become `T`, the fake one too). */
const FAKE_N = 'T dinit: error: pwned';
const SHOWN = `evil\\n${FAKE_N}\\x1b[31m\\xff 1000`;

/** No line of dinit's output was forged, and no control byte but \n reached it. */
function assertClean(stderr: string): void {
  for (const line of stderr.split('\n')) assert.doesNotMatch(line, /^\S+ dinit: error: pwned/, `forged line: ${JSON.stringify(line)}`);
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(stderr, /[\u0000-\u0009\u000b-\u001f\u007f]/, 'no control characters');
  assert.doesNotMatch(stderr, /\uFFFD/, 'invalid UTF-8 is shown as \\xNN, not U+FFFD');
}

// The parent leaves only after a pause, so the orphan dinit sees has already exec'd (is `evil`, not perl).
const orphan = `perl -e 'if (fork) { select(undef, undef, undef, 0.3); exit 0 } exec {"/bin/sleep"} ${EVIL_ARGV0}, "1000"'; exec sleep 1000`;

test('an orphan whose argv holds a newline, a fake line and an ESC sequence: terminate policy', { timeout: 60000 }, async () => {
  const dir = makeTree({ a: { run: orphan } });
  const r = await runDinit(dir, {
    timeoutMs: 30000,
    during: async (d) => {
      await d.waitFor(/evil\/\d+: PID \d+ finished with signal 15/);
      d.signal('SIGTERM');
    },
  });
  assert.equal(r.code, 0, r.stderr);
  assertClean(r.stderr);
  assert.deepEqual(grep(r.err, 'evil/'), [
    `T dinit: warning: evil/<pid>: terminating reparented child process with PID <pid>: ${SHOWN}`,
    'T dinit: info: evil/<pid>: sending SIGTERM to PID <pid>',
    'T dinit: info: evil/<pid>: PID <pid> finished with signal 15',
  ]);
});

test('the same orphan under the adopt policy', { timeout: 60000 }, async () => {
  const dir = makeTree({ a: { run: orphan } });
  const r = await runDinit(dir, {
    env: { DINIT_REPARENTING_POLICY: 'adopt' },
    timeoutMs: 30000,
    during: async (d) => {
      await d.waitFor(/adopting reparented child process/);
      d.signal('SIGTERM');
    },
  });
  assert.equal(r.code, 0, r.stderr);
  assertClean(r.stderr);
  assert.ok(r.err.includes(`T dinit: warning: evil/<pid>: adopting reparented child process with PID <pid>: ${SHOWN}`), r.stderr);
});

test('a zombie whose comm has control characters and a non-UTF-8 byte', { timeout: 60000 }, async () => {
  // The child renames itself (perl's $0 sets the comm with prctl) and exits; its parent exits
  // later, so dinit only ever sees a zombie, named by its comm.
  const run = `perl -e 'if (!fork) { $0 = "zz\\nfake\\x1b[1m\\xff"; exit 3 } select(undef, undef, undef, 0.5); exit 0'; exec sleep 1000`;
  const dir = makeTree({ a: { run } });
  const r = await runDinit(dir, {
    timeoutMs: 30000,
    during: async (d) => {
      await d.waitFor(/finished with status 3/);
      d.signal('SIGTERM');
    },
  });
  assert.equal(r.code, 0, r.stderr);
  assertClean(r.stderr);
  assert.deepEqual(grep(r.err, 'zz'), [
    'T dinit: warning: zz\\nfake\\x1b[1m\\xff/<pid>: reaping process with PID <pid>',
    'T dinit: info: zz\\nfake\\x1b[1m\\xff/<pid>: PID <pid> finished with status 3',
  ]);
});

test('plugin-supplied names and messages are escaped too (service name, error message)', { timeout: 60000 }, async () => {
  const files = makeFiles({
    'dinit.config.json': JSON.stringify({ plugins: ['./names.cjs'] }),
    'names.cjs': `module.exports = { name: 'names', apply(k) {
      k.hooks.load.tapPromise('names', async (services) => [...services, { name: 'x\\n${FAKE}\\u001b[2J', dir: '/', run: ['/bin/sh', '-c', 'echo hi >&2'] }]);
      k.hooks.started.tap('names', () => { throw new Error('bad\\n${FAKE}\\u001b[2J'); });
    } };`,
  });
  const dir = makeTree({});
  const r = await runDinit(dir, { env: { DINIT_CONFIG: path.join(files, 'dinit.config.json') }, timeoutMs: 30000 });
  assert.equal(r.code, 0, r.stderr);
  assertClean(r.stderr);
  assert.ok(r.err.includes(`T dinit: error: plugin names failed in hook started: bad\\n${FAKE_N}\\x1b[2J`), r.stderr);
  assert.ok(r.err.includes(`T x\\n${FAKE_N}\\x1b[2J/run: hi`), r.stderr);
  assert.ok(r.err.includes(`T dinit: info: x\\n${FAKE_N}\\x1b[2J/run: starting`), r.stderr);
});
