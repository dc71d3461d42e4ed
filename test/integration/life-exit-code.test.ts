import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import * as path from 'node:path';
import { LAUNCHER, launcherEnv, makeFiles, makeTree, runDinit } from './harness';

// DINIT_EXIT_CODE=program: dinit exits with the first failing program's own status.

const T = { timeout: 90000 };

const cases: Array<[string, string | undefined, number]> = [
  ['exit 7', undefined, 3],
  ['exit 7', 'dinit', 3],
  ['exit 7', 'program', 7],
  ['kill -9 $$', 'program', 137],
  ['kill -9 $$', 'dinit', 3],
  ['exit 0', 'program', 0],
];
for (const [script, policy, expected] of cases) {
  test(`run does \`${script}\`, DINIT_EXIT_CODE=${policy ?? '(unset)'}: dinit exits ${expected}`, T, async () => {
    // `other` keeps running until the stop's SIGTERM kills it: that is no failure.
    const dir = makeTree({ app: { run: `sleep 0.3; ${script}` }, other: { run: 'exec sleep 1000' } });
    const r = await runDinit(dir, { env: policy ? { DINIT_EXIT_CODE: policy } : {}, timeoutMs: 20000 });
    assert.equal(r.code, expected, r.stderr);
    assert.equal(r.err.at(-1), `T dinit: info: dinit exiting with status ${expected}`);
  });
}

test('DINIT_EXIT_CODE=program: the first failure decides; later failures during the stop do not', T, async () => {
  const dir = makeTree({ a: { run: 'sleep 0.3; exit 5' }, b: { run: `trap 'exit 6' TERM\nwhile :; do sleep 0.05; done` } });
  const r = await runDinit(dir, { env: { DINIT_EXIT_CODE: 'program' }, timeoutMs: 20000 });
  assert.equal(r.code, 5, r.stderr);
  assert.ok(r.err.includes('T dinit: info: b/run: PID <pid> finished with status 6'), r.stderr);
});

test('DINIT_EXIT_CODE=program: a stop begun by SIGTERM still exits 0, whatever the programs exit with', T, async () => {
  const dir = makeTree({ a: { run: `trap 'exit 143' TERM\necho up >&2\nwhile :; do sleep 0.05; done` }, b: { run: 'exec sleep 1000' } });
  const r = await runDinit(dir, {
    env: { DINIT_EXIT_CODE: 'program' },
    timeoutMs: 20000,
    during: async (d) => {
      await d.waitFor(/a\/run: up/);
      d.signal('SIGTERM');
    },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.err.includes('T dinit: info: a/run: PID <pid> finished with status 143'), r.stderr);
});

test('DINIT_EXIT_CODE=bogus: exit 1 naming the variable; dinit check lists it', T, async () => {
  const dir = makeTree({ app: { run: 'exec sleep 1000' } });
  const r = await runDinit(dir, { env: { DINIT_EXIT_CODE: 'bogus' }, timeoutMs: 20000 });
  assert.equal(r.code, 1, r.stderr);
  assert.deepEqual(r.err, ['T dinit: error: invalid exit code policy bogus: DINIT_EXIT_CODE must be one of dinit, program']);
  const check = spawnSync(LAUNCHER, ['check', dir], { env: launcherEnv({ ...process.env, DINIT_EXIT_CODE: 'bogus', DINIT_SIGNAL_GROUP: '2' }), encoding: 'utf8', timeout: 20000 });
  assert.equal(check.status, 1);
  assert.equal(
    check.stdout,
    'environment: invalid signal group 2: DINIT_SIGNAL_GROUP must be 0 or 1\nenvironment: invalid exit code policy bogus: DINIT_EXIT_CODE must be one of dinit, program\n2 problems\n',
  );
});

test('config file keys exitCode and signalGroup: applied, and a wrong type is an error naming the file and key', T, async () => {
  const dir = makeTree({ app: { run: 'sleep 0.3; exit 9' } });
  const good = makeFiles({ 'dinit.config.json': JSON.stringify({ exitCode: 'program', signalGroup: true }) });
  const r = await runDinit(dir, { env: { DINIT_CONFIG: path.join(good, 'dinit.config.json') }, timeoutMs: 20000 });
  assert.equal(r.code, 9, r.stderr);
  // The variable wins over the file.
  const overridden = await runDinit(dir, { env: { DINIT_CONFIG: path.join(good, 'dinit.config.json'), DINIT_EXIT_CODE: 'dinit' }, timeoutMs: 20000 });
  assert.equal(overridden.code, 3, overridden.stderr);
  const bad = makeFiles({ 'dinit.config.json': JSON.stringify({ signalGroup: 'yes' }) });
  const file = path.join(bad, 'dinit.config.json');
  const b = await runDinit(dir, { env: { DINIT_CONFIG: file }, timeoutMs: 20000 });
  assert.equal(b.code, 1, b.stderr);
  assert.deepEqual(b.err, [`T dinit: error: config file ${file}: key "signalGroup" must be true or false, got "yes"`]);
});
