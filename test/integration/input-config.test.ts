import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { CLI, grep, makeFiles, makeTree, runDinit } from './harness';

/**
 * Bad settings (issue 13, items 7–10): every one is refused with one clear message naming the
 * variable or key, the value and the allowed range, by dinit (exit 1, nothing started) and by
 * `dinit check` (listed, exit 1). Never a raw TypeError/RangeError, never an overflowing timer.
 */

const idle = 'exec sleep 1000';
const TIMER_RANGE = 'whole seconds from 0 to 2147483 (the longest a timer can wait, about 24 days)';
const LINE_RANGE = 'an integer number of bytes from 1 to 67108864 (64 MiB)';

function check(args: string[], env: Record<string, string> = {}) {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(base)) if (key.startsWith('DINIT_')) delete base[key];
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'dinit-input-cwd-'));
  const started = Date.now();
  const r = spawnSync(process.execPath, [CLI, 'check', ...args], { env: { ...base, ...env }, cwd, encoding: 'utf8', timeout: 30000 });
  return { code: r.status, out: r.stdout.split('\n').filter((l) => l !== ''), stderr: r.stderr, ms: Date.now() - started };
}

/** Runs dinit on a one-service tree; it must refuse before starting anything. */
async function refused(env: Record<string, string>): Promise<string[]> {
  const dir = makeTree({ a: { run: idle } });
  const r = await runDinit(dir, { env, timeoutMs: 30000 });
  assert.equal(r.code, 1, r.stderr);
  assert.deepEqual(grep(r.err, 'starting'), [], 'nothing was started');
  assert.doesNotMatch(r.stderr, /TypeError|RangeError|\n\s+at /, 'no raw exception');
  return r.err;
}

test('DINIT_KILL_TIMEOUT beyond what a timer holds is refused (it used to SIGKILL after 1 ms)', { timeout: 60000 }, async () => {
  assert.deepEqual(await refused({ DINIT_KILL_TIMEOUT: '9999999' }), [`T dinit: error: invalid kill timeout 9999999: DINIT_KILL_TIMEOUT must be ${TIMER_RANGE}`]);
  // The largest value is accepted; Go's negative value (SIGKILL at once) still is.
  const dir = makeTree({ a: { run: 'exit 0' } });
  for (const value of ['2147483', '-5']) {
    const r = await runDinit(dir, { env: { DINIT_KILL_TIMEOUT: value }, timeoutMs: 20000 });
    assert.equal(r.code, 0, r.stderr);
  }
  const r = check([dir], { DINIT_KILL_TIMEOUT: '2147484' });
  assert.equal(r.code, 1);
  assert.deepEqual(r.out, [`environment: invalid kill timeout 2147484: DINIT_KILL_TIMEOUT must be ${TIMER_RANGE}`, '1 problem']);
});

test('DINIT_STOP_TIMEOUT and DINIT_STOP_DELAY: the same range, the same message shape', { timeout: 60000 }, async () => {
  assert.deepEqual(await refused({ DINIT_STOP_TIMEOUT: '2147484' }), [`T dinit: error: invalid stop timeout 2147484: DINIT_STOP_TIMEOUT must be ${TIMER_RANGE}`]);
  assert.deepEqual(await refused({ DINIT_STOP_DELAY: '0x7fffffff' }), [`T dinit: error: invalid stop delay 0x7fffffff: DINIT_STOP_DELAY must be ${TIMER_RANGE}`]);
  assert.deepEqual(await refused({ DINIT_STOP_DELAY: '-1' }), [`T dinit: error: invalid stop delay -1: DINIT_STOP_DELAY must be ${TIMER_RANGE}`]);
});

test('dinit check lists every bad variable, not only the first', { timeout: 30000 }, () => {
  const dir = makeTree({ a: { run: idle } });
  const r = check([dir], { DINIT_KILL_TIMEOUT: '9999999', DINIT_STOP_TIMEOUT: 'x', DINIT_STOP_DELAY: '-1', DINIT_MAX_LINE: '1073741824', DINIT_LOG_LEVEL: 'loud' });
  assert.equal(r.code, 1);
  assert.deepEqual(r.out, [
    'environment: invalid log level loud',
    `environment: invalid kill timeout 9999999: DINIT_KILL_TIMEOUT must be ${TIMER_RANGE}`,
    `environment: invalid max line 1073741824: DINIT_MAX_LINE must be ${LINE_RANGE}`,
    `environment: invalid stop timeout x: DINIT_STOP_TIMEOUT must be ${TIMER_RANGE}`,
    `environment: invalid stop delay -1: DINIT_STOP_DELAY must be ${TIMER_RANGE}`,
    '5 problems',
  ]);
});

