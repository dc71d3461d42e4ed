import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { CLI, makeTree, runDinit } from './harness';

/**
 * Issue 19: DINIT_LOG_FORMAT=json, DINIT_JSON_STDERR, the DINIT_JSON_FIELDS profiles. Every
 * output line is parsed; each must be valid JSON with exactly the expected keys, in order.
 */

const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const T = { timeout: 120000 };

/** Every line of `text` parsed as JSON (a line that does not parse fails the test, naming it). */
function parseAll(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        assert.fail(`not JSON: ${JSON.stringify(line)}`);
      }
    });
}

// stdout: {} / a plain object / one holding the profile's own keys; stderr: quotes, an
// invalid UTF-8 byte (\377), an escape character, valid UTF-8 (é).
const program = (collision: string) => ({
  app: {
    run: String.raw`printf '{}\n{"a":1}\n%s\n' '${collision}'
printf 'err "q" \377 \033[31m \303\251\n' >&2`,
  },
});

interface Profile {
  collision: string;
  /** keys of stdout lines: {}, {"a":1}, the collision line */
  stdout: string[][];
  /** dinit's fields: the keys added to a stderr line after msg, stream */
  fields: string[];
  /** keys of dinit's own lines (DINIT_LOG_FORMAT=json) */
  own: string[];
  /** checks the values of dinit's fields on a program line (service app, stage run) */
  values(line: Record<string, unknown>): void;
  /** checks the values on dinit's own line */
  ownValues(line: Record<string, unknown>): void;
}

const PROFILES: Record<string, Profile> = {
  dinit: {
    collision: '{"service":"x","stage":"y","logged":1,"program_logged":2}',
    stdout: [
      ['service', 'stage', 'logged'],
      ['a', 'service', 'stage', 'logged'],
      ['program_service', 'program_stage', 'program_program_logged', 'program_logged', 'service', 'stage', 'logged'],
    ],
    fields: ['service', 'stage', 'logged'],
    own: ['level', 'msg', 'service', 'logged'],
    values(line) {
      assert.equal(line.service, 'app');
      assert.equal(line.stage, 'run');
      assert.match(line.logged as string, TIME);
    },
    ownValues(line) {
      assert.equal(line.service, 'dinit');
      assert.match(line.logged as string, TIME);
    },
  },
  nested: {
    collision: '{"dinit":{"mine":true},"service":"x","stage":"y","logged":1}',
    stdout: [['dinit'], ['a', 'dinit'], ['program_dinit', 'service', 'stage', 'logged', 'dinit']],
    fields: ['dinit'],
    own: ['level', 'msg', 'dinit'],
    values(line) {
      const d = line.dinit as Record<string, unknown>;
      assert.deepEqual(Object.keys(d), ['service', 'stage', 'logged']);
      assert.equal(d.service, 'app');
      assert.equal(d.stage, 'run');
      assert.match(d.logged as string, TIME);
    },
    ownValues(line) {
      const d = line.dinit as Record<string, unknown>;
      assert.deepEqual(Object.keys(d), ['service', 'logged']);
      assert.equal(d.service, 'dinit');
    },
  },
  ecs: {
    collision: '{"@timestamp":"x","service":{"name":"mine"},"labels":{"k":"v"},"log":{"level":"info"}}',
    stdout: [
      ['@timestamp', 'service', 'labels'],
      ['a', '@timestamp', 'service', 'labels'],
      ['program_@timestamp', 'program_service', 'program_labels', 'log', '@timestamp', 'service', 'labels'],
    ],
    fields: ['@timestamp', 'service', 'labels'],
    own: ['level', 'msg', '@timestamp', 'service', 'log.level'],
    values(line) {
      assert.match(line['@timestamp'] as string, TIME);
      assert.deepEqual(line.service, { name: 'app' });
      assert.deepEqual(line.labels, { stage: 'run' });
    },
    ownValues(line) {
      assert.deepEqual(line.service, { name: 'dinit' });
      assert.equal(line['log.level'], line.level);
    },
  },
  gcp: {
    collision: '{"time":"x","logging.googleapis.com/labels":{"k":"v"},"severity":"ERROR"}',
    stdout: [
      ['time', 'logging.googleapis.com/labels'],
      ['a', 'time', 'logging.googleapis.com/labels'],
      ['program_time', 'program_logging.googleapis.com/labels', 'severity', 'time', 'logging.googleapis.com/labels'],
    ],
    fields: ['time', 'logging.googleapis.com/labels'],
    own: ['level', 'msg', 'time', 'severity', 'logging.googleapis.com/labels'],
    values(line) {
      assert.match(line.time as string, TIME);
      assert.deepEqual(line['logging.googleapis.com/labels'], { service: 'app', stage: 'run' });
    },
    ownValues(line) {
      assert.deepEqual(line['logging.googleapis.com/labels'], { service: 'dinit' });
      assert.equal(line.severity, { info: 'INFO', warning: 'WARNING', error: 'ERROR', debug: 'DEBUG' }[line.level as string]);
    },
  },
};

