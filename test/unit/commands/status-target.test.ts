import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseStatusSocket } from '../../../src/commands/status-target';

const base = 'dinit-status-4026532';
/** Probes: these PIDs share our mount namespace; every claimed PID holds its socket unless listed in `impostors`, none can be told when `unknown`. */
const mounts = (...pids: number[]) => ({ ownMount: (pid: number) => pids.includes(pid), holds: () => true });
const sockets = (...names: string[]) => new Map(names.map((n, i) => [n, [1000 + i]]));

test('one dinit: its socket, whatever its mount namespace', () => {
  assert.deepEqual(chooseStatusSocket(base, sockets(base), mounts()), { name: base });
  assert.deepEqual(chooseStatusSocket(base, sockets(`${base}-7`), mounts()), { name: `${base}-7` });
  assert.deepEqual(chooseStatusSocket(base, sockets(), mounts()), { name: base });
});

test('a pod: the dinit that shares the caller\'s mount namespace answers, PID 1 or not', () => {
  assert.deepEqual(chooseStatusSocket(base, sockets(base, `${base}-7`), mounts(7)), { name: `${base}-7` });
  assert.deepEqual(chooseStatusSocket(base, sockets(base, `${base}-7`), mounts(1)), { name: base });
  // Kubernetes: PID 1 is the pause container, every dinit has a PID suffix.
  assert.deepEqual(chooseStatusSocket(base, sockets(`${base}-7`, `${base}-12`), mounts(12)), { name: `${base}-12` });
});

test('when the mount namespace does not single one out: PID 1, else refused as ambiguous', () => {
  // Someone else in our container bound a name claiming its own PID: PID 1 still wins.
  assert.deepEqual(chooseStatusSocket(base, sockets(base, `${base}-7`, `${base}-30`), mounts(1, 30)), { name: base });
  assert.deepEqual(chooseStatusSocket(base, sockets(`${base}-7`, `${base}-12`), mounts()), { refused: `several dinits listen (@${base}-12, @${base}-7) and none shares this container's mount namespace: set DINIT_STATUS_SOCKET` });
});

test('names that only start like ours are not candidates', () => {
  assert.deepEqual(chooseStatusSocket(base, sockets(base, `${base}9`, `${base}-x`, `${base}-07`), mounts()), { name: base });
});

test('a name whose claimed PID does not hold the socket is an impostor, never asked', () => {
  const holds = (...real: string[]) => (pid: number, inodes: readonly number[]) => real.includes(`${pid}:${inodes[0]}`);
  // Kubernetes: PID 1 is pause; someone bound the base name; the real dinit is PID 7.
  const pod = sockets(base, `${base}-7`);
  assert.deepEqual(chooseStatusSocket(base, pod, { ownMount: () => false, holds: holds('7:1001') }), { name: `${base}-7` });
  // Only an impostor: refused, naming it.
  assert.deepEqual(chooseStatusSocket(base, sockets(base), { ownMount: () => true, holds: holds() }), {
    refused: `@${base} is bound by a process other than the PID the name claims, not by a dinit`,
  });
  // Not root: nothing can be told, the claims stand (as before).
  assert.deepEqual(chooseStatusSocket(base, pod, { ownMount: () => false, holds: () => undefined }), { name: base });
});
