import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { SyncWaterfallHook } from 'tapable';

const dir = path.join(__dirname, '../../../examples/plugins/regex-json');
/* eslint-disable @typescript-eslint/no-require-imports */
const goTime = require(path.join(dir, 'go-time.cjs'));
const goRegexp = require(path.join(dir, 'go-regexp.cjs'));
const expression = require(path.join(dir, 'expression.cjs'));
const { encodeJSON } = require(path.join(dir, 'encode.cjs'));
const { compileTransformer } = require(path.join(dir, 'transform.cjs'));
const plugin = require(path.join(dir, 'index.cjs'));

interface Rec {
  service: string;
  stage: string;
  stream: 'stdout' | 'stderr';
  line: Buffer;
  time: number;
  output?: { fd: 1 | 2; data: string | Buffer } | null;
}

/** Applies expressions (name, text) in order to one output; returns [json, errors]. */
function run(pairs: [string, string][]): [string, string[]] {
  const out: Record<string, unknown> = {};
  const errors: string[] = [];
  for (const [expr, text] of pairs) {
    try {
      expression.compileExpression(expr).apply(out, text);
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  return [encodeJSON(out), errors];
}

describe('regex-json expressions', () => {
  const cases: [[string, string][], string, string[]][] = [
    [[['foobar', 'x']], '{"foobar":"x"}', []],
    [[['foo', 'x'], ['bar', 'y']], '{"bar":"y","foo":"x"}', []],
    [[['nested__foo', 'x'], ['nested__bar', 'y']], '{"nested":{"bar":"y","foo":"x"}}', []],
    [[['a__b__c__d', 'x']], '{"a":{"b":{"c":{"d":"x"}}}}', []],
    [[['nested__foo', 'x'], ['nested__foo', 'y']], '{"nested":{"foo":"x"}}', ['nested__foo: value already exist']],
    [[['foo___array', 'x'], ['foo___array', 'y']], '{"foo":["x","y"]}', []],
    [[['foo___array', 'x'], ['foo', 'y']], '{"foo":["x","y"]}', []],
    [[['foo', 'x'], ['foo___array', 'y']], '{"foo":["x","y"]}', []],
    [[['nested__foo___array', 'x'], ['nested__foo___array', 'y']], '{"nested":{"foo":["x","y"]}}', []],
    [[['foobar___bool', 'true']], '{"foobar":true}', []],
    [[['a___bool', '1'], ['b___bool', 'F'], ['c___bool', 'True']], '{"a":true,"b":false,"c":true}', []],
    [[['foobar___int', '42']], '{"foobar":42}', []],
    [[['foobar___int', '-9223372036854775808']], '{"foobar":-9223372036854775808}', []],
    [[['foobar___float', '42.1']], '{"foobar":42.1}', []],
    [[['foobar___float', '1e3']], '{"foobar":1000}', []],
    [[['foobar___null', '']], '{"foobar":null}', []],
    [[['foobar___null', 'x']], '{"foobar":"x"}', []],
    [[['foobar___optional', '']], '{}', []],
    [[['foobar___optional', 'x']], '{"foobar":"x"}', []],
    [[['nested__foo___array___optional', ''], ['nested__foo___array___optional', 'y']], '{"nested":{"foo":["y"]}}', []],
    [[['nested__foo___array___null', ''], ['nested__foo___array___optional', 'y']], '{"nested":{"foo":[null,"y"]}}', []],
    [[['nested__foo___array___object__a', 'x'], ['nested__foo___array___object__b', 'y']], '{"nested":{"foo":[{"a":"x"},{"b":"y"}]}}', []],
    [[['nested__foo___array___object__a', 'x'], ['nested__foo___object__b', 'y']], '{"nested":{"foo":[{"a":"x","b":"y"}]}}', []],
    [[['nested__foo___object__b', 'y'], ['nested__foo___array___object__a', 'x']], '{"nested":{"foo":[{"a":"x","b":"y"}]}}', []],
    [[['foo', 'x'], ['foo___array___optional', '']], '{"foo":["x"]}', []],
    [[['foo', 'x'], ['foo___array___int', '1']], '{"foo":["x",1]}', []],
    [[['foo___array___int', '1'], ['foo', 'x']], '{"foo":[1,"x"]}', []],
    [[['foo__bar', 'x'], ['foo___array___int', '1']], '{"foo":[{"bar":"x"},1]}', []],
    [[['foo__bar', 'x'], ['foo___int', '1']], '{"foo":{"bar":"x"}}', ['foo: type mismatch']],
    [[['foo___array___optional', ''], ['foo', 'x']], '{"foo":["x"]}', []],
    [[['foo___array___int', '1'], ['foo__bar', 'x']], '{"foo":[1,{"bar":"x"}]}', []],
    [[['foo___time__UnixDate', 'Fri Jun  9 22:21:17 CEST 2023']], '{"foo":"2023-06-09T20:21:17.000Z"}', []],
    [[['foo___time__UnixDate__DateTime', 'Fri Jun  9 22:21:17 CEST 2023']], '{"foo":"2023-06-09 20:21:17"}', []],
    [[['foo___time__UnixDate__DateTime__UTC__UTC', 'Fri Jun  9 22:21:17 CEST 2023']], '{"foo":"2023-06-09 20:21:17"}', []],
    [[['foo___time__UnixDate__DateTime', 'Fri Jun  9 22:21:17 MST 2023']], '{"foo":"2023-06-10 05:21:17"}', []],
    [[['foo___time__UnixDate__DateTime__Europe_Ljubljana', 'Fri Jun  9 22:21:17 CEST 2023']], '{"foo":"2023-06-09 22:21:17"}', []],
    [[['foo___time__DateTime__UnixDate__UTC__Europe_Ljubljana', '2023-06-09 22:21:17']], '{"foo":"Fri Jun  9 20:21:17 UTC 2023"}', []],
    [[['foo___time__DateTime__UnixDate__America_New_York__UTC', '2024-01-15 12:00:00']], '{"foo":"Mon Jan 15 07:00:00 EST 2024"}', []],
    [[['obj___json', '{"x":1,"y":"v"}']], '{"obj":{"x":1,"y":"v"}}', []],
    [[['___json', '{"x":1,"y":"v"}']], '{"x":1,"y":"v"}', []],
    [[['obj___json___optional', '']], '{}', []],
    [[['___json___optional', '']], '{}', []],
    [[['obj___json', '[1,"a",null]']], '{"obj":[1,"a",null]}', []],
    // Failures keep the rest of the object.
    [[['a___int', 'x'], ['b', 'y']], '{"b":"y"}', ['unable to parse "x" into int: invalid syntax']],
    [[['a___int', '9223372036854775808']], '{}', ['unable to parse "9223372036854775808" into int: value out of range']],
    [[['a___float', 'NaN']], '{}', ['unable to parse "NaN" into float: invalid syntax']],
    [[['a___bool', 'yes']], '{}', ['unable to parse "yes" into bool: invalid syntax']],
    [[['a___json', '{']], '{}', []],
    [[['___json', '"str"']], '{}', ['value is not an object']],
    [[['a___int___array', '1']], '{}', ['value is not a string']],
  ];
  for (const [pairs, expected, errors] of cases) {
    it(`${pairs.map((p) => `${p[0]}=${JSON.stringify(p[1])}`).join(', ')} → ${expected}`, () => {
      const [json, errs] = run(pairs);
      assert.equal(json, expected);
      if (errors.length > 0) assert.deepEqual(errs, errors);
      else if (!pairs.some((p) => p[0].includes('json') && p[1] === '{')) assert.deepEqual(errs, []);
    });
  }

  it('rejects bad expressions with clear errors', () => {
    assert.throws(() => expression.compileExpression(''), /empty expression/);
    assert.throws(() => expression.compileExpression('foo___nope'), /unknown operator "nope" for expression "foo___nope"/);
    assert.throws(() => expression.compileExpression('foo___int__x'), /compiling operator "int" for expression "foo___int__x": unexpected arguments: x/);
    assert.throws(() => expression.compileExpression('foo___time'), /missing parse layout argument/);
    assert.throws(() => expression.compileExpression('foo___time__Bogus'), /unknown parse layout: Bogus/);
    assert.throws(() => expression.compileExpression('foo___time__UnixDate__Bogus'), /unknown format layout: Bogus/);
    assert.throws(() => expression.compileExpression('foo___time__UnixDate__RFC3339__Nowhere_Land'), /unknown time zone Nowhere\/Land/);
    assert.throws(() => expression.compileExpression('foo___time__A__B__C__D__E'), /unexpected arguments: E/);
  });

  it('reports the failing time value', () => {
    const [json, errs] = run([['t___time__RFC3339', 'yesterday']]);
    assert.equal(json, '{}');
    assert.match(errs[0], /unable to parse "yesterday" into time with layout RFC3339: parsing time "yesterday"/);
  });
});

describe('regex-json Go time layouts', () => {
  // Sunday 2026-11-29 18:51:09.123456789 UTC
  const instant = { sec: Date.UTC(2026, 10, 29, 18, 51, 9) / 1000, nsec: 123456789 };
  const now = Date.UTC(2026, 10, 29, 3, 0, 0);
  const table: [string, string, string][] = [
    // name, formatted, parsed back (RFC3339Nano)
    ['ANSIC', 'Sun Nov 29 18:51:09 2026', '2026-11-29T18:51:09Z'],
    ['UnixDate', 'Sun Nov 29 18:51:09 UTC 2026', '2026-11-29T18:51:09Z'],
    ['RubyDate', 'Sun Nov 29 18:51:09 +0000 2026', '2026-11-29T18:51:09Z'],
    ['RFC822', '29 Nov 26 18:51 UTC', '2026-11-29T18:51:00Z'],
    ['RFC822Z', '29 Nov 26 18:51 +0000', '2026-11-29T18:51:00Z'],
    ['RFC850', 'Sunday, 29-Nov-26 18:51:09 UTC', '2026-11-29T18:51:09Z'],
    ['RFC1123', 'Sun, 29 Nov 2026 18:51:09 UTC', '2026-11-29T18:51:09Z'],
    ['RFC1123Z', 'Sun, 29 Nov 2026 18:51:09 +0000', '2026-11-29T18:51:09Z'],
    ['RFC3339', '2026-11-29T18:51:09Z', '2026-11-29T18:51:09Z'],
    ['RFC3339Milli', '2026-11-29T18:51:09.123Z', '2026-11-29T18:51:09.123Z'],
    ['RFC3339Micro', '2026-11-29T18:51:09.123456Z', '2026-11-29T18:51:09.123456Z'],
    ['RFC3339Nano', '2026-11-29T18:51:09.123456789Z', '2026-11-29T18:51:09.123456789Z'],
    ['RFC3339NanoZeros', '2026-11-29T18:51:09.123456789Z', '2026-11-29T18:51:09.123456789Z'],
    ['ISO8601', '2026-11-29T18:51:09Z', '2026-11-29T18:51:09Z'],
    ['ISO8601Milli', '2026-11-29T18:51:09.123Z', '2026-11-29T18:51:09.123Z'],
    ['ISO8601Micro', '2026-11-29T18:51:09.123456Z', '2026-11-29T18:51:09.123456Z'],
    ['ISO8601Nano', '2026-11-29T18:51:09.123456789Z', '2026-11-29T18:51:09.123456789Z'],
    ['ISO8601NanoZeros', '2026-11-29T18:51:09.123456789Z', '2026-11-29T18:51:09.123456789Z'],
    ['Kitchen', '6:51PM', '2026-11-29T18:51:00Z'],
    ['Stamp', 'Nov 29 18:51:09', '2026-11-29T18:51:09Z'],
    ['StampMilli', 'Nov 29 18:51:09.123', '2026-11-29T18:51:09.123Z'],
    ['StampMicro', 'Nov 29 18:51:09.123456', '2026-11-29T18:51:09.123456Z'],
    ['StampNano', 'Nov 29 18:51:09.123456789', '2026-11-29T18:51:09.123456789Z'],
    ['DateTime', '2026-11-29 18:51:09', '2026-11-29T18:51:09Z'],
    ['DateTimeMilli', '2026-11-29 18:51:09.123', '2026-11-29T18:51:09.123Z'],
    ['DateOnly', '2026-11-29', '2026-11-29T00:00:00Z'],
    ['TimeOnly', '18:51:09', '2026-11-29T18:51:09Z'],
    ['Nginx', '29/Nov/2026:18:51:09 +0000', '2026-11-29T18:51:09Z'],
    ['LogDateTime', '2026/11/29 18:51:09', '2026-11-29T18:51:09Z'],
    ['LogDateOnly', '2026/11/29', '2026-11-29T00:00:00Z'],
    ['LogDateTimeMicroseconds', '2026/11/29 18:51:09.123456', '2026-11-29T18:51:09.123456Z'],
    ['LogTimeMicroseconds', '18:51:09.123456', '2026-11-29T18:51:09.123456Z'],
    ['LogPostgreSQL', '2026-11-29 18:51:09.123 UTC', '2026-11-29T18:51:09.123Z'],
  ];
  const utc = goTime.loadLocation('UTC');
  const nano = goTime.tokenizeLayout(goTime.NAMED_LAYOUTS.RFC3339Nano);
  it('covers every named layout', () => {
    assert.deepEqual(table.map((r) => r[0]).sort(), Object.keys(goTime.NAMED_LAYOUTS).sort());
  });
  for (const [name, formatted, parsed] of table) {
    it(`${name}: format and parse`, () => {
      const layout = goTime.NAMED_LAYOUTS[name];
      assert.equal(goTime.formatTime(goTime.tokenizeLayout(layout), instant, utc), formatted);
      const t = goTime.parseTime(goTime.compileParser(layout), formatted, utc, now);
      assert.equal(goTime.formatTime(nano, t, utc), parsed);
    });
  }

  const convert = (parse: string, value: string, format?: string, formatLocation?: string, parseLocation = 'UTC') =>
    goTime.compileTimeConverter({ parse, format, formatLocation, parseLocation, now: () => now })(value);

  it('formats as RFC3339Milli in UTC by default', () => {
    assert.equal(convert('UnixDate', 'Sun Nov 29 18:51:09 UTC 2026'), '2026-11-29T18:51:09.000Z');
    assert.equal(convert('RFC3339', '2026-11-29T20:51:09.5+02:00'), '2026-11-29T18:51:09.500Z');
  });
  it('accepts raw Go reference layouts', () => {
    assert.equal(convert('02.01.2006 15h04', '29.11.2026 18h51', '2006-01-02T15:04'), '2026-11-29T18:51');
    assert.equal(convert('Jan 2, 2006 at 3:04pm (MST)', 'Feb 3, 2013 at 7:54pm (PST)', 'RFC3339'), '2013-02-04T03:54:00Z');
    assert.equal(convert('2006-002', '2024-060', 'DateOnly'), '2024-02-29');
    assert.equal(convert('January _2 2006 03:04:05 PM -07:00', 'March  1 2024 12:00:00 AM -05:30', 'RFC3339Nano'), '2024-03-01T05:30:00Z');
    assert.equal(convert('DateTime', '2024-01-01 00:00:00', 'Monday January 2 06 3 4 5 pm __2 -07 Z07:00:00'), 'Monday January 1 24 12 0 0 am   1 +00 Z');
    assert.throws(() => goTime.compileTimeConverter({ parse: 'no elements here' }), /unknown parse layout/);
  });
  it('follows Go parsing rules', () => {
    // Fractional seconds accepted after seconds even when the layout has none.
    assert.equal(convert('DateTime', '2026-11-29 18:51:09.987654', 'RFC3339Nano'), '2026-11-29T18:51:09.987654Z');
    // Runs of spaces match runs of spaces; _2 takes a padded day.
    assert.equal(convert('ANSIC', 'Sun Nov  1 18:51:09 2026', 'DateOnly'), '2026-11-01');
    // Names are case-insensitive; Z07:00 accepts Z and offsets.
    assert.equal(convert('RFC1123', 'SUN, 29 NOV 2026 18:51:09 GMT', 'RFC3339'), '2026-11-29T18:51:09Z');
    assert.equal(convert('RFC3339', '2026-11-29T18:51:09-07:00', 'RFC3339'), '2026-11-30T01:51:09Z');
    // Two-digit years: >= 69 is 19xx.
    assert.equal(convert('RFC822', '01 Jan 69 00:00 UTC', 'DateOnly'), '1969-01-01');
    assert.equal(convert('RFC822', '01 Jan 68 00:00 UTC', 'DateOnly'), '2068-01-01');
  });
  it('rejects bad values with Go-like errors', () => {
    assert.throws(() => convert('DateOnly', '2024-02-30'), /day out of range/);
    assert.throws(() => convert('DateOnly', '2024-13-01'), /month out of range/);
    assert.throws(() => convert('DateOnly', '2024-1-01'), /cannot parse "1-01" as "01"/);
    assert.throws(() => convert('TimeOnly', '25:00:00'), /hour out of range/);
    assert.throws(() => convert('DateOnly', '2024-01-01 extra'), /extra text/);
    assert.throws(() => convert('UnixDate', 'Sun Nov 29 18:51:09 XYZ 2026'), /unknown time zone abbreviation "XYZ"/);
    assert.throws(() => convert('RFC3339Milli', '2026-11-29T18:51:09Z'), /cannot parse "Z" as ".000"/);
  });
  it('parses wall times in the parse location', () => {
    assert.equal(convert('DateTime', '2024-07-01 12:00:00', 'RFC3339', 'UTC', 'Europe/Ljubljana'), '2024-07-01T10:00:00Z');
    assert.equal(convert('DateTime', '2024-01-01 12:00:00', 'RFC3339', 'UTC', 'Europe/Ljubljana'), '2024-01-01T11:00:00Z');
    assert.equal(convert('DateTime', '2024-01-01 12:00:00', 'RFC3339', 'Asia/Kolkata'), '2024-01-01T17:30:00+05:30');
  });
});

describe('regex-json Go regexp conversion', () => {
  const conv = (p: string) => goRegexp.convertGoRegexp(p);
  it('turns (?P<name>) and (?<name>) into numbered groups and keeps the names', () => {
    const r = conv('(?P<a___int>\\d+)-(?<b__c>x)(?:y)');
    assert.equal(r.source, '(\\d+)-(x)(?:y)');
    assert.deepEqual(r.names, ['a___int', 'b__c']);
  });
  it('accepts names JavaScript could not (repeats, dashes, colons)', () => {
    const { regexp, names } = goRegexp.compileGoRegexp('(?P<t___time__2006-01-02>\\S+) (?P<t___time__15:04>\\S+)');
    assert.deepEqual(names, ['t___time__2006-01-02', 't___time__15:04']);
    assert.ok(regexp.flags.includes('u') && regexp.flags.includes('g'));
  });
  it('turns leading flags into RegExp flags', () => {
    assert.equal(conv('(?i)(?P<a>abc)').flags, 'ui');
    assert.equal(conv('(?im)x').flags, 'uim');
    assert.equal(conv('(?s).').source, '[\\s\\S]');
    assert.equal(conv('.').source, '[^\\n]');
    assert.equal(conv('(?i-s)x').flags, 'ui');
  });
  it('converts Go-only escapes and classes', () => {
    assert.equal(conv('\\Aa\\z').source, '(?<![\\s\\S])a(?![\\s\\S])');
    assert.equal(conv('\\Q.*+\\E').source, '\\x2e\\x2a\\x2b');
    assert.equal(conv('\\pL\\p{Greek}\\PN\\p{^Lu}').source, '\\p{L}\\p{Script=Greek}\\P{N}\\P{Lu}');
    assert.equal(conv('\\x{263a}\\x41').source, '\\u{263a}\\x41');
    assert.equal(conv('\\101\\0').source, '\\x41\\x00');
    assert.equal(conv('[[:alpha:][:digit:]_]').source, '[A-Za-z0-9_]');
    assert.equal(conv('[]a]').source, '[\\]a]');
    assert.equal(conv('\\-\\"\\ ').source, '\\x2d\\x22\\x20');
    assert.equal(conv('a{2,3}b{x}').source, 'a{2,3}b\\{x\\}');
    assert.equal(conv('\\s\\S[\\s]').source, '[\\t\\n\\f\\r ][^\\t\\n\\f\\r ][\\t\\n\\f\\r ]');
    assert.equal(conv('\\a').source, '\\x07');
  });
  it('matches like Go', () => {
    const { regexp } = goRegexp.compileGoRegexp('(?i)(?P<x>h\\p{L}+)\\s\\Q(1)\\E');
    assert.equal(regexp.exec('say HÉllo (1)')?.[1], 'HÉllo');
    const all: string[] = [];
    goRegexp.forEachMatch(goRegexp.compileGoRegexp('(?P<x>b*)').regexp, 'abba', (m: RegExpExecArray) => all.push(m[0]));
    assert.deepEqual(all, ['', 'bb', '']); // Go skips the empty match right after "bb"
  });
  it('rejects what it cannot convert with clear errors', () => {
    assert.throws(() => conv('(\\d+)'), /invalid pattern "\(\\\\d\+\)": capture group 1 has no name \(expression\); use \(\?:…\)/);
    assert.throws(() => conv('(?P<>x)'), /empty capture group name/);
    assert.throws(() => conv('a(?i)b'), /flag groups are only supported at the start/);
    assert.throws(() => conv('(?i:a)'), /flag groups are only supported at the start/);
    assert.throws(() => conv('(?U)a+'), /flag U/);
    assert.throws(() => conv('(?P<a>x)\\1'), /backreference \\1 is not supported/);
    assert.throws(() => conv('\\C'), /\\C/);
    assert.throws(() => conv('\\k'), /invalid escape sequence \\k/);
    assert.throws(() => conv('[[:^alpha:]]'), /negated POSIX class/);
    assert.throws(() => conv('[[:bogus:]]'), /invalid character class range/);
    assert.throws(() => conv('(?P<a>x'), /missing closing \)/);
    assert.throws(() => conv('x)'), /unexpected \)/);
    assert.throws(() => conv('[abc'), /missing closing \]/);
    assert.throws(() => conv('a{1001}'), /invalid repeat count/);
    assert.throws(() => goRegexp.compileGoRegexp('a**'), /invalid pattern "a\*\*": Invalid regular expression/);
    assert.throws(() => conv('abc\\'), /trailing backslash/);
  });
});

