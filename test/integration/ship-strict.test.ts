import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { CLI, grep, makeFiles, makeTree, runDinit } from './harness';

/** Issue 19: DINIT_JSON_STRICT, the new settings in the config file and `dinit check`, a disabled profile. */

const T = { timeout: 120000 };

// Lines that only look like objects, one invalid UTF-8 inside a string, and valid ones.
const lines = String.raw`printf '{bad}\n{"a":1,}\n{"s":"\377"}\n{"ok":"\303\251"}\n{}\n{"a":[1,{"b":null}]}\n'`;

test('DINIT_JSON_STRICT=1: a {…} line that is not valid JSON (syntax or UTF-8) is the not-JSON warning; valid ones are extended', T, async () => {
  const r = await runDinit(makeTree({ app: { run: lines } }), { env: { DINIT_JSON_STRICT: '1' }, timeoutMs: 60000 });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.out, [
    '{"ok":"é","service":"app","stage":"run","logged":"T"}',
    '{"service":"app","stage":"run","logged":"T"}',
    '{"a":[1,{"b":null}],"service":"app","stage":"run","logged":"T"}',
  ]);
  for (const line of r.stdout.split('\n').filter(Boolean)) JSON.parse(line);
  assert.deepEqual(
    r.err.filter((l) => l.includes('not JSON')),
    ['T dinit: warning: app/run: not JSON stdout: {bad}', 'T dinit: warning: app/run: not JSON stdout: {"a":1,}', 'T dinit: warning: app/run: not JSON stdout: {"s":"\ufffd"}'],
  );
  // (The harness decodes stderr as UTF-8: the warning's raw byte 0xff reads as U+FFFD there.)
});

test('without DINIT_JSON_STRICT, such lines are extended as Go dinit does (unchanged)', T, async () => {
  const r = await runDinit(makeTree({ app: { run: lines } }), { timeoutMs: 60000 });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.out[0], '{bad,"service":"app","stage":"run","logged":"T"}');
  assert.equal(r.out[1], '{"a":1,,"service":"app","stage":"run","logged":"T"}');
  assert.equal(r.out.length, 6);
});

test('the settings in the config file: logFormat, jsonFields, jsonStderr, jsonStrict', T, async () => {
  const files = makeFiles({ 'dinit.config.json': JSON.stringify({ logFormat: 'json', jsonFields: 'nested', jsonStderr: true, jsonStrict: true }) });
  const dir = makeTree({ app: { run: String.raw`printf '{bad}\n{"a":1}\n'; echo oops >&2` } });
  const r = await runDinit(dir, { env: { DINIT_CONFIG: path.join(files, 'dinit.config.json'), DINIT_LOG_LEVEL: 'info' }, timeoutMs: 60000 });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.split('\n').filter(Boolean).map((l) => Object.keys(JSON.parse(l))), [['a', 'dinit']]);
  const err = r.stderr.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.ok(err.some((l) => l.msg === 'oops' && l.stream === 'stderr'), r.stderr);
  assert.ok(err.some((l) => l.level === 'warning' && l.msg === 'app/run: not JSON stdout: {bad}'), r.stderr);
  for (const l of err) assert.ok('dinit' in l && !('service' in l), JSON.stringify(l));
  // A variable beats the file.
  const text = await runDinit(dir, { env: { DINIT_CONFIG: path.join(files, 'dinit.config.json'), DINIT_LOG_FORMAT: 'text', DINIT_JSON_STDERR: '0' }, timeoutMs: 60000 });
  assert.ok(text.err.includes('T app/run: oops'), text.stderr);
});

function check(args: string[], env: Record<string, string>) {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(base)) if (key.startsWith('DINIT_')) delete base[key];
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'dinit-ship-cwd-'));
  const r = spawnSync(process.execPath, [CLI, 'check', ...args], { env: { ...base, ...env }, cwd, encoding: 'utf8', timeout: 30000 });
  return { code: r.status, out: r.stdout.split('\n').filter((l) => l !== '') };
}

