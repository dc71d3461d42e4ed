import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Orphan } from '../../../src/hooks/types';
import type { Kernel } from '../../../src/kernel/kernel';
import { createLogger } from '../../../src/kernel/log';
import { Orphans } from '../../../src/kernel/orphans';
import type { Reaper } from '../../../src/kernel/reaper';

/*
 * PID reuse, as a unit test: an integration test cannot make the kernel hand a reaped pid
 * to a new process on demand. What must hold: once a reparented pid is reaped, nothing armed
 * for it (the SIGKILL timer, a policy decision still in flight) ever signals that pid again,
 * since it may now belong to a new program or a new orphan.
 */

function setup(reparent: (orphan: Orphan) => Promise<true | undefined>) {
  const kernel = {
    stopping: false,
    config: { killTimeout: 1 },
    log: createLogger('debug', () => {}),
    hooks: { reparent: { promise: reparent }, adopted: { promise: async () => undefined } },
    programs: { add() {} },
    programExited: async () => {},
  } as unknown as Kernel;
  const tracked = new Set<number>();
  const reaper = { track: (pid: number) => tracked.add(pid), request() {} } as unknown as Reaper;
  const orphans = new Orphans(kernel);
  orphans.attach(reaper);
  return { orphans, tracked };
}

const orphan = (pid: number, name = 'sleep'): Orphan => ({ pid, name, stage: String(pid), cmdline: `${name} 1000` });

test('a reaped orphan is never SIGKILLed later, even if its pid now belongs to someone else', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const kills: Array<[number, string]> = [];
  t.mock.method(process, 'kill', (pid: number, signal: string) => (kills.push([pid, signal]), true));
  const { orphans } = setup(async () => true);
  orphans.terminate(orphan(4242));
  // SIGCONT follows every SIGTERM: a stopped process would keep the SIGTERM pending.
  assert.deepEqual(kills, [[4242, 'SIGTERM'], [4242, 'SIGCONT']]);
  // It ends (and is reaped) before DINIT_KILL_TIMEOUT; 4242 is then free for a new process.
  orphans.reaped(4242, { code: null, signal: 15 });
  t.mock.timers.tick(5000);
  assert.deepEqual(kills, [[4242, 'SIGTERM'], [4242, 'SIGCONT']], 'no SIGKILL for a pid that was reaped');
});

test('a policy decision still in flight when its orphan is reaped does not act on a new orphan with the same pid', async (t) => {
  const kills: Array<[number, string]> = [];
  t.mock.method(process, 'kill', (pid: number, signal: string) => (kills.push([pid, signal]), true));
  let release: (value: undefined) => void = () => {};
  let calls = 0;
  // The first decision hangs (a slow policy) and then declines, which would mean "terminate".
  const { orphans } = setup((o) => (++calls === 1 ? new Promise((resolve) => (release = resolve)) : Promise.resolve(o ? true : undefined)));
  const first = orphans.decide(orphan(4300, 'old'));
  orphans.reaped(4300, { code: 0, signal: null });
  // The pid is recycled by a new orphan, which the policy leaves alone (ignore).
  await orphans.decide(orphan(4300, 'new'));
  release(undefined);
  await first;
  assert.deepEqual(kills, [], 'the stale decision must not terminate the new process');
  assert.equal(orphans.pending, 0);
});

test('terminate then reaped then the same pid terminated again: one fresh SIGKILL timer, for the new process only', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const kills: Array<[number, string]> = [];
  t.mock.method(process, 'kill', (pid: number, signal: string) => (kills.push([pid, signal]), true));
  const { orphans } = setup(async () => true);
  orphans.terminate(orphan(4400));
  t.mock.timers.tick(600);
  orphans.reaped(4400, { code: null, signal: 15 });
  orphans.terminate(orphan(4400, 'reused'));
  // 1 s after the first SIGTERM: the old timer would have fired here.
  t.mock.timers.tick(600);
  assert.deepEqual(kills, [[4400, 'SIGTERM'], [4400, 'SIGCONT'], [4400, 'SIGTERM'], [4400, 'SIGCONT']]);
  // 1 s after the second one: the new process, unreaped and still ours, gets its SIGKILL.
  t.mock.timers.tick(500);
  assert.deepEqual(kills.at(-1), [4400, 'SIGKILL']);
  assert.equal(kills.length, 5);
});