describe('regex-json transformer', () => {
  it('converts the regex2json README nginx example', () => {
    const t = compileTransformer(
      '^(?P<address>\\S+) - (?P<user>\\S+) \\[(?P<time___time__Nginx__RFC3339>[\\w:/]+\\s[+\\-]\\d{4})\\] "(?P<method>\\S+)\\s?(?P<url>\\S+)?\\s?(?P<http>\\S+)?" (?P<status___int>\\d{3}) (?:(?P<size___int>\\d+)|-) "(?P<referrer>[^"]*)" "(?P<agent>[^"]*)"',
    );
    const r = t.transform('192.168.0.100 - - [13/Jun/2023:13:15:13 +0000] "GET /index.html HTTP/1.1" 200 1234 "-" "Mozilla/5.0 (X11)"');
    assert.equal(
      r.json,
      '{"address":"192.168.0.100","agent":"Mozilla/5.0 (X11)","http":"HTTP/1.1","method":"GET","referrer":"-","size":1234,"status":200,"time":"2023-06-13T13:15:13Z","url":"/index.html","user":"-"}',
    );
    assert.deepEqual(r.errors, []);
  });
  it('merges all matches of a line into one object', () => {
    const t = compileTransformer('(?P<kv___array___object__key>\\w+)=(?P<kv___object__value___int>\\d+)');
    assert.equal(t.transform('a=1 b=2 c=3').json, '{"kv":[{"key":"a","value":1},{"key":"b","value":2},{"key":"c","value":3}]}');
    const w = compileTransformer('(?P<words___array>\\w+)');
    assert.equal(w.transform('one two three').json, '{"words":["one","two","three"]}');
  });
  it('gives "" for groups that did not take part (like Go)', () => {
    const t = compileTransformer('(?P<a>x)|(?P<b___optional>y)');
    assert.equal(t.transform('x').json, '{"a":"x"}');
    const r = t.transform('y');
    assert.equal(r.json, '{"a":"","b":"y"}');
  });
  it('reports no match, empty results and failed expressions', () => {
    const t = compileTransformer('^(?P<n___int>\\w+)$');
    assert.deepEqual(t.transform('two words'), { matched: false, json: null, errors: [] });
    const bad = t.transform('abc');
    assert.equal(bad.matched, true);
    assert.equal(bad.json, null);
    assert.deepEqual(bad.errors, ['failed to apply expression "n___int" for value "abc": unable to parse "abc" into int: invalid syntax']);
  });
  it('keeps non-ASCII text and escapes U+2028 like Go', () => {
    const t = compileTransformer('(?P<msg>.+)');
    assert.equal(t.transform('čšž "q" \u2028').json, '{"msg":"čšž \\"q\\" \\u2028"}');
  });
});

