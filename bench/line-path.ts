// The line path alone, in one process: a chunk of program output → LineSplitter → the `line`
// hook with the built-in formatters → FdWriter → /dev/null. No processes, pipes or start-up,
// so a change to the per-line code shows up above the noise of a shared machine. Reports the
// best of 5 runs of 1M lines (after a warm-up).
//
//   node --import tsx bench/line-path.ts [--text] [--strict] [--fields dinit|nested|ecs|gcp]
//
// --strict: DINIT_JSON_STRICT=1 (every `{…}` line validated); --fields: a DINIT_JSON_FIELDS profile.
//
// Under tsx the absolute figures run ~10-20% above those of the esbuild bundle dinit ships;
// compare variants the same way.

import * as fs from 'node:fs';
import { createHooks, STAGE } from '../src/hooks/hooks';
import type { Kernel } from '../src/kernel/kernel';
import { createLogger } from '../src/kernel/log';
import { OutputPipeline } from '../src/kernel/output-pipeline';
import { BUILTINS } from '../src/plugins';
import { logJson } from '../src/plugins/output/log-json';
import { logText } from '../src/plugins/output/log-text';

const text = process.argv.includes('--text');
const strict = process.argv.includes('--strict');
const fieldsAt = process.argv.indexOf('--fields');
const jsonFields = fieldsAt > 0 ? process.argv[fieldsAt + 1] : 'dinit';
const log = createLogger('warn', () => {});
const hooks = createHooks(() => log);
const kernel = { hooks, log, STAGE, config: { jsonStdout: !text, jsonStrict: strict, jsonFields, logFormat: 'text' } } as unknown as Kernel;
BUILTINS.find((p) => p.name === `json-fields-${jsonFields}`)!.apply(kernel, undefined);
logJson.apply(kernel, undefined);
logText.apply(kernel, undefined);
const devNull = fs.openSync('/dev/null', 'w');
const pipeline = new OutputPipeline(hooks, 1 << 20, { stdout: devNull, stderr: devNull }, () => {});

// About 64 KiB of typical JSON log lines: what one pipe read delivers under a flood.
const LINES_PER_CHUNK = 700;
let body = '';
for (let i = 0; i < LINES_PER_CHUNK; i++) body += `{"level":"info","seq":${100000 + i},"msg":"the quick brown fox jumps over the lazy dog"}\n`;
const chunk = Buffer.from(body);
// The same entry point the pipes use (OutputPipeline.feeder is private: this is a bench).
const feed = (pipeline as unknown as { feeder(s: string, st: string, str: string): { push(c: Buffer, n: number): void } }).feeder(
  'svc',
  'run',
  'stdout',
);

async function run(lines: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < lines; i += LINES_PER_CHUNK) {
    feed.push(chunk, chunk.length);
    // Let the writer's batches go out now and then, as the event loop would between reads.
    if ((i / LINES_PER_CHUNK) % 16 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  await pipeline.drained();
  return performance.now() - start;
}

void (async () => {
  await run(200_000);
  let best = Infinity;
  for (let k = 0; k < 5; k++) best = Math.min(best, await run(1_000_000));
  const variant = [text ? 'text' : 'JSON', strict ? 'strict' : '', fieldsAt > 0 ? `fields ${jsonFields}` : ''].filter(Boolean).join(', ');
  console.log(`${variant} line path: ${best.toFixed(0)} ns/line (best of 5 x 1M lines)`);
})();
