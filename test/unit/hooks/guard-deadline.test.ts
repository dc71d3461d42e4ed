import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createHooks } from '../../../src/hooks/hooks';
import type { Program, SpawnRequest } from '../../../src/hooks/types';
import { createLogger } from '../../../src/kernel/log';

function hooksWithLog(deadlines: Record<string, number>) {
  const lines: string[] = [];
  const log = createLogger('debug', (text) => lines.push(text.replace(/^\S+ /, '').trimEnd()));
  return { hooks: createHooks(() => log, deadlines), lines };
}

const program = { service: 'a', stage: 'run', pid: 1, origin: 'spawned', startedAt: 0, state: 'running' } as Program;
const request: SpawnRequest = { service: 'a', stage: 'run', argv: ['/bin/true'], cwd: '/', env: {} };

test('promise tap: a miss resolves with the fallback once; the late value is ignored; later taps run', { timeout: 10000 }, async () => {
  const { hooks, lines } = hooksWithLog({ shutdown: 0.05 });
  let lateResolve: (value: boolean) => void = () => {};
  let second = 0;
  hooks.shutdown.tapPromise('slow', () => new Promise((resolve) => (lateResolve = resolve)));
  hooks.shutdown.tapPromise('next', async () => (second++, undefined));
  const started = Date.now();
  assert.equal(await hooks.shutdown.promise(program), undefined);
  assert.ok(Date.now() - started >= 40);
  lateResolve(true);
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(second, 1);
  assert.deepEqual(lines, ['dinit: error: plugin slow did not settle in hook shutdown within 0.05 s; going on without it']);
});

test('callback tap: a miss calls back once with the fallback (waterfall: input unchanged); a late callback is ignored', { timeout: 10000 }, async () => {
  const { hooks, lines } = hooksWithLog({ spawn: 0.05 });
  let late: ((error: Error | null, value?: SpawnRequest) => void) | undefined;
  hooks.spawn.tapAsync('slow', (_request, callback) => (late = callback));
  let calls = 0;
  const result = await new Promise<SpawnRequest | undefined>((resolve) =>
    hooks.spawn.callAsync(request, (_error, value) => {
      calls++;
      resolve(value);
    }),
  );
  assert.equal(result, request);
  late!(null, { ...request, argv: ['/bin/false'] });
  late!(new Error('and again'));
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(calls, 1);
  assert.equal(lines.length, 1);
});

test('a tap option timeout replaces the hook deadline; repeated misses are counted, not logged each time', { timeout: 10000 }, async () => {
  const { hooks, lines } = hooksWithLog({ reparent: 10 });
  hooks.reparent.tapPromise({ name: 'own', timeout: 0.01 }, () => new Promise(() => {}));
  const orphan = { pid: 2, name: 'x', stage: '2', cmdline: 'x' };
  for (let i = 0; i < 5; i++) assert.equal(await hooks.reparent.promise(orphan), undefined);
  assert.deepEqual(lines, [
    'dinit: error: plugin own did not settle in hook reparent within 0.01 s; going on without it',
    'dinit: error: plugin own did not settle in hook reparent within 0.01 s (2 times so far); going on without it',
    'dinit: error: plugin own did not settle in hook reparent within 0.01 s (3 times so far); going on without it',
    'dinit: error: plugin own did not settle in hook reparent within 0.01 s (4 times so far); going on without it',
  ]);
});

test('a tap that settles in time is used as before, and a rejection is still a logged failure', { timeout: 10000 }, async () => {
  const { hooks, lines } = hooksWithLog({ exit: 1 });
  hooks.exit.tapPromise('fails', async () => Promise.reject(new Error('nope')));
  hooks.exit.tapPromise('decides', async () => true);
  assert.equal(await hooks.exit.promise(program, { code: 0, signal: null }), true);
  assert.deepEqual(lines, ['dinit: error: plugin fails failed in hook exit: nope']);
});
