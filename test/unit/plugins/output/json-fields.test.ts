import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appendFields, isJsonObjectLine, renameReservedKeys } from '../../../../src/plugins/output/json-fields';
import { seeded } from '../../random';

const FIELDS = '"service":"s","stage":"run","logged":"';
// Lines travel as binary strings; the test speaks UTF-8.
const merge = (line: string) =>
  Buffer.from(appendFields(Buffer.from(line).toString('latin1'), `,${FIELDS}T"}\n`, `${FIELDS}T"}\n`).join(''), 'latin1').toString();

test('fields are appended before the closing brace', () => {
  assert.equal(merge('{"a":1}'), '{"a":1,"service":"s","stage":"run","logged":"T"}\n');
});

test('an empty object gets no leading comma', () => {
  assert.equal(merge('{}'), '{"service":"s","stage":"run","logged":"T"}\n');
  assert.equal(merge('{  }'), '{  "service":"s","stage":"run","logged":"T"}\n');
});

test('reserved top-level keys are renamed program_<key>; nested and string contents are untouched', () => {
  assert.equal(
    merge('{"service":"x","a":{"service":1},"b":"\\"stage\\":","stage":[1,{"logged":2}]}'),
    '{"program_service":"x","a":{"service":1},"b":"\\"stage\\":","program_stage":[1,{"logged":2}],"service":"s","stage":"run","logged":"T"}\n',
  );
  assert.equal(merge('{"logged":1,"program_logged":2}'), '{"program_program_logged":1,"program_logged":2,"service":"s","stage":"run","logged":"T"}\n');
});

test('only {…} lines count as JSON', () => {
  assert.equal(isJsonObjectLine('{}'), true);
  assert.equal(isJsonObjectLine('{'), false);
  assert.equal(isJsonObjectLine('[1]'), false);
  assert.equal(isJsonObjectLine(' {}'), false);
});

test('property: for any valid JSON object the result parses, has dinit fields once, keeps every program value', () => {
  const random = seeded(7);
  const keys = ['service', 'stage', 'logged', 'a', 'program_service', 'x y', 'é'];
  const value = (depth: number): unknown => {
    const r = random();
    if (depth > 2 || r < 0.4) return Math.floor(random() * 1000);
    if (r < 0.6) return 'str "service":' + Math.floor(random() * 10);
    if (r < 0.8) return [value(depth + 1), value(depth + 1)];
    const o: Record<string, unknown> = {};
    for (let i = 0; i < 3; i++) o[keys[Math.floor(random() * keys.length)]] = value(depth + 1);
    return o;
  };
  for (let run = 0; run < Number(process.env.DINIT_FUZZ_RUNS ?? 500); run++) {
    const obj: Record<string, unknown> = {};
    const n = Math.floor(random() * 5);
    for (let i = 0; i < n; i++) obj[keys[Math.floor(random() * keys.length)]] = value(0);
    const line = JSON.stringify(obj, null, random() < 0.3 ? 1 : undefined).replaceAll('\n', ' ');
    const out = merge(line);
    const parsed = JSON.parse(out);
    assert.equal(parsed.service, 's');
    assert.equal(parsed.stage, 'run');
    assert.equal(parsed.logged, 'T');
    assert.equal((out.match(/"service":"s"/g) ?? []).length, 1);
    // Every original value survives, under its own or its renamed key.
    const values = Object.values(obj).map((v) => JSON.stringify(v)).sort();
    const kept = Object.entries(parsed)
      .filter(([k]) => !(k in { service: 1, stage: 1, logged: 1 }))
      .map(([, v]) => JSON.stringify(v))
      .sort();
    assert.deepEqual(kept, values, line);
  }
});

test('malformed JSON-looking lines are extended as Go dinit does, never dropped', () => {
  assert.equal(merge('{not json}'), '{not json,"service":"s","stage":"run","logged":"T"}\n');
  assert.equal(renameReservedKeys('{"service'), '{"service');
});
