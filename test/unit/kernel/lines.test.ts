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
    // Exactly the same pieces, \r included: one rule whatever the read boundaries (issue 13 item 13).
    assert.deepEqual(split(chunks, maxLine), reference(data, maxLine), `run ${run}`);
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

test('the CR rule: the CR of a CRLF is never part of the line, whatever the read boundaries', () => {
  // The rule: a line is measured without its \r\n. Up to maxLine bytes it passes whole; the
  // \r before the \n is dropped even when it is byte maxLine+1 and the \n comes in a later read.
  const random = seeded(13);
  for (let run = 0; run < 500; run++) {
    const maxLine = 1 + Math.floor(random() * 40);
    const length = Math.max(1, maxLine + Math.floor(random() * 5) - 2);
    const body = 'x'.repeat(length - 1) + (random() < 0.5 ? '\r' : 'y');
    const data = Buffer.from(`${body}\r\nnext\r\n${'z'.repeat(maxLine)}\r`, 'latin1');
    const want = reference(data, maxLine);
    for (let cut = 0; cut <= data.length; cut++) {
      assert.deepEqual(split([data.subarray(0, cut), data.subarray(cut)], maxLine), want, `maxLine ${maxLine}, body ${JSON.stringify(body)}, cut ${cut}`);
    }
    assert.deepEqual(split(randomChunks(data, random, 3), maxLine), want);
  }
  // The case of the issue: exactly maxLine bytes ending in \r, the \n in the next read.
  assert.deepEqual(split([Buffer.from('abc\r'), Buffer.from('\n')], 4), ['abc']);
  assert.deepEqual(split([Buffer.from('abc\r\n')], 4), ['abc']);
  assert.deepEqual(split([Buffer.from('abcd\r'), Buffer.from('\n')], 4), ['abcd']);
});
