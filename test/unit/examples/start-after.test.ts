import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { AsyncSeriesWaterfallHook, SyncHook } from 'tapable';

const plugin = require(path.join(__dirname, '../../../examples/plugins/start-after/index.cjs'));

interface Request {
  service: string;
  stage: string;
  argv: string[];
  cwd: string;
  env: Record<string, string>;
}

function setup(options: unknown) {
  const ready = new Set<string>();
  const logs: string[] = [];
  const kernel = {
    hooks: {
      spawn: new AsyncSeriesWaterfallHook<[Request]>(['request']),
      ready: new SyncHook<[string, { ready: boolean }]>(['service', 'readiness']),
      stopping: new SyncHook<[]>([]),
    },
    readiness: { isReady: (s: string) => ready.has(s) },
    stopping: false,
    log: { warn: (m: string) => logs.push(`warn ${m}`), info: (m: string) => logs.push(`info ${m}`) },
  };
  plugin.apply(kernel, options);
  const setReady = (service: string, on = true): void => {
    if (on) ready.add(service);
    else ready.delete(service);
    kernel.hooks.ready.call(service, { ready: on });
  };
  const spawn = (service: string, stage = 'run') => kernel.hooks.spawn.promise({ service, stage, argv: ['x'], cwd: '/', env: {} });
  return { kernel, logs, setReady, spawn };
}

/** Whether `promise` settled within a few event-loop turns. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('start-after plugin', () => {
  it('holds a run until every named service is ready, then passes the request on unchanged', async () => {
    assert.equal(plugin.name, 'start-after');
    const { logs, setReady, spawn } = setup({ after: { web: ['db', 'cache'] } });
    const waiting = spawn('web');
    assert.equal(await settled(waiting), false);
    assert.deepEqual(logs, ['info web/run: waiting for db, cache to be ready (start-after)']);
    setReady('db');
    assert.equal(await settled(waiting), false);
    setReady('cache');
    assert.equal(await settled(waiting), true);
    assert.equal((await waiting).service, 'web');
  });
  it('does not hold other stages, unlisted services, or a run whose services are ready already', async () => {
    const { logs, setReady, spawn } = setup({ after: { web: ['db'] } });
    assert.equal(await settled(spawn('web', 'log')), true);
    assert.equal(await settled(spawn('db')), true);
    setReady('db');
    assert.equal(await settled(spawn('web')), true);
    assert.deepEqual(logs, []);
  });
  it('ends every wait when the stop begins', async () => {
    const { kernel, spawn } = setup({ after: { web: ['db'] } });
    const waiting = spawn('web');
    assert.equal(await settled(waiting), false);
    kernel.stopping = true;
    kernel.hooks.stopping.call();
    assert.equal(await settled(waiting), true);
  });
  it('starts anyway after `timeout` with a warning', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const { logs, spawn } = setup({ after: { web: ['db'] }, timeout: 5 });
    const waiting = spawn('web');
    assert.equal(await settled(waiting), false);
    t.mock.timers.tick(5000);
    assert.equal(await settled(waiting), true);
    assert.equal(logs[1], 'warn web/run: starting without db: not ready after 5 s (start-after)');
  });
  it('declares its own spawn deadline, a second after its timeout', () => {
    const { kernel } = setup({ after: { web: ['db'] }, timeout: 120 });
    const taps = (kernel.hooks.spawn as unknown as { taps: Array<{ name: string; timeout?: number }> }).taps;
    assert.deepEqual(taps.map((tap) => [tap.name, tap.timeout]), [['start-after', 121]]);
  });
  it('refuses bad options with a message naming the option and the value', () => {
    const bad: Array<[unknown, RegExp]> = [
      [undefined, /options must be an object with "after", got undefined/],
      [{ after: ['db'] }, /option "after" must be an object/],
      [{ after: { web: 'db' } }, /option "after.web" must be a list of other services' names, got "db"/],
      [{ after: { web: ['web'] } }, /option "after.web" must be a list of other services' names/],
      [{ after: { a: ['b'], b: ['c'], c: ['a'] } }, /option "after" has a cycle: a -> b -> c -> a/],
      [{ after: {}, timeout: 0 }, /option "timeout" must be whole seconds from 1 to 86400, got 0/],
      [{ after: {}, wait: 1 }, /unknown option "wait" \(1\); known: after, timeout/],
    ];
    for (const [options, message] of bad) assert.throws(() => setup(options), message);
  });
});
