import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDownSignal } from '../../../src/plugins/lifecycle/down-signal';
import { parseCli } from '../../../src/cli-args';

test('parseDownSignal: names with or without SIG, any case, numbers, whitespace around', { timeout: 10000 }, () => {
  for (const text of ['QUIT', 'SIGQUIT', 'quit', ' sigquit\n', '3', '3\n', '\tQUIT  \n']) assert.deepEqual(parseDownSignal(text), { signal: 'SIGQUIT' }, JSON.stringify(text));
  assert.deepEqual(parseDownSignal('9'), { signal: 'SIGKILL' });
  assert.deepEqual(parseDownSignal('HUP'), { signal: 'SIGHUP' });
  assert.deepEqual(parseDownSignal('6'), { signal: 'SIGABRT' });
});

test('parseDownSignal: empty, two words, unknown, out of range, non-stopping signals are problems', { timeout: 10000 }, () => {
  for (const text of ['', '\n', 'QUIT TERM', 'BOGUS', 'SIG', '0', '99', '-3', '3.0', 'STOP', 'TSTP', 'CONT', 'CHLD', 'WINCH', 'URG', 'TTIN', 'TTOU']) {
    assert.ok('problem' in parseDownSignal(text), JSON.stringify(text));
  }
});

test('parseCli: CMD mode with "--", or a first word in PATH or with a "/"; typos stay usage errors', { timeout: 10000 }, () => {
  const env = { PATH: '/usr/bin:/bin' };
  assert.deepEqual(parseCli([], env), { kind: 'init' });
  assert.deepEqual(parseCli(['--', 'check', '-x'], env), { kind: 'init', command: ['check', '-x'] });
  assert.deepEqual(parseCli(['sh', '-c', 'x'], env), { kind: 'init', command: ['sh', '-c', 'x'] });
  assert.deepEqual(parseCli(['./app', '--port'], env), { kind: 'init', command: ['./app', '--port'] });
  assert.deepEqual(parseCli(['check', 'dir'], env), { kind: 'command', name: 'check', args: ['dir'] });
  assert.equal(parseCli(['stauts'], env).kind, 'usage-error');
  assert.equal(parseCli(['--'], env).kind, 'usage-error');
  assert.equal(parseCli(['--bogus'], env).kind, 'usage-error');
});
