import { test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import { SysError } from '../../../../src/sys/ptrace/errors';

test('an errno with two names is named by the first (EAGAIN, not its alias EWOULDBLOCK)', () => {
  const e = new SysError('connect in process 24', os.constants.errno.EAGAIN);
  assert.equal(e.message, 'connect in process 24 failed: EAGAIN');
  assert.equal(e.code, 'EAGAIN');
  assert.equal(new SysError('x', os.constants.errno.ESRCH).message, 'x failed: ESRCH');
});
