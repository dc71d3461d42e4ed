import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { SyncWaterfallHook } from 'tapable';

const dir = path.join(__dirname, '../../../examples/plugins/logfmt-json');
const { parseLogfmt } = require(path.join(dir, 'logfmt.cjs'));
const plugin = require(path.join(dir, 'index.cjs'));

interface Rec {
  service: string;
  stage: string;
  stream: 'stdout' | 'stderr';
  line: Buffer;
  time: number;
  output?: { fd: 1 | 2; data: string | Buffer } | null;
}

describe('logfmt parser', () => {
  const cases: [string, Record<string, string | true> | null][] = [
    ['key=value', { key: 'value' }],
    ['level=info msg="listening on :80" port=80 tls', { level: 'info', msg: 'listening on :80', port: '80', tls: true }],
    ['a=1   b=2\tc=3', { a: '1', b: '2', c: '3' }],
    ['  a=1  ', { a: '1' }],
    ['empty= other=""', { empty: '', other: '' }],
    ['q="say \\"hi\\" \\\\ \\/ \\n\\t\\r\\b\\f \\u00e9"', { q: 'say "hi" \\ / \n\t\r\b\f é' }],
    ['q="a=b c"', { q: 'a=b c' }],
    ['a=1 a=2', { a: '2' }],
    ['path=/var/log/x.log ts=2024-01-01T00:00:00Z', { path: '/var/log/x.log', ts: '2024-01-01T00:00:00Z' }],
    ['unicode=čšž k.dot=1 k-dash=2', { unicode: 'čšž', 'k.dot': '1', 'k-dash': '2' }],
    // Not logfmt.
    ['server started', null],
    ['flag', null],
    ['a=b=c', null],
    ['=value', null],
    ['k="unterminated', null],
    ['k="a"b', null],
    ['k="bad \\x escape"', null],
    ['k="bad \\u12 escape"', null],
    ['k=a"b', null],
    ['key"x"=1', null],
    ['', null],
  ];
  for (const [line, expected] of cases) {
    it(`${JSON.stringify(line)} → ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(parseLogfmt(line), expected);
    });
  }
});

describe('logfmt-json plugin', () => {
  function setup(options?: unknown) {
    const kernel = {
      hooks: { line: new SyncWaterfallHook<[Rec]>(['record']) },
      STAGE: { TRANSFORM: -100, FORMAT: 0, OBSERVE: 100 },
      log: { warn: () => {}, error: () => {}, info: () => {} },
      config: { dir: '/etc/service', jsonStdout: true },
    };
    plugin.apply(kernel, options);
    return (line: string, rec: Partial<Rec> = {}): Rec =>
      kernel.hooks.line.call({ service: 'app', stage: 'run', stream: 'stdout', line: Buffer.from(line), time: 0, ...rec });
  }
  it('turns logfmt stdout lines into JSON', () => {
    assert.equal(plugin.name, 'logfmt-json');
    const call = setup();
    assert.equal(call('level=info msg="hello world" n=3 ok').line.toString(), '{"level":"info","msg":"hello world","n":"3","ok":true}');
  });
  it('passes other lines through unchanged', () => {
    const call = setup({ services: ['app'] });
    for (const line of ['plain text', '{"json":true}', 'a=b=c', 'k="open']) {
      const rec = call(line);
      assert.equal(rec.line.toString(), line);
      assert.equal(rec.stream, 'stdout');
    }
    assert.equal(call('a=1', { stream: 'stderr' }).line.toString(), 'a=1');
    assert.equal(call('a=1', { service: 'other' }).line.toString(), 'a=1');
    assert.equal(call('a=1', { service: 'app', stage: 'log' }).line.toString(), '{"a":"1"}');
  });
  it('validates options', () => {
    assert.doesNotThrow(() => setup({}));
    assert.throws(() => setup({ services: 'app' }), /logfmt-json: option "services" must be an array of non-empty strings, got "app"/);
    assert.throws(() => setup({ services: [1] }), /option "services" must be an array of non-empty strings, got \[1\]/);
    assert.throws(() => setup({ service: ['app'] }), /unknown option "service" \(\["app"\]\)/);
    assert.throws(() => setup('app'), /options must be an object, got "app"/);
  });
});
