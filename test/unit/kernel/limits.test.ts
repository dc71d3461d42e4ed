import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeValue, excerpt } from '../../../src/kernel/excerpt';
import { MAX_LINE_LIMIT, MAX_SECONDS, maxLineProblem, parseSeconds, secondsProblem } from '../../../src/kernel/limits';

test('MAX_SECONDS is the longest whole-second delay a Node timer holds', () => {
  assert.equal(MAX_SECONDS, 2147483);
  assert.ok(MAX_SECONDS * 1000 <= 2 ** 31 - 1 && (MAX_SECONDS + 1) * 1000 > 2 ** 31 - 1);
});

test('parseSeconds: Go syntax, the range, negative handling', () => {
  assert.deepEqual(parseSeconds('0x1e', 'refuse'), { seconds: 30 });
  assert.deepEqual(parseSeconds('2147483', 'refuse'), { seconds: 2147483 });
  assert.deepEqual(parseSeconds('2147484', 'refuse'), { outOfRange: true });
  assert.deepEqual(parseSeconds('-1', 'refuse'), { outOfRange: true });
  assert.deepEqual(parseSeconds('-1', 'zero'), { seconds: 0 });
  assert.equal(parseSeconds('1.5', 'zero'), undefined);
});

test('config-file checks: integers in range only', () => {
  for (const bad of [-1, 1.5, '5', 2147484, Number.NaN, null]) assert.ok(secondsProblem(bad), String(bad));
  assert.equal(secondsProblem(0), undefined);
  assert.equal(maxLineProblem(MAX_LINE_LIMIT), undefined);
  assert.ok(maxLineProblem(MAX_LINE_LIMIT + 1));
  assert.ok(maxLineProblem(0));
});

test('describeValue is bounded: an alias bomb, a cycle, a long string, getters', () => {
  let bomb: unknown = ['lol', 'lol', 'lol', 'lol', 'lol', 'lol', 'lol', 'lol', 'lol'];
  for (let i = 0; i < 30; i++) bomb = Array(9).fill(bomb);
  const started = Date.now();
  const text = describeValue(bomb);
  assert.ok(Date.now() - started < 100);
  assert.ok(text.length <= 121 && text.endsWith('…'), text);
  const cycle: Record<string, unknown> = { a: 1 };
  cycle.self = cycle;
  assert.equal(describeValue(cycle), '{"a":1,"self":[circular]}');
  assert.equal(describeValue('x'.repeat(1000)).length, 121);
  let called = false;
  const getter = Object.defineProperty({}, 'g', { enumerable: true, get: () => (called = true) });
  assert.equal(describeValue(getter), '{"g":[getter]}');
  assert.equal(called, false, 'no user code runs');
  assert.equal(describeValue({ k: 'a\nb' }), '{"k":"a\\nb"}');
  assert.equal(describeValue(5), '5');
});

test('excerpt cuts and escapes', () => {
  assert.equal(excerpt('short'), 'short');
  assert.equal(excerpt('a'.repeat(200)), `${'a'.repeat(120)}…`);
  assert.equal(excerpt('a\nb\x1b'), 'a\\nb\\x1b');
});
