import assert from 'node:assert/strict';
import { isUtf8 } from 'node:buffer';
import { test } from 'node:test';
import { escapeBytes, escapeControl } from '../../../src/kernel/escape';
import { seeded } from '../random';

const bytes = (...b: number[]): string => Buffer.from(b).toString('latin1');

test('escapeControl: C0, DEL and C1 escaped; the same string back when clean', () => {
  const clean = 'plain text, café, 日本';
  assert.equal(escapeControl(clean), clean);
  assert.equal(escapeControl('a\nb\rc\td\x1b[31m\x7f\u009b\u0000'), 'a\\nb\\rc\\td\\x1b[31m\\x7f\\u009b\\x00');
});

test('escapeBytes: valid UTF-8 decoded, every other byte \\xNN, never U+FFFD', () => {
  assert.equal(escapeBytes('plain'), 'plain');
  assert.equal(escapeBytes(bytes(0x63, 0x61, 0x66, 0xe9)), 'caf\\xe9');
  assert.equal(escapeBytes(Buffer.from('café ✓ 😀').toString('latin1')), 'café ✓ 😀');
  assert.equal(escapeBytes(bytes(0xc0, 0xaf)), '\\xc0\\xaf', 'overlong');
  assert.equal(escapeBytes(bytes(0xe0, 0x80, 0xaf)), '\\xe0\\x80\\xaf', 'overlong 3-byte');
  assert.equal(escapeBytes(bytes(0xed, 0xa0, 0x80)), '\\xed\\xa0\\x80', 'surrogate');
  assert.equal(escapeBytes(bytes(0xf4, 0x90, 0x80, 0x80)), '\\xf4\\x90\\x80\\x80', 'above U+10FFFF');
  assert.equal(escapeBytes(bytes(0xe2, 0x9c)), '\\xe2\\x9c', 'truncated');
  assert.equal(escapeBytes(bytes(0xc2, 0x9b, 0x0a)), '\\u009b\\n', 'C1 CSI and newline');
});

test('escapeBytes on random bytes: one line, no control character, UTF-8 kept when valid', () => {
  const random = seeded(6);
  for (let run = 0; run < 2000; run++) {
    const buffer = Buffer.alloc(Math.floor(random() * 12));
    for (let i = 0; i < buffer.length; i++) buffer[i] = random() < 0.5 ? Math.floor(random() * 256) : 0x20 + Math.floor(random() * 0x5f);
    const out = escapeBytes(buffer.toString('latin1'));
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(out, /[\u0000-\u001f\u007f-\u009f\ufffd]/);
    const text = buffer.toString('utf8');
    if (isUtf8(buffer)) assert.equal(out, escapeControl(text));
  }
});
