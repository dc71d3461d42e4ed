import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';
import { numberedLinesCommand, SequenceChecker } from '../fixtures/commands';
import { normaliseRaw, runRaw } from '../fixtures/raw-run';
import { makeTree } from './harness';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const PREFIX = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (\S+)\/(\S+): /;

test('slow consumer: 4 programs × 20 MB read at 5 MB/s: every line once, whole, in order; RSS bounded; SIGTERM in time', async (t) => {
  // Scaled from 4 × 50 MB at 1 MB/s (200+ s) to 4 × 20 MB read at 5 MB/s (~20 s): the
  // producers write hundreds of MB/s, so the consumer is still what limits the flow.
  const programs = 4;
  const count = 200_000;
  const width = 100;
  const tree: Record<string, Record<string, string>> = {};
  for (let i = 0; i < programs; i++) {
    // The trap records when SIGTERM arrived, then the shell waits for its writer to finish:
    // every line must still arrive after the stop began.
    tree[`p${i}`] = {
      run: `${numberedLinesCommand(`p${i}`, count, width)} &
trap 'date +%s%N > "$PWD/../term-p${i}"' TERM
wait $!; wait $!`,
    };
  }
  const dir = makeTree(tree);
  const checker = new SequenceChecker(width, new Map(Object.keys(tree).map((name) => [name, count])));
  let foreign = 0;
  let sentAt = 0n;
  const r = await runRaw(dir, {
    env: { DINIT_JSON_STDOUT: '0' },
    timeoutMs: 120000,
    stdout: {
      kind: 'lines',
      bytesPerSecond: 5 * 1024 * 1024,
      onLine: (line) => {
        const text = line.toString('latin1');
        const prefix = PREFIX.exec(text);
        if (!prefix || prefix[2] !== 'run') return void foreign++;
        checker.check(text.slice(prefix[0].length));
      },
    },
    during: async (d) => {
      for (let i = 0; i < programs; i++) await d.waitFor(new RegExp(`p${i}/run: running with PID`));
      // Let dinit's queue fill up and the pipes pause while the consumer lags behind.
      await sleep(3000);
      sentAt = BigInt(Date.now()) * 1_000_000n;
      d.signal('SIGTERM');
    },
  });
  assert.equal(r.code, 0, r.stderr.toString().slice(-3000));
  assert.deepEqual(checker.errors, []);
  assert.deepEqual(checker.missing(), []);
  assert.equal(foreign, 0);
  const latencies = Object.keys(tree).map((name) => Number(BigInt(fs.readFileSync(`${dir}/term-${name}`, 'utf8').trim()) - sentAt) / 1e6);
  t.diagnostic(`SIGTERM latency per program (ms): ${latencies.map((l) => l.toFixed(1)).join(', ')}`);
  t.diagnostic(`dinit peak RSS (VmHWM): ${(r.peakRssKiB / 1024).toFixed(1)} MiB; CPU ${r.cpuSeconds.toFixed(1)} s`);
  for (const latency of latencies) assert.ok(latency < 200, `SIGTERM reached a program after ${latency} ms`);
  // Node's own footprint is ~50 MiB, the queue is bounded at a few MiB and written chunks are
  // reused: measured ~64 MiB. Without the chunk reuse it measured ~124 MiB; without the
  // backpressure it would grow with the 80 MB backlog. 100 MiB catches both.
  assert.ok(r.peakRssKiB > 0 && r.peakRssKiB < 100 * 1024, `peak RSS ${r.peakRssKiB} KiB`);
});

test("dinit's stdout closed (reader gone, EPIPE): logged once, supervision goes on, exit status still right", async () => {
  const dir = makeTree({
    chatty: { run: `i=0; while [ $i -lt 2000 ]; do echo '{"n":'$i'}'; i=$((i+1)); done; echo "wrote all" >&2; sleep 0.5; echo "failing now" >&2; exit 2` },
    idle: { run: 'exec sleep 1000' },
  });
  const r = await runRaw(dir, { stdout: { kind: 'close' } });
  const err = normaliseRaw(r.stderr);
  assert.equal(r.code, 3, r.stderr.toString());
  assert.equal(err.filter((l) => l.includes('error writing stdout')).length, 1, r.stderr.toString());
  assert.match(err.find((l) => l.includes('error writing stdout'))!, /^T dinit: warning: error writing stdout: .*EPIPE.*; further stdout output is discarded$/);
  assert.ok(err.includes('T chatty/run: failing now'));
  assert.ok(err.includes('T dinit: info: idle/run: PID <pid> finished with signal 15'));
  assert.equal(err.at(-1), 'T dinit: info: dinit exiting with status 3');
});

