import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';
import { grep, LAUNCHER, launcherEnv, makeTree, runDinit } from './harness';

// `<svc>/down-signal` (s6's file): the signal the container stop sends to `run` instead of SIGTERM.

const T = { timeout: 90000 };
/** A run that says which signal reached it (on stderr: logged as text) and exits 0 on it. */
const trapping = (name: string): string =>
  `trap 'echo got ${name} >&2; exit 0' ${name}\ntrap 'echo got TERM >&2; exit 0' TERM\necho up >&2\nwhile :; do sleep 0.05; done`;

test('down-signal QUIT, sigquit with a newline, 3: run gets SIGQUIT (then SIGCONT) instead of SIGTERM, logged as Go logs SIGTERM', T, async () => {
  const dir = makeTree({ a: { run: trapping('QUIT') }, b: { run: trapping('QUIT') }, c: { run: trapping('QUIT') } });
  for (const [name, text] of [['a', 'QUIT'], ['b', ' sigquit\n'], ['c', '3\n']]) require('node:fs').writeFileSync(path.join(dir, name, 'down-signal'), text);
  const r = await runDinit(dir, {
    env: { DINIT_LOG_LEVEL: 'trace' },
    timeoutMs: 30000,
    during: async (d) => {
      for (const name of ['a', 'b', 'c']) await d.waitFor(new RegExp(`${name}/run: up`));
      d.signal('SIGTERM');
    },
  });
  assert.equal(r.code, 0, r.stderr);
  for (const name of ['a', 'b', 'c']) {
    const sent = r.err.indexOf(`T dinit: info: ${name}/run: sending SIGQUIT to PID <pid>`);
    assert.ok(sent > 0, r.stderr);
    assert.ok(r.err.includes(`T dinit: trace: ${name}/run: sending SIGCONT to PID <pid>`), r.stderr);
    assert.ok(r.err.includes(`T ${name}/run: got QUIT`), r.stderr);
    assert.ok(r.err.includes(`T dinit: info: ${name}/run: PID <pid> finished with status 0`), r.stderr);
  }
  assert.deepEqual(grep(r.err, 'SIGTERM'), [], r.stderr);
  assert.equal(r.err.at(-1), 'T dinit: info: dinit exiting with status 0');
});

test('a terminate program wins over down-signal; when it fails, the fallback sends the down-signal', T, async () => {
  const dir = makeTree({
    a: { run: trapping('QUIT'), terminate: 'echo stopping >&2; kill -TERM "$DINIT_PID"' },
    b: { run: trapping('QUIT'), terminate: 'exit 4' },
  });
  require('node:fs').writeFileSync(path.join(dir, 'a', 'down-signal'), 'QUIT');
  require('node:fs').writeFileSync(path.join(dir, 'b', 'down-signal'), 'QUIT');
  const r = await runDinit(dir, {
    timeoutMs: 30000,
    during: async (d) => {
      await d.waitFor(/a\/run: up/);
      await d.waitFor(/b\/run: up/);
      d.signal('SIGTERM');
    },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.err.includes('T a/term: stopping'), r.stderr);
  assert.ok(r.err.includes('T a/run: got TERM'), r.stderr);
  assert.deepEqual(grep(r.err, 'a/run: sending'), [], r.stderr);
  assert.ok(r.err.includes('T dinit: warning: b/term: failed with status 4; sending SIGQUIT instead'), r.stderr);
  assert.ok(r.err.includes('T dinit: info: b/run: sending SIGQUIT to PID <pid>'), r.stderr);
  assert.ok(r.err.includes('T b/run: got QUIT'), r.stderr);
});

const bad: Array<[string, string]> = [
  ['', 'invalid down-signal "": expected one signal: a name with or without SIG (QUIT, SIGQUIT) or its number (3)'],
  ['QUIT TERM\n', 'invalid down-signal "QUIT TERM": expected one signal: a name with or without SIG (QUIT, SIGQUIT) or its number (3)'],
  ['BOGUS', 'invalid down-signal "BOGUS": unknown signal name; expected one signal: a name with or without SIG (QUIT, SIGQUIT) or its number (3)'],
  ['99', 'invalid down-signal "99": no signal has that number here; expected one signal: a name with or without SIG (QUIT, SIGQUIT) or its number (3)'],
  ['STOP', 'invalid down-signal "STOP": SIGSTOP does not end a program by default, so the stop would wait for ever'],
  ['SIGCHLD', 'invalid down-signal "SIGCHLD": SIGCHLD does not end a program by default, so the stop would wait for ever'],
];

test('a down-signal that is not one stopping signal stops dinit before anything starts (exit 1), naming the file and the value; dinit check reports it', T, async () => {
  for (const [text, reason] of bad) {
    const dir = makeTree({ a: { run: 'exec sleep 1000' }, b: { run: 'echo started >&2; exec sleep 1000' } });
    const file = path.join(dir, 'b', 'down-signal');
    require('node:fs').writeFileSync(file, text);
    const r = await runDinit(dir, { timeoutMs: 20000 });
    assert.equal(r.code, 1, `${JSON.stringify(text)}: ${r.stderr}`);
    assert.deepEqual(grep(r.err, 'starting'), [], r.stderr);
    assert.ok(r.err.includes(`T dinit: error: exiting: ${file}: ${reason}`), r.stderr);
    const check = spawnSync(LAUNCHER, ['check', dir], { env: launcherEnv(process.env), encoding: 'utf8', timeout: 20000 });
    assert.equal(check.status, 1, check.stdout + check.stderr);
    assert.equal(check.stdout, `${file}: ${reason}\n1 problem\n`);
  }
});

test('KILL is accepted as a down-signal (as in s6): run gets SIGKILL at the stop, dinit exits 0', T, async () => {
  const dir = makeTree({ a: { run: trapping('QUIT') } });
  require('node:fs').writeFileSync(path.join(dir, 'a', 'down-signal'), 'KILL\n');
  const check = spawnSync(LAUNCHER, ['check', dir], { env: launcherEnv(process.env), encoding: 'utf8', timeout: 20000 });
  assert.equal(check.stdout, 'ok: 1 service\n');
  const r = await runDinit(dir, {
    timeoutMs: 20000,
    during: async (d) => {
      await d.waitFor(/a\/run: up/);
      d.signal('SIGTERM');
    },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.err.includes('T dinit: info: a/run: sending SIGKILL to PID <pid>'), r.stderr);
  assert.ok(r.err.includes('T dinit: info: a/run: PID <pid> finished with signal 9'), r.stderr);
});
