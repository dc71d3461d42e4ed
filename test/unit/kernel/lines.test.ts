import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineSplitter } from '../../../src/kernel/lines';
import { randomChunks, seeded } from '../random';

/** The reference: split the whole input at once, the obvious way. */
function reference(data: Buffer, maxLine: number): string[] {
  const out: string[] = [];
  const text = data.toString('latin1');
  const parts = text.split('\n');
  parts.forEach((part) => {
    let line = part.endsWith('\r') ? part.slice(0, -1) : part;
    if (line === '') return;
    while (line.length > maxLine) {
      out.push(line.slice(0, maxLine));
      line = line.slice(maxLine);
    }
    out.push(line);
  });
  return out;
}

function split(chunks: Buffer[], maxLine: number): string[] {
  const out: string[] = [];
  const splitter = new LineSplitter(maxLine, (line) => out.push(line));
  for (const chunk of chunks) splitter.push(chunk.toString('latin1'));
  splitter.end();
  return out;
}

function randomInput(random: () => number, length: number): Buffer {
  const alphabet = [0x61, 0x62, 0x0a, 0x0d, 0x7b, 0x7d, 0x00, 0xff, 0xc3, 0x20];
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) bytes[i] = alphabet[Math.floor(random() * alphabet.length)];
  return bytes;
}

test('random chunking gives the same lines as splitting at once (fixed seed)', () => {
  const runs = Number(process.env.DINIT_FUZZ_RUNS ?? 300);
  const random = seeded(20261129);
  for (let run = 0; run < runs; run++) {
    const data = randomInput(random, Math.floor(random() * 3000));
    const maxLine = 1 + Math.floor(random() * 200);
    const chunks = randomChunks(data, random, 1 + Math.floor(random() * 500));
    // Pieces of over-long lines may be cut at other places when a \r ends a piece; compare the content.
    const got = split(chunks, maxLine);
    const want = reference(data, maxLine);
    if (!data.includes(0x0d)) assert.deepEqual(got, want, `run ${run}`);
    else assert.equal(got.join('').replaceAll('\r', ''), want.join('').replaceAll('\r', ''), `run ${run}`);
  }
});

test('bytes pass through unchanged, no decoding (binary strings round-trip)', () => {
  const bytes = Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28, 0x0a]);
  const out: Buffer[] = [];
  const splitter = new LineSplitter(1024, (line) => out.push(Buffer.from(line, 'latin1')));
  splitter.push(bytes.toString('latin1'));
  assert.deepEqual(out, [bytes.subarray(0, 5)]);
});

test('empty lines and lone \\r are skipped; the final unterminated line comes at end()', () => {
  assert.deepEqual(split([Buffer.from('\n\r\na\r\n\nb')], 100), ['a', 'b']);
});

test('a line longer than maxLine arriving in small chunks is emitted in maxLine pieces as it arrives', () => {
  const out: string[] = [];
  const splitter = new LineSplitter(4, (line) => out.push(line));
  for (const c of 'abcdefghij') splitter.push(c);
  assert.deepEqual(out, ['abcd', 'efgh']);
  splitter.push('\n');
  assert.deepEqual(out, ['abcd', 'efgh', 'ij']);
});
