import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeTree, runDinit } from './harness';
import { MAX_LINE_LIMIT } from '../../src/kernel/limits';

/**
 * The line path at its limits (issue 13, items 8 and 13): a line of exactly DINIT_MAX_LINE
 * bytes passes whole (JSON and text), one byte more is split, the largest DINIT_MAX_LINE
 * really works, and the `\r` of a `\r\n` is dropped whatever the read boundaries.
 */

/** Shell that writes `n` bytes of `x` (no newline). */
const xs = (n: number): string => `head -c ${n} /dev/zero | tr '\\0' x`;

test('a line of exactly DINIT_MAX_LINE bytes ending in \\r loses its \\r whether the \\n comes with it or later', { timeout: 60000 }, async () => {
  const max = 1000;
  const run = [
    // Exactly max bytes, the last one \r; the \n in a later write (and read).
    `${xs(max - 2)} >&2; printf 'A\\r' >&2; sleep 0.5; printf '\\n' >&2`,
    `${xs(max - 2)} >&2; printf 'B\\r\\n' >&2`,
    // max bytes of content, then \r as byte max+1.
    `${xs(max - 1)} >&2; printf 'C\\r' >&2; sleep 0.5; printf '\\n' >&2`,
    `${xs(max - 1)} >&2; printf 'D\\r\\n' >&2`,
    // max+1 bytes of content: split, the \r dropped.
    `${xs(max)} >&2; printf 'E\\r' >&2; sleep 0.5; printf '\\n' >&2`,
  ].join('; sleep 0.2; ');
  const dir = makeTree({ a: { run } });
  const r = await runDinit(dir, { env: { DINIT_MAX_LINE: String(max), DINIT_LOG_LEVEL: 'warn' }, timeoutMs: 30000 });
  assert.equal(r.code, 0, r.stderr);
  const lines = r.err.map((l) => l.replace(/x+/, (m) => `x*${m.length}`));
  assert.deepEqual(lines, [
    `T a/run: x*${max - 2}A`,
    `T a/run: x*${max - 2}B`,
    `T a/run: x*${max - 1}C`,
    `T a/run: x*${max - 1}D`,
    // A line of max+1 bytes (content) is split: max, then the rest; the \r is never kept.
    `T a/run: x*${max}`,
    'T a/run: E',
  ]);
  assert.doesNotMatch(r.stderr, /\r/);
});

test(`the largest DINIT_MAX_LINE (${MAX_LINE_LIMIT}) works: exactly max passes whole (JSON and text), max+1 is split`, { timeout: 120000 }, async () => {
  const max = MAX_LINE_LIMIT;
  // JSON: {"a":"xxx…"} of exactly max bytes; text (stderr): max bytes, then max+1 bytes.
  const run = [
    `{ printf '{"a":"'; ${xs(max - 8)}; printf '"}\\n'; }`,
    `{ ${xs(max)}; printf '\\n'; } >&2`,
    `{ ${xs(max)}; printf 'y\\n'; } >&2`,
    'sleep 1; grep VmHWM /proc/1/status >&2',
  ].join('; ');
  const dir = makeTree({ a: { run } });
  const r = await runDinit(dir, { env: { DINIT_MAX_LINE: String(max), DINIT_LOG_LEVEL: 'warn' }, timeoutMs: 100000 });
  assert.equal(r.code, 0, r.stderr.slice(0, 2000));
  const out = r.stdout.split('\n').filter((l) => l !== '');
  assert.equal(out.length, 1, 'one JSON line');
  const record = JSON.parse(out[0]) as { a: string; service: string; stage: string };
  assert.equal(record.a.length, max - 8);
  assert.equal(record.service, 'a');
  const err = r.stderr.split('\n').filter((l) => l !== '');
  const shapes = err.map((l) => l.replace(/^\S+ /, 'T ').replace(/x+/, (m) => `x*${m.length}`));
  const hwm = shapes.pop();
  assert.deepEqual(shapes, [`T a/run: x*${max}`, `T a/run: x*${max}`, 'T a/run: y']);
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(hwm ?? '')?.[1]);
  console.log(`dinit peak RSS with ${max}-byte lines: ${Math.round(kb / 1024)} MiB`);
  assert.ok(kb > 0 && kb < 1024 * 1024, `dinit's peak RSS stays under 1 GiB (${kb} kB)`);
});