test('durations and max line in a config file: key, value and range named', { timeout: 60000 }, async () => {
  const dir = makeTree({ a: { run: idle } });
  const cases: Array<[string, unknown, string]> = [
    ['killTimeout', 9999999, `key "killTimeout" must be ${TIMER_RANGE}, got 9999999`],
    ['stopTimeout', 2147484, `key "stopTimeout" must be ${TIMER_RANGE}, got 2147484`],
    ['stopDelay', 1.5, `key "stopDelay" must be ${TIMER_RANGE}, got 1.5`],
    ['maxLine', 2 ** 30, `key "maxLine" must be ${LINE_RANGE}, got 1073741824`],
    ['maxLine', 0, `key "maxLine" must be ${LINE_RANGE}, got 0`],
  ];
  for (const [key, value, message] of cases) {
    const files = makeFiles({ 'dinit.config.json': JSON.stringify({ [key]: value }) });
    const config = path.join(files, 'dinit.config.json');
    const r = check([dir], { DINIT_CONFIG: config });
    assert.deepEqual(r.out, [`config file ${config}: ${message}`, '1 problem'], key);
    assert.deepEqual(await refused({ DINIT_CONFIG: config }), [`T dinit: error: config file ${config}: ${message}`]);
  }
});

test('DINIT_MAX_LINE above the cap is refused, the cap itself accepted', { timeout: 60000 }, async () => {
  assert.deepEqual(await refused({ DINIT_MAX_LINE: '1073741824' }), [`T dinit: error: invalid max line 1073741824: DINIT_MAX_LINE must be ${LINE_RANGE}`]);
  assert.deepEqual(await refused({ DINIT_MAX_LINE: '67108865' }), [`T dinit: error: invalid max line 67108865: DINIT_MAX_LINE must be ${LINE_RANGE}`]);
  const dir = makeTree({ a: { run: 'exit 0' } });
  assert.equal(check([dir], { DINIT_MAX_LINE: '67108864' }).code, 0);
});

test('prototype keys are unknown keys like any other (JSON, YAML, JS configs)', { timeout: 120000 }, async () => {
  const dir = makeTree({ a: { run: idle } });
  const known = 'known keys: dir, jsonStdout, logLevel, killTimeout, reparentingPolicy, maxLine, forwardSignals, stopTimeout, stopDelay, hookTimeouts, logFormat, jsonStderr, jsonFields, jsonStrict, plugins';
  for (const key of ['__proto__', 'constructor', 'hasOwnProperty', 'valueOf', 'toString']) {
    const files = makeFiles({
      'dinit.config.json': `{"${key}": {"dir": "/x"}}`,
      'dinit.config.yaml': `${key}: 5\n`,
      // A literal `__proto__:` in JS sets the prototype; a computed key is an own key, as in JSON.
      'dinit.config.cjs': `module.exports = { [${JSON.stringify(key)}]: 1 };\n`,
    });
    for (const name of ['dinit.config.json', 'dinit.config.yaml', 'dinit.config.cjs']) {
      const config = path.join(files, name);
      const message = `config file ${config}: unknown key "${key}"; ${known}`;
      const r = check([dir], { DINIT_CONFIG: config });
      assert.deepEqual(r.out, [message, '1 problem'], `${key} in ${name}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /TypeError/);
      if (name === 'dinit.config.json') assert.deepEqual(await refused({ DINIT_CONFIG: config }), [`T dinit: error: ${message}`]);
    }
  }
  // A built-in name that is a prototype key, in the plugin list.
  const files = makeFiles({ 'dinit.config.json': JSON.stringify({ plugins: [['constructor', false], ['__proto__', false]] }) });
  const r = check([dir], { DINIT_CONFIG: path.join(files, 'dinit.config.json') });
  assert.equal(r.code, 1);
  assert.match(r.out[0], /plugin "constructor" cannot be disabled: no built-in has that name/);
});

test('a YAML alias bomb as a value: a bounded excerpt in the message, quickly, no RangeError', { timeout: 60000 }, async () => {
  // ~1 KB that expands to 9^9 (387 million) strings when serialised: `dir` is a list whose
  // items define the anchors, each the previous one nine times.
  const items = ['  - &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  const names = 'abcdefghi';
  for (let i = 1; i < names.length; i++) items.push(`  - &${names[i]} [${Array(9).fill(`*${names[i - 1]}`).join(',')}]`);
  const files = makeFiles({ '.dinitrc.yaml': `dir:\n${items.join('\n')}\n` });
  const text = fs.readFileSync(path.join(files, '.dinitrc.yaml'), 'utf8');
  assert.ok(text.length < 2000, `the bomb is small (${text.length} bytes)`);
  const config = path.join(files, '.dinitrc.yaml');
  const dir = makeTree({ a: { run: idle } });
  const r = check([dir], { DINIT_CONFIG: config });
  assert.equal(r.code, 1, r.stderr);
  assert.ok(r.ms < 10000, `dinit check took ${r.ms} ms`);
  assert.match(r.out[0], new RegExp(`^config file ${config}: key "dir" must be a non-empty string, got \\[\\["lol","lol",.*…`));
  assert.ok(r.out[0].length < 400, `a bounded message (${r.out[0].length} chars)`);
  assert.doesNotMatch(r.stderr, /RangeError/);
  const err = await refused({ DINIT_CONFIG: config });
  assert.equal(err.length, 1);
  assert.ok(err[0].startsWith(`T dinit: error: config file ${config}: key "dir" must be a non-empty string, got [["lol",`), err[0]);
});
