import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseStatusSocket } from '../../../src/commands/status-target';

const base = 'dinit-status-4026532';
const mounts = (...pids: number[]) => (pid: number) => pids.includes(pid);

test('one dinit: its socket, whatever its mount namespace', () => {
  assert.deepEqual(chooseStatusSocket(base, [base], mounts()), { name: base });
  assert.deepEqual(chooseStatusSocket(base, [`${base}-7`], mounts()), { name: `${base}-7` });
  assert.deepEqual(chooseStatusSocket(base, [], mounts()), { name: base });
});

test('a pod: the dinit that shares the caller\'s mount namespace answers, PID 1 or not', () => {
  assert.deepEqual(chooseStatusSocket(base, [base, `${base}-7`], mounts(7)), { name: `${base}-7` });
  assert.deepEqual(chooseStatusSocket(base, [base, `${base}-7`], mounts(1)), { name: base });
  // Kubernetes: PID 1 is the pause container, every dinit has a PID suffix.
  assert.deepEqual(chooseStatusSocket(base, [`${base}-7`, `${base}-12`], mounts(12)), { name: `${base}-12` });
});

test('when the mount namespace does not single one out: PID 1, else refused as ambiguous', () => {
  // Someone else in our container bound a name claiming its own PID: PID 1 still wins.
  assert.deepEqual(chooseStatusSocket(base, [base, `${base}-7`, `${base}-30`], mounts(1, 30)), { name: base });
  assert.deepEqual(chooseStatusSocket(base, [`${base}-7`, `${base}-12`], mounts()), { ambiguous: [`${base}-12`, `${base}-7`] });
});

test('names that only start like ours are not candidates', () => {
  assert.deepEqual(chooseStatusSocket(base, [base, `${base}9`, `${base}-x`, `${base}-07`], mounts()), { name: base });
});
