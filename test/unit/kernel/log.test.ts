import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LOG_LEVELS, type LogLevel } from '../../../src/kernel/config';
import { createLogger } from '../../../src/kernel/log';

function written(level: LogLevel): string[] {
  const lines: string[] = [];
  const log = createLogger(level, (text) => lines.push(text.replace(/^\S+ /, 'T ')));
  log.error('e');
  log.warn('w');
  log.info('i');
  log.debug('d');
  log.trace('t');
  return lines;
}

test('each level writes itself and the levels above; trace is below debug', () => {
  assert.deepEqual(written('none'), []);
  assert.deepEqual(written('warn'), ['T dinit: error: e\n', 'T dinit: warning: w\n']);
  assert.deepEqual(written('debug'), ['T dinit: error: e\n', 'T dinit: warning: w\n', 'T dinit: info: i\n', 'T dinit: debug: d\n']);
  assert.deepEqual(written('trace'), [
    'T dinit: error: e\n',
    'T dinit: warning: w\n',
    'T dinit: info: i\n',
    'T dinit: debug: d\n',
    'T dinit: trace: t\n',
  ]);
});

test('trace is a valid DINIT_LOG_LEVEL and enabled() knows it', () => {
  assert.ok(LOG_LEVELS.includes('trace'));
  assert.equal(createLogger('debug', () => {}).enabled('trace'), false);
  assert.equal(createLogger('trace', () => {}).enabled('trace'), true);
  assert.equal(createLogger('trace', () => {}).enabled('debug'), true);
});