test("dinit's stderr closed, then both closed: no crash, programs still supervised, exit status still right", async () => {
  const dir = makeTree({
    noisy: { run: `i=0; while [ $i -lt 2000 ]; do echo "complaint $i" >&2; i=$((i+1)); done; echo '{"done":true}'; sleep 0.3; exit 2` },
    idle: { run: 'exec sleep 1000' },
  });
  const r = await runRaw(dir, { closeStderr: true });
  assert.equal(r.code, 3);
  assert.equal(normaliseRaw(r.stdout).join('\n'), '{"done":true,"service":"noisy","stage":"run","logged":"T"}');
  const both = await runRaw(dir, { closeStderr: true, stdout: { kind: 'close' } });
  assert.equal(both.code, 3);
  // A stop requested by SIGTERM is still a success with nobody listening.
  const stopped = await runRaw(makeTree({ a: { run: `while :; do echo '{"tick":1}'; echo tock >&2; sleep 0.01; done` } }), {
    closeStderr: true,
    stdout: { kind: 'close' },
    during: async (d) => {
      await sleep(700);
      d.signal('SIGTERM');
    },
  });
  assert.equal(stopped.code, 0);
});

/** Lines as LineSplitter cuts them (for the reference): split at \n, trailing \r removed, empty ones skipped. */
function referenceLines(data: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  while (at < data.length) {
    let nl = data.indexOf(10, at);
    if (nl === -1) nl = data.length;
    let end = nl;
    if (end > at && data[end - 1] === 13) end--;
    if (end > at) out.push(data.subarray(at, end));
    at = nl + 1;
  }
  return out;
}

/** The bytes after `<time> <service>/<stage>: ` of each output line from `service`. */
function payloads(output: Buffer, label: string): Buffer[] {
  const out: Buffer[] = [];
  for (const line of referenceLinesRaw(output)) {
    const text = line.toString('latin1');
    const prefix = PREFIX.exec(text);
    if (prefix && `${prefix[1]}/${prefix[2]}` === label) out.push(line.subarray(Buffer.byteLength(prefix[0], 'latin1')));
  }
  return out;
}

function referenceLinesRaw(output: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0, nl = output.indexOf(10); nl !== -1; at = nl + 1, nl = output.indexOf(10, at)) out.push(output.subarray(at, nl));
  return out;
}