test('bad values: a start-up error (exit 1, nothing started) and `dinit check` problems naming variable and value', T, async () => {
  const dir = makeTree({ a: { run: 'exec sleep 1000' } });
  const bad = {
    DINIT_LOG_FORMAT: ['logfmt', 'invalid log format logfmt: DINIT_LOG_FORMAT must be one of text, json'],
    DINIT_JSON_FIELDS: ['otel', 'invalid json fields otel: DINIT_JSON_FIELDS must be one of dinit, nested, ecs, gcp'],
    DINIT_JSON_STDERR: ['yes', 'invalid json stderr yes: DINIT_JSON_STDERR must be 1 or 0 (or true, false)'],
    DINIT_JSON_STRICT: ['2', 'invalid json strict 2: DINIT_JSON_STRICT must be 1 or 0 (or true, false)'],
  };
  for (const [name, [value, message]] of Object.entries(bad)) {
    const r = await runDinit(dir, { env: { [name]: value! }, timeoutMs: 30000 });
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(r.err, [`T dinit: error: ${message}`]);
  }
  const all = check([dir], Object.fromEntries(Object.entries(bad).map(([k, [v]]) => [k, v!])));
  assert.equal(all.code, 1);
  for (const [, [, message]] of Object.entries(bad)) assert.ok(all.out.some((l) => l.includes(message!)), all.out.join('\n'));
  assert.equal(all.out.at(-1), '4 problems');
  const file = makeFiles({ 'dinit.config.json': JSON.stringify({ jsonFields: 'ECS', jsonStrict: 1 }) });
  const config = path.join(file, 'dinit.config.json');
  const fromFile = check([dir], { DINIT_CONFIG: config });
  assert.deepEqual(fromFile.out, [`config file ${config}: key "jsonFields" must be one of dinit, nested, ecs, gcp, got "ECS"`, '1 problem']);
  assert.equal(check([dir], { DINIT_JSON_FIELDS: 'gcp', DINIT_LOG_FORMAT: 'json', DINIT_JSON_STDERR: '1', DINIT_JSON_STRICT: 'true' }).code, 0);
});

test('the profile is a built-in plugin: disabled while chosen, dinit refuses to start and says which', T, async () => {
  const files = makeFiles({ 'dinit.config.json': JSON.stringify({ plugins: [['json-fields-ecs', false], '...'] }) });
  const dir = makeTree({ a: { run: 'exec sleep 1000' } });
  const env = { DINIT_CONFIG: path.join(files, 'dinit.config.json') };
  const r = await runDinit(dir, { env: { ...env, DINIT_JSON_FIELDS: 'ecs' }, timeoutMs: 30000 });
  assert.equal(r.code, 1, r.stderr);
  assert.deepEqual(r.err, [
    'T dinit: error: plugin log-json failed to apply: no plugin provides the JSON field profile "ecs" (DINIT_JSON_FIELDS) that log-json needs: is the built-in json-fields-ecs disabled?',
  ]);
  // Another profile chosen: the disabled one is not missed.
  const ok = await runDinit(makeTree({ a: { run: `echo '{}'` } }), { env: { ...env, DINIT_JSON_FIELDS: 'gcp' }, timeoutMs: 30000 });
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual(Object.keys(JSON.parse(ok.stdout)), ['time', 'logging.googleapis.com/labels']);
});

test("a profile is replaced by a plugin of the built-in's name, through the package API (provideJsonProfile)", T, async () => {
  const api = path.resolve(__dirname, '../../dist/index.js');
  const plugin = `const { provideJsonProfile } = require(${JSON.stringify(api)});
module.exports = {
  name: 'json-fields-gcp',
  apply(kernel) {
    if (kernel.config.jsonFields !== 'gcp') return;
    provideJsonProfile(kernel, { name: 'gcp', keys: ['ts', 'svc'], fields: (service, stage, logged) => '"ts":"' + logged + '","svc":' + JSON.stringify(service + '/' + stage) });
  },
};
`;
  const files = makeFiles({ 'dinit.config.json': JSON.stringify({ plugins: ['./mine.cjs', '...'] }), 'mine.cjs': plugin });
  const dir = makeTree({ app: { run: String.raw`echo '{"a":1,"ts":0}'; echo oops >&2` } });
  const r = await runDinit(dir, { env: { DINIT_CONFIG: path.join(files, 'dinit.config.json'), DINIT_JSON_FIELDS: 'gcp', DINIT_JSON_STDERR: '1' }, timeoutMs: 60000 });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.out, ['{"a":1,"program_ts":0,"ts":"T","svc":"app/run"}']);
  assert.deepEqual(grep(r.err, '"stream"'), ['{"msg":"oops","stream":"stderr","ts":"T","svc":"app/run"}']);
});
