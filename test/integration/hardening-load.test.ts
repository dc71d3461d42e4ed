import assert from 'node:assert/strict';
import { test } from 'node:test';
import { numberedLinesCommand, SequenceChecker } from '../fixtures/commands';
import { normaliseRaw, runRaw } from '../fixtures/raw-run';
import { makeTree } from './harness';

const PREFIX = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (\S+)\/run: /;

/** `programs` services each writing `count` numbered lines (at `perSecond`), then exiting 115 ("disabled"): dinit exits 0 when all are done. */
async function flood(programs: number, count: number, width: number, perSecond: number) {
  const tree: Record<string, Record<string, string>> = {};
  for (let i = 0; i < programs; i++) tree[`p${i}`] = { run: `${numberedLinesCommand(`p${i}`, count, width, perSecond)}\nexit 115` };
  const checker = new SequenceChecker(width, new Map(Object.keys(tree).map((name) => [name, count])));
  let foreign = 0;
  const r = await runRaw(makeTree(tree), {
    env: { DINIT_JSON_STDOUT: '0' },
    timeoutMs: 120000,
    stdout: {
      kind: 'lines',
      onLine: (line) => {
        const text = line.toString('latin1');
        const prefix = PREFIX.exec(text);
        if (!prefix) return void foreign++;
        checker.check(text.slice(prefix[0].length));
      },
    },
  });
  return { r, checker, foreign };
}

test('200 programs at once: all start, every line arrives in order, dinit exits 0', async (t) => {
  const { r, checker, foreign } = await flood(200, 500, 80, 0);
  const err = normaliseRaw(r.stderr);
  assert.equal(r.code, 0, err.slice(-20).join('\n'));
  assert.equal(err.filter((l) => /^T dinit: info: p\d+\/run: running with PID <pid>$/.test(l)).length, 200);
  assert.equal(err.filter((l) => /^T dinit: info: p\d+\/run: PID <pid> finished and disabled itself$/.test(l)).length, 200);
  assert.deepEqual(checker.errors, []);
  assert.deepEqual(checker.missing(), []);
  assert.equal(foreign, 0);
  t.diagnostic(`200 programs: dinit CPU ${r.cpuSeconds.toFixed(2)} s, peak RSS ${(r.peakRssKiB / 1024).toFixed(1)} MiB`);
});

test('50 programs × 1,000 lines/s for 10 s: no loss, CPU reported', async (t) => {
  // 10 s instead of 30 s to keep CI time down: the rate, not the duration, is what is tested.
  const seconds = 10;
  const { r, checker, foreign } = await flood(50, 1000 * seconds, 120, 1000);
  assert.equal(r.code, 0, r.stderr.subarray(-2000).toString());
  assert.deepEqual(checker.errors, []);
  assert.deepEqual(checker.missing(), []);
  assert.equal(foreign, 0);
  t.diagnostic(
    `50 × 1,000 lines/s × ${seconds} s (500,000 lines, 60 MB): dinit CPU (utime+stime) ${r.cpuSeconds.toFixed(2)} s = ${((r.cpuSeconds / seconds) * 100).toFixed(0)}% of a core; peak RSS ${(r.peakRssKiB / 1024).toFixed(1)} MiB`,
  );
});
