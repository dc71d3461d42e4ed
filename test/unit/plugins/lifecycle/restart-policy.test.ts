import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_RESTARTS, nextRestart, parseRestart, RESET_AFTER_MS, type RestartCount } from '../../../../src/plugins/lifecycle/restart-policy';

const fail = (upMs = 10) => ({ failed: true, disabled: false, upMs });

test('parseRestart: the two modes, an optional count, and everything else refused', () => {
  assert.deepEqual(parseRestart('on-failure'), { mode: 'on-failure', limit: DEFAULT_RESTARTS });
  assert.deepEqual(parseRestart(' always  7 \n'), { mode: 'always', limit: 7 });
  assert.deepEqual(parseRestart('always 0'), { mode: 'always', limit: 0 });
  for (const bad of ['', 'never', 'always -1', 'always 1.5', 'always 3 4', 'on-failure x', 'ALWAYS', 'always 99999999999999999999']) {
    assert.match(parseRestart(bad) as string, /^invalid restart policy "/, bad);
  }
});

test('nextRestart: delays double from 1 s to 30 s, at most N restarts in a row', () => {
  const state: RestartCount = { count: 0 };
  const policy = { mode: 'on-failure' as const, limit: 8 };
  const delays = [];
  for (let i = 0; i < 8; i++) delays.push(nextRestart(policy, state, fail())!.delayMs);
  assert.deepEqual(delays, [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  assert.equal(nextRestart(policy, state, fail()), undefined);
});

test('nextRestart: a run that stayed up 60 s starts the count and the delay over (fake clock)', () => {
  // The clock: each run's start and exit times, as the plugin computes upMs from them.
  let now = 0;
  const state: RestartCount = { count: 0 };
  const policy = { mode: 'always' as const, limit: 2 };
  const run = (upMs: number) => {
    const started = now;
    now += upMs;
    const next = nextRestart(policy, state, { failed: false, disabled: false, upMs: now - started });
    if (next) now += next.delayMs;
    return next;
  };
  assert.deepEqual(run(5), { delayMs: 1000, count: 1 });
  assert.deepEqual(run(5), { delayMs: 2000, count: 2 });
  assert.deepEqual(run(RESET_AFTER_MS - 1), undefined); // used up: 59.999 s is not enough
  state.count = 2;
  assert.deepEqual(run(RESET_AFTER_MS), { delayMs: 1000, count: 1 });
  assert.deepEqual(run(5), { delayMs: 2000, count: 2 });
});

test('nextRestart: on-failure ignores a clean exit; nothing restarts a run that disabled itself', () => {
  const state: RestartCount = { count: 0 };
  assert.equal(nextRestart({ mode: 'on-failure', limit: 5 }, state, { failed: false, disabled: false, upMs: 1 }), undefined);
  assert.equal(nextRestart({ mode: 'always', limit: 5 }, state, { failed: true, disabled: true, upMs: 1 }), undefined);
  assert.equal(state.count, 0);
});
