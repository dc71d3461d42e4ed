import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStrictJson } from '../../../../src/plugins/output/strict-json';

const bin = (s: string) => Buffer.from(s).toString('latin1');

test('known cases', () => {
  for (const ok of ['{}', '{ }', '[]', '{"a":1}', '{"a":[1,2,{"b":null}],"c":true,"d":false}', ' {"a" : -0.5e+10 } ', '{"\\u00e9\\n\\"":"\\/"}', '0', '"x"', '[[[]]]']) {
    assert.equal(isStrictJson(ok), true, ok);
  }
  assert.equal(isStrictJson(bin('{"é":"ü€😀"}')), true);
  for (const bad of ['', '{', '}', '{bad}', '{"a":1,}', '{"a" 1}', '{"a":01}', '{"a":1.}', '{"a":.5}', '{"a":+1}', '{"a":"\t"}', '{"a":"\\x"}', '{"a":"\\u12"}', '[1,]', '{"a":1}}', '{"a":1} x', '{"a":tru}', "{'a':1}", '{"a":"\xff"}', '{"a":"\xc3"}', '{"a":"\xed\xa0\x80"}', '{"a":"\xc0\xaf"}', '{\xc3\xa9:1}']) {
    assert.equal(isStrictJson(bad), false, JSON.stringify(bad));
  }
});

test('nesting as deep as a long line: no stack overflow, no exception', () => {
  assert.equal(isStrictJson(`{"a":${'['.repeat(500000)}${']'.repeat(500000)}}`), true);
  assert.equal(isStrictJson(`{"a":${'['.repeat(500000)}${']'.repeat(499999)}}`), false);
});
