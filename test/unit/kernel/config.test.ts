import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configFromEnv, DEFAULT_CONFIG } from '../../../src/kernel/config';
import { parseGoInt } from '../../../src/kernel/go-int';

test('defaults', () => {
  assert.deepEqual(configFromEnv({}), DEFAULT_CONFIG);
  assert.deepEqual(configFromEnv({ DINIT_LOG_LEVEL: '', DINIT_KILL_TIMEOUT: '' }), DEFAULT_CONFIG);
});

test('every variable', () => {
  assert.deepEqual(
    configFromEnv({
      DINIT_DIR: '/srv',
      DINIT_JSON_STDOUT: '0',
      DINIT_LOG_LEVEL: 'debug',
      DINIT_KILL_TIMEOUT: '0x10',
      DINIT_REPARENTING_POLICY: 'adopt',
      DINIT_MAX_LINE: '4096',
    }),
    { ...DEFAULT_CONFIG, dir: '/srv', jsonStdout: false, logLevel: 'debug', killTimeout: 16, reparentingPolicy: 'adopt', maxLine: 4096 },
  );
  assert.equal(configFromEnv({ DINIT_JSON_STDOUT: '1' }).jsonStdout, true);
  assert.equal(configFromEnv({ DINIT_JSON_STDOUT: 'false' }).jsonStdout, true, 'only "0" disables, as in Go dinit');
});

test('invalid values: the Go dinit messages', () => {
  assert.throws(() => configFromEnv({ DINIT_LOG_LEVEL: 'WARN' }), { message: 'invalid log level WARN' });
  assert.throws(() => configFromEnv({ DINIT_KILL_TIMEOUT: '10s' }), { message: 'invalid kill timeout 10s' });
  assert.throws(() => configFromEnv({ DINIT_REPARENTING_POLICY: 'x' }), { message: 'invalid reparenting policy x' });
  assert.throws(() => configFromEnv({ DINIT_MAX_LINE: '0' }), /invalid max line 0/);
});

test("parseGoInt accepts what Go's ParseInt(s, 0, 64) accepts", () => {
  const ok: Array<[string, bigint]> = [
    ['0', 0n], ['10', 10n], ['-10', -10n], ['+7', 7n], ['0x1F', 31n], ['0X1f', 31n], ['0o17', 15n], ['017', 15n],
    ['0b101', 5n], ['1_000', 1000n], ['0x_1f', 31n], ['0_7', 7n], ['9223372036854775807', 9223372036854775807n],
    ['-9223372036854775808', -9223372036854775808n],
  ];
  for (const [s, v] of ok) assert.equal(parseGoInt(s), v, s);
  const bad = ['', '-', '0x', '1__0', '_1', '1_', '08', '0b2', '1.5', ' 1', '9223372036854775808', 'abc', '0x_'];
  for (const s of bad) assert.equal(parseGoInt(s), undefined, s);
});
