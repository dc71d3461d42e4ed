import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { grep, makeFiles, makeTree, runDinit } from './harness';

/**
 * A `line` tap that returns something other than the record (issue 13, item 11) is a failing
 * tap: one error naming the plugin (then counted, not per line), and the line goes on as it was.
 */
test('a line tap returning 5, "str", {}, [], null is a failing tap; the lines go on unchanged', { timeout: 60000 }, async () => {
  const cases: Array<[string, string]> = [
    ['5', 'number 5'],
    ['"str"', 'a string'],
    ['({})', 'another object'],
    ['[]', 'an array'],
    ['null', 'null'],
    ['({ ...r })', 'another object'],
  ];
  for (const [value, shown] of cases) {
    const files = makeFiles({
      'dinit.config.json': JSON.stringify({ plugins: ['./bad.cjs'] }),
      'bad.cjs': `module.exports = { name: 'bad-tap', apply(k) { k.hooks.line.tap({ name: 'bad-tap', stage: k.STAGE.TRANSFORM }, (r) => ${value}); } };`,
    });
    const dir = makeTree({ a: { run: 'echo one >&2; echo \'{"n":2}\'; echo three >&2' } });
    const r = await runDinit(dir, { env: { DINIT_CONFIG: path.join(files, 'dinit.config.json'), DINIT_LOG_LEVEL: 'warn' }, timeoutMs: 20000 });
    assert.equal(r.code, 0, r.stderr);
    const failures = grep(r.err, 'plugin bad-tap failed in hook line');
    assert.equal(failures[0], `T dinit: error: plugin bad-tap failed in hook line: returned ${shown} instead of the line record it was given`, value);
    assert.ok(failures.length <= 3, `logged a few times at most (${failures.length})`);
    assert.deepEqual(grep(r.err, 'a/run:'), ['T a/run: one', 'T a/run: three'], value);
    assert.equal(r.out.length, 1, value);
    assert.deepEqual(JSON.parse(r.out[0]).n, 2);
    assert.doesNotMatch(r.stdout + r.stderr, /undefined/);
  }
});

test('returning undefined (tapable: unchanged) and returning the record are fine', { timeout: 30000 }, async () => {
  const files = makeFiles({
    'dinit.config.json': JSON.stringify({ plugins: ['./ok.cjs'] }),
    'ok.cjs': `module.exports = { name: 'ok-tap', apply(k) {
      k.hooks.line.tap({ name: 'ok-tap', stage: k.STAGE.TRANSFORM }, (r) => { r.raw = r.raw.toUpperCase(); });
      k.hooks.line.tap({ name: 'ok-tap2', stage: k.STAGE.TRANSFORM }, (r) => r); } };`,
  });
  const dir = makeTree({ a: { run: 'echo one >&2' } });
  const r = await runDinit(dir, { env: { DINIT_CONFIG: path.join(files, 'dinit.config.json'), DINIT_LOG_LEVEL: 'warn' }, timeoutMs: 20000 });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.err, ['T a/run: ONE']);
});