describe('regex-json plugin', () => {
  function setup(options: unknown) {
    const warnings: string[] = [];
    const kernel = {
      hooks: { line: new SyncWaterfallHook<[Rec]>(['record']) },
      STAGE: { TRANSFORM: -100, FORMAT: 0, OBSERVE: 100 },
      log: { warn: (m: string) => warnings.push(m), error: (m: string) => warnings.push(m), info: () => {} },
      config: { dir: '/etc/service', jsonStdout: true },
    };
    plugin.apply(kernel, options);
    const call = (line: string, rec: Partial<Rec> = {}): Rec =>
      kernel.hooks.line.call({ service: 'nginx', stage: 'run', stream: 'stdout', line: Buffer.from(line), time: 0, ...rec });
    return { call, warnings, kernel };
  }

  it('has a name and turns a matching line into JSON', () => {
    assert.equal(plugin.name, 'regex-json');
    const { call } = setup({ pattern: '(?P<date___time__UnixDate>.+\\d+)' });
    const rec = call('Sun Nov 29 18:51:09 UTC 2026');
    assert.equal(rec.line.toString(), '{"date":"2026-11-29T18:51:09.000Z"}');
    assert.equal(rec.stream, 'stdout');
  });
  it('sends a non-matching line to stderr unchanged', () => {
    const { call } = setup({ pattern: '^(?P<n___int>\\d+)$' });
    const rec = call('hello');
    assert.equal(rec.stream, 'stderr');
    assert.equal(rec.line.toString(), 'hello');
  });
  it('leaves JSON lines, stderr lines, other stages and other services alone', () => {
    const { call } = setup({ pattern: '(?P<all>.*)', services: ['nginx'] });
    assert.equal(call('{"already":"json"}').line.toString(), '{"already":"json"}');
    const err = call('oops', { stream: 'stderr' });
    assert.equal(err.line.toString(), 'oops');
    assert.equal(err.stream, 'stderr');
    assert.equal(call('x', { stage: 'log' }).line.toString(), 'x');
    assert.equal(call('x', { service: 'php' }).line.toString(), 'x');
    assert.equal(call('x').line.toString(), '{"all":"x"}');
  });
  it('applies to the configured stages and all services by default', () => {
    const { call } = setup({ pattern: '(?P<all>.*)', stages: ['log', '123'] });
    assert.equal(call('x', { service: 'any', stage: 'log' }).line.toString(), '{"all":"x"}');
    assert.equal(call('x', { service: 'any', stage: '123' }).line.toString(), '{"all":"x"}');
    assert.equal(call('x', { service: 'any', stage: 'run' }).line.toString(), 'x');
  });
  it('logs failed expressions and keeps the rest', () => {
    const { call, warnings } = setup({ pattern: '(?P<a___int>\\w+) (?P<b>\\w+)' });
    assert.equal(call('x y').line.toString(), '{"b":"y"}');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /^nginx\/run: regex-json: failed to apply expression "a___int" for value "x"/);
  });
  it('drops a line whose object comes out empty (as regex2json does)', () => {
    const { call } = setup({ pattern: '(?P<a___optional>\\d*)' });
    const rec = call('abc');
    assert.equal(rec.output, null);
  });
  it('never throws for bad input', () => {
    const { call } = setup({ pattern: '(?P<a>.*)' });
    const rec = call('', {});
    assert.equal(rec.line.length, 0);
    const bytes = call('', { line: Buffer.from([0xff, 0xfe, 0x41]) });
    assert.equal(bytes.line.toString(), '{"a":"\ufffd\ufffdA"}');
  });
  it('validates options with errors naming the option and value', () => {
    assert.throws(() => setup(undefined), /regex-json: options must be an object/);
    assert.throws(() => setup({}), /regex-json: option "pattern" must be a non-empty string, got undefined/);
    assert.throws(() => setup({ pattern: 42 }), /option "pattern" must be a non-empty string, got 42/);
    assert.throws(() => setup({ pattern: '(x)' }), /option "pattern" is invalid: invalid pattern "\(x\)": capture group 1 has no name/);
    assert.throws(() => setup({ pattern: '(?P<a___bogus>x)' }), /option "pattern" is invalid: unknown operator "bogus"/);
    assert.throws(() => setup({ pattern: 'x', services: 'nginx' }), /option "services" must be an array of non-empty strings, got "nginx"/);
    assert.throws(() => setup({ pattern: 'x', stages: [''] }), /option "stages" must be an array of non-empty strings, got \[""\]/);
    assert.throws(() => setup({ pattern: 'x', patern: 'y' }), /unknown option "patern" \("y"\)/);
  });
});
