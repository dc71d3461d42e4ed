import assert from 'node:assert/strict';
import { test } from 'node:test';
import { grep, makeTree, runDinit } from './harness';

test('JSON stdout gets service, stage and logged; other stdout is a warning; stderr is prefixed', async () => {
  const dir = makeTree({
    app: {
      run: String.raw`printf '{"a":1}\n{}\n{ }\nnot json\n\n\r\n{"b":"x y"}\r\n'
printf 'err line\n\nlast err without newline' >&2
printf '{"tail":true}'`,
    },
  });
  const r = await runDinit(dir);
  assert.equal(r.code, 0);
  assert.deepEqual(r.out, [
    '{"a":1,"service":"app","stage":"run","logged":"T"}',
    '{"service":"app","stage":"run","logged":"T"}',
    '{ "service":"app","stage":"run","logged":"T"}',
    '{"b":"x y","service":"app","stage":"run","logged":"T"}',
    '{"tail":true,"service":"app","stage":"run","logged":"T"}',
  ]);
  // Lines from the two pipes may interleave either way; each pipe's own order is fixed.
  assert.deepEqual(r.err.slice(0, 2), ['T dinit: info: app/run: starting', 'T dinit: info: app/run: running with PID <pid>']);
  assert.deepEqual(r.err.slice(2, 5).sort(), [
    'T app/run: err line',
    'T app/run: last err without newline',
    'T dinit: warning: app/run: not JSON stdout: not json',
  ]);
  assert.deepEqual(r.err.slice(5), [
    'T dinit: info: app/run: PID <pid> finished with status 0',
    'T dinit: info: dinit exiting with status 0',
  ]);
  for (const line of r.out) assert.doesNotThrow(() => JSON.parse(line.replace('"T"', '"2026"')));
});

test('text mode (DINIT_JSON_STDOUT=0) prefixes stdout lines on stdout', async () => {
  const dir = makeTree({ app: { run: `echo '{"a":1}'; echo plain; echo oops >&2` } });
  const r = await runDinit(dir, { env: { DINIT_JSON_STDOUT: '0' } });
  assert.equal(r.code, 0);
  assert.deepEqual(r.out, ['T app/run: {"a":1}', 'T app/run: plain']);
  assert.deepEqual(grep(r.err, 'oops'), ['T app/run: oops']);
});

test('timestamps are RFC 3339 UTC with milliseconds', async () => {
  const dir = makeTree({ app: { run: `echo '{}'; echo e >&2` } });
  const r = await runDinit(dir);
  assert.match(r.stdout, /"logged":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"\}\n$/);
  assert.match(r.stderr, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z dinit: info: /m);
});

test('keys service, stage and logged already in the line are renamed program_<key>', async () => {
  const dir = makeTree({
    app: { run: String.raw`echo '{"service":"mine","nested":{"stage":1},"logged":false,"program_logged":2}'` },
  });
  const r = await runDinit(dir);
  assert.deepEqual(r.out, [
    '{"program_service":"mine","nested":{"stage":1},"program_program_logged":false,"program_logged":2,"service":"app","stage":"run","logged":"T"}',
  ]);
  const parsed = JSON.parse(r.stdout);
  assert.equal(parsed.service, 'app');
  assert.equal(parsed.program_service, 'mine');
});

test('a long line passes whole up to DINIT_MAX_LINE and is split into pieces beyond, never lost', async () => {
  const dir = makeTree({
    app: { run: `head -c 300000 /dev/zero | tr '\\0' a; echo; head -c 2500 /dev/zero | tr '\\0' b; echo` },
  });
  const whole = await runDinit(dir, { env: { DINIT_JSON_STDOUT: '0' } });
  assert.deepEqual(
    whole.out.map((l) => l.length),
    [300000 + 'T app/run: '.length, 2500 + 'T app/run: '.length],
  );
  const split = await runDinit(dir, { env: { DINIT_JSON_STDOUT: '0', DINIT_MAX_LINE: '1000' } });
  const lengths = split.out.map((l) => l.length - 'T app/run: '.length);
  assert.deepEqual(lengths, [...Array(300).fill(1000), 1000, 1000, 500]);
  assert.equal(split.out.join('').replace(/T app\/run: /g, ''), 'a'.repeat(300000) + 'b'.repeat(2500));
});

test('nothing is lost at exit: every line of a flood arrives, then dinit exits', async () => {
  const dir = makeTree({
    flood: { run: `seq 1 50000 >&2 & seq 1 200000 | sed 's/.*/{"i":&}/'; wait` },
  });
  const r = await runDinit(dir, { env: { DINIT_LOG_LEVEL: 'warn' } });
  assert.equal(r.code, 0);
  assert.equal(r.out.length, 200000);
  assert.equal(r.out[199999], '{"i":200000,"service":"flood","stage":"run","logged":"T"}');
  assert.equal(grep(r.err, /^T flood\/run: \d+$/).length, 50000);
  // Per-stream order is kept.
  const numbers = r.out.map((l) => Number(/"i":(\d+)/.exec(l)![1]));
  assert.ok(numbers.every((n, i) => n === i + 1));
});

test('programs get real pipes: writing to /dev/stdout and /dev/stderr works (a socket there would fail with ENXIO)', async () => {
  const dir = makeTree({
    app: { run: `echo '{"to":"dev-stdout"}' > /dev/stdout; echo to-dev-stderr > /dev/stderr; [ -p /dev/stdout ] && echo '{"fifo":true}'` },
  });
  const r = await runDinit(dir);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.out, [
    '{"to":"dev-stdout","service":"app","stage":"run","logged":"T"}',
    '{"fifo":true,"service":"app","stage":"run","logged":"T"}',
  ]);
  assert.ok(r.err.includes('T app/run: to-dev-stderr'), r.stderr);
});