for (const [name, profile] of Object.entries(PROFILES)) {
  test(`DINIT_JSON_FIELDS=${name}: stdout, program stderr and dinit's own lines are JSON with the profile's keys`, T, async () => {
    const env = { DINIT_JSON_FIELDS: name, DINIT_JSON_STDERR: '1', DINIT_LOG_FORMAT: 'json', DINIT_LOG_LEVEL: 'debug' };
    const r = await runDinit(makeTree(program(profile.collision)), { env, timeoutMs: 60000 });
    assert.equal(r.code, 0, r.stderr);
    const out = parseAll(r.stdout);
    assert.deepEqual(out.map((line) => Object.keys(line)), profile.stdout);
    for (const line of out) profile.values(line);
    assert.equal(out[1]!.a, 1);

    const err = parseAll(r.stderr);
    const programs = err.filter((line) => 'stream' in line);
    assert.deepEqual(programs.map((line) => Object.keys(line)), [['msg', 'stream', ...profile.fields]]);
    // Invalid UTF-8 is U+FFFD, control characters JSON escapes, valid UTF-8 kept.
    assert.equal(programs[0]!.msg, 'err "q" \ufffd \u001b[31m é');
    assert.equal(programs[0]!.stream, 'stderr');
    profile.values(programs[0]!);
    assert.match(r.stderr, /\\u001b\[31m/, 'the escape character is escaped, not raw');

    const own = err.filter((line) => !('stream' in line));
    assert.ok(own.length >= 4, r.stderr);
    for (const line of own) {
      assert.deepEqual(Object.keys(line), profile.own, JSON.stringify(line));
      assert.ok(['debug', 'info', 'warning', 'error'].includes(line.level as string), JSON.stringify(line));
      profile.ownValues(line);
    }
    const messages = own.map((line) => line.msg);
    assert.ok(messages.includes('app/run: starting'), r.stderr);
    assert.ok(messages.includes('dinit exiting with status 0'), r.stderr);
  });
}

test('DINIT_LOG_FORMAT=json: the same messages as the text lines, levels as written; trace too', T, async () => {
  const tree = { app: { run: String.raw`printf 'not json \377 \033\n'; exit 3` } };
  const text = await runDinit(makeTree(tree), { env: { DINIT_LOG_LEVEL: 'trace' }, timeoutMs: 60000 });
  const json = await runDinit(makeTree(tree), { env: { DINIT_LOG_LEVEL: 'trace', DINIT_LOG_FORMAT: 'json' }, timeoutMs: 60000 });
  assert.equal(json.code, text.code);
  const lines = parseAll(json.stderr);
  // `<time> dinit: <word>: <msg>` ⇔ {"level":<word>,"msg":<msg>}; the PIDs differ between the runs.
  const pid = (s: string) => s.replace(/PID \d+/g, 'PID <pid>').replace(/\b\d+ (?:processes|process)\b/g, 'N processes');
  const fromText = text.stderr
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => pid(l.replace(/^\S+ dinit: /, '')));
  const fromJson = lines.map((l) => pid(`${l.level}: ${l.msg}`));
  // Compared apart: the text warning carries the line's raw bytes (as Go), the JSON one escapes them.
  const same = (l: string) => !l.startsWith('trace: ') && !l.includes('not JSON stdout');
  assert.deepEqual(fromJson.filter(same), fromText.filter(same));
  assert.ok(lines.some((l) => l.level === 'trace'), json.stderr);
  // The not-JSON warning is one of dinit's messages: invalid bytes as \xNN, controls escaped, as in the text line's message rules.
  assert.ok(lines.some((l) => l.level === 'warning' && l.msg === 'app/run: not JSON stdout: not json \\xff \\x1b'), json.stderr);
  for (const l of lines) assert.match(l.logged as string, TIME);
});

test('DINIT_LOG_FORMAT=json: start-up errors before the kernel exists are JSON too', T, async () => {
  const dir = makeTree({ app: { run: 'exec sleep 1000' } });
  const bad = await runDinit(dir, { env: { DINIT_LOG_FORMAT: 'json', DINIT_JSON_FIELDS: 'splunk' }, timeoutMs: 30000 });
  assert.equal(bad.code, 1);
  assert.equal(bad.stdout, '');
  const [line, ...rest] = parseAll(bad.stderr);
  assert.deepEqual(rest, []);
  assert.deepEqual(Object.keys(line!), ['level', 'msg', 'service', 'logged']);
  assert.equal(line!.level, 'error');
  assert.equal(line!.msg, 'invalid json fields splunk: DINIT_JSON_FIELDS must be one of dinit, nested, ecs, gcp');
  // An ECS start-up error has ECS's fields (the profile, when valid, applies from the start).
  const ecs = await runDinit(dir, { env: { DINIT_LOG_FORMAT: 'json', DINIT_JSON_FIELDS: 'ecs', DINIT_KILL_TIMEOUT: 'x' }, timeoutMs: 30000 });
  assert.equal(ecs.code, 1);
  assert.deepEqual(
    parseAll(ecs.stderr).map((l) => [Object.keys(l), l.msg]),
    [[['level', 'msg', '@timestamp', 'service', 'log.level'], 'invalid kill timeout x']],
  );
});

test('DINIT_LOG_FORMAT=json: the early warning of cli.ts (started bypassing the launcher) is JSON', T, () => {
  const dir = makeTree({ a: { run: 'exit 0' } });
  const env: NodeJS.ProcessEnv = { ...process.env, DINIT_DIR: dir, NODE_OPTIONS: '--no-deprecation', DINIT_LOG_FORMAT: 'json' };
  delete env.DINIT_LAUNCHER_SAVED;
  const r = spawnSync(process.execPath, [CLI], { env, encoding: 'utf8', timeout: 20000 });
  assert.equal(r.status, 0, r.stderr);
  const lines = parseAll(r.stderr).filter((l) => /launcher/.test(l.msg as string));
  assert.equal(lines.length, 1, r.stderr);
  assert.deepEqual(Object.keys(lines[0]!), ['level', 'msg', 'service', 'logged']);
  assert.equal(lines[0]!.level, 'warning');
  assert.match(lines[0]!.msg as string, /^started as "node dist\/cli\.js" with NODE_OPTIONS set: /);
});
