import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appendFields, reservedKeys } from '../../../../src/plugins/output/json-fields';
import { dinitProfile } from '../../../../src/plugins/output/fields-dinit';
import { ecsProfile } from '../../../../src/plugins/output/fields-ecs';
import { gcpProfile } from '../../../../src/plugins/output/fields-gcp';
import { nestedProfile } from '../../../../src/plugins/output/fields-nested';
import { jsonLogFormat, jsonText } from '../../../../src/plugins/output/log-format-json';
import { isStrictJson } from '../../../../src/plugins/output/strict-json';
import { textLogFormat } from '../../../../src/kernel/log';
import { seeded } from '../../random';

const PROFILES = [dinitProfile, nestedProfile, ecsProfile, gcpProfile];
const bin = (s: string) => Buffer.from(s).toString('latin1');
const merge = (profile: typeof dinitProfile, line: string) => {
  const tail = `${profile.fields('s"1', 'run', 'T')}}\n`;
  return Buffer.from(appendFields(bin(line), `,${tail}`, tail, reservedKeys(profile.keys)).join(''), 'latin1').toString();
};

test('the dinit profile writes Go dinit bytes exactly', () => {
  assert.equal(dinitProfile.fields('app', 'run', 'T'), '"service":"app","stage":"run","logged":"T"');
  assert.equal(merge(dinitProfile, '{"a":1}'), '{"a":1,"service":"s\\"1","stage":"run","logged":"T"}\n');
});

test('every profile: valid JSON, each key once, program keys renamed, whatever the program wrote', () => {
  const random = seeded(19);
  const keys = ['service', 'stage', 'logged', 'dinit', '@timestamp', 'labels', 'time', 'logging.googleapis.com/labels', 'program_service', 'x'];
  for (const profile of PROFILES) {
    for (let n = 0; n < 300; n++) {
      const object: Record<string, unknown> = {};
      for (const key of keys) if (random() < 0.4) object[key] = random() < 0.5 ? { name: 'p' } : n;
      const line = JSON.stringify(object);
      const merged = merge(profile, line);
      const parsed = JSON.parse(merged) as Record<string, unknown>;
      // Each key once: a duplicate would parse to fewer keys than written.
      const written = [...merged.matchAll(/[{,]"((?:[^"\\]|\\.)*)":/g)].length;
      assert.ok(written >= Object.keys(parsed).length, merged);
      for (const key of profile.keys) assert.ok(key in parsed, `${profile.name}: ${merged}`);
      // The program's values are all there, under their name or program_<name>.
      const values = Object.values(parsed).map((v) => JSON.stringify(v));
      for (const value of Object.values(object)) assert.ok(values.includes(JSON.stringify(value)), merged);
    }
  }
});

test("dinit's own messages: one JSON line per profile, msg as the text line's message", () => {
  assert.equal(textLogFormat('T', 'info', 'm'), 'T dinit: info: m\n');
  for (const profile of PROFILES) {
    const line = jsonLogFormat(profile)('T', 'warning', 'a "quoted" \\x1b message');
    assert.ok(line.endsWith('}\n'));
    const parsed = JSON.parse(line) as Record<string, unknown>;
    assert.equal(parsed.level, 'warning');
    assert.equal(parsed.msg, 'a "quoted" \\x1b message');
  }
});

test('jsonText: any bytes become a valid JSON string; invalid UTF-8 is U+FFFD', () => {
  assert.equal(jsonText(bin('plain "q"\t')), '"plain \\"q\\"\\t"');
  assert.equal(JSON.parse(jsonText('a\xffb\xc3\xa9\x1b')), 'a\ufffdbé\u001b');
  const random = seeded(7);
  for (let n = 0; n < 500; n++) {
    const bytes = Buffer.from(Array.from({ length: 1 + Math.floor(random() * 20) }, () => Math.floor(random() * 256)));
    assert.equal(JSON.parse(jsonText(bytes.toString('latin1'))), bytes.toString('utf8'));
  }
});

test('isStrictJson: syntax and UTF-8 (more in strict-json.test.ts)', () => {
  assert.equal(isStrictJson('{}'), true);
  assert.equal(isStrictJson(bin('{"é":"ü"}')), true);
  assert.equal(isStrictJson('{"a":"\xff"}'), false);
  assert.equal(isStrictJson('{"a":"\xed\xa0\x80"}'), false, 'a UTF-16 surrogate in UTF-8 is not UTF-8');
  assert.equal(isStrictJson('{bad}'), false);
  assert.equal(isStrictJson('{"a":1,}'), false);
  assert.equal(isStrictJson('{"a":"\t"}'), false, 'a raw control character in a string');
});