test('binary garbage and invalid UTF-8 pass through byte-exact (no U+FFFD), JSON-looking lines with invalid UTF-8 included', async () => {
  let seed = 12345;
  const garbage = Buffer.alloc(256 * 1024);
  for (let i = 0; i < garbage.length; i++) garbage[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
  const dir = makeTree({ bin: { run: `cat "$PWD/../garbage"; cat "$PWD/../garbage" >&2; sleep 0.2` } });
  fs.writeFileSync(`${dir}/garbage`, garbage);
  const want = referenceLines(garbage);
  const text = await runRaw(dir, { env: { DINIT_JSON_STDOUT: '0' } });
  assert.equal(text.code, 0, text.stderr.toString('latin1').slice(-2000));
  // U+FFFD would mean something decoded the bytes; the generated garbage contains none.
  assert.ok(!garbage.includes(Buffer.from('\uFFFD')) && !text.stdout.includes(Buffer.from('\uFFFD')) && !text.stderr.includes(Buffer.from('\uFFFD')));
  const gotOut = payloads(text.stdout, 'bin/run');
  const gotErr = payloads(text.stderr, 'bin/run');
  assert.equal(gotOut.length, want.length);
  assert.ok(gotOut.every((line, i) => line.equals(want[i])), 'stdout bytes differ');
  assert.equal(gotErr.length, want.length);
  assert.ok(gotErr.every((line, i) => line.equals(want[i])), 'stderr bytes differ');

  // JSON mode: an object line with invalid UTF-8 is still extended and emitted; other lines become warnings, bytes intact.
  const bad = Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]);
  const jsonLine = Buffer.concat([Buffer.from('{"msg":"'), bad, Buffer.from('","service":"x"}')]);
  fs.writeFileSync(`${dir}/bin/lines`, Buffer.concat([jsonLine, Buffer.from('\n'), bad, Buffer.from('\n')]));
  fs.writeFileSync(`${dir}/bin/run`, '#!/bin/sh\ncat lines\n', { mode: 0o755 });
  const json = await runRaw(dir);
  assert.equal(json.code, 0);
  const fields = Buffer.from('"service":"bin","stage":"run","logged":"');
  const outLines = referenceLinesRaw(json.stdout);
  assert.equal(outLines.length, 1);
  const expected = Buffer.concat([Buffer.from('{"msg":"'), bad, Buffer.from('","program_service":"x",'), fields]);
  assert.ok(outLines[0].subarray(0, expected.length).equals(expected), outLines[0].toString('latin1'));
  assert.match(outLines[0].subarray(expected.length).toString('latin1'), /^\d{4}-\d\d-\d\dT[\d:.]+Z"\}$/);
  const warning = referenceLinesRaw(json.stderr).find((l) => l.includes(Buffer.from('not JSON stdout: ')));
  assert.ok(warning && warning.subarray(warning.length - bad.length).equals(bad), json.stderr.toString('latin1'));
});

test('a 100 MiB line and 10 MiB without any newline arrive in DINIT_MAX_LINE pieces, nothing lost', async () => {
  const maxLine = 1_000_003;
  const pattern = 'abcdefg';
  const bigLength = 100 * 1024 * 1024;
  const noNewline = 10 * 1024 * 1024 + 12345;
  const dir = makeTree({
    big: {
      run: `yes ${pattern} | tr -d '\\n' | head -c ${bigLength}; echo
yes ${pattern} | tr -d '\\n' | head -c ${noNewline} >&2`,
    },
  });
  const reference = Buffer.from(pattern.repeat(Math.ceil((maxLine + pattern.length) / pattern.length)));
  // Checks each piece as it arrives: continues the pattern, exactly maxLine long except the last.
  const verifier = () => {
    const state = { offset: 0, pieces: 0, short: 0, errors: [] as string[] };
    const add = (piece: Buffer): void => {
      const start = state.offset % pattern.length;
      if (!piece.equals(reference.subarray(start, start + piece.length)) && state.errors.length < 5) state.errors.push(`piece ${state.pieces} at ${state.offset} differs`);
      if (piece.length !== maxLine) state.short++;
      state.offset += piece.length;
      state.pieces++;
    };
    return { state, add };
  };
  const out = verifier();
  const r = await runRaw(dir, {
    env: { DINIT_JSON_STDOUT: '0', DINIT_MAX_LINE: String(maxLine) },
    timeoutMs: 120000,
    stdout: {
      kind: 'lines',
      onLine: (line) => {
        const text = line.subarray(0, 64).toString('latin1');
        const prefix = PREFIX.exec(text);
        assert.ok(prefix, text);
        out.add(line.subarray(prefix[0].length));
      },
    },
  });
  assert.equal(r.code, 0, r.stderr.subarray(-2000).toString('latin1'));
  assert.deepEqual(out.state.errors, []);
  assert.equal(out.state.offset, bigLength);
  assert.equal(out.state.pieces, Math.ceil(bigLength / maxLine));
  assert.equal(out.state.short, 1);
  const err = verifier();
  for (const piece of payloads(r.stderr, 'big/run')) err.add(piece);
  assert.deepEqual(err.state.errors, []);
  assert.equal(err.state.offset, noNewline);
  assert.equal(err.state.pieces, Math.ceil(noNewline / maxLine));
});
