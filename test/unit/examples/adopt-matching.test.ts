import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { AsyncSeriesBailHook } from 'tapable';

const plugin = require(path.join(__dirname, '../../../examples/plugins/adopt-matching/index.cjs'));

interface Orphan {
  pid: number;
  name: string;
  stage: string;
  cmdline: string;
}

function setup(options: unknown) {
  const calls: string[] = [];
  const warnings: string[] = [];
  const kernel = {
    hooks: { reparent: new AsyncSeriesBailHook<[Orphan], boolean | undefined>(['orphan']) },
    log: { warn: (m: string) => warnings.push(m), error: () => {}, info: () => {} },
    adopt: (o: Orphan) => { calls.push(`adopt ${o.pid}`); },
    terminate: (o: Orphan) => { calls.push(`terminate ${o.pid}`); },
    config: { dir: '/etc/service', jsonStdout: true },
  };
  plugin.apply(kernel, options);
  return { kernel, calls, warnings };
}

describe('adopt-matching plugin', () => {
  it('adopts listed process names', async () => {
    assert.equal(plugin.name, 'adopt-matching');
    const { kernel, calls, warnings } = setup({ adopt: ['nginx', 'php-fpm'] });
    const handled = await kernel.hooks.reparent.promise({ pid: 42, name: 'nginx', stage: '42', cmdline: 'nginx: worker process' });
    assert.equal(handled, true);
    assert.deepEqual(calls, ['adopt 42']);
    assert.deepEqual(warnings, [], 'the kernel primitive logs, not the plugin');
  });
  it('terminates everything else', async () => {
    const { kernel, calls, warnings } = setup({ adopt: ['nginx'] });
    const handled = await kernel.hooks.reparent.promise({ pid: 7, name: 'sleep', stage: '7', cmdline: 'sleep 1000' });
    assert.equal(handled, true);
    assert.deepEqual(calls, ['terminate 7']);
    assert.deepEqual(warnings, []);
  });
  it('matches on the process name only', async () => {
    const { kernel, calls } = setup({ adopt: ['zombie'] });
    await kernel.hooks.reparent.promise({ pid: 9, name: 'zombie', stage: '9', cmdline: '' });
    await kernel.hooks.reparent.promise({ pid: 10, name: 'unknown', stage: '10', cmdline: 'zombie' });
    assert.deepEqual(calls, ['adopt 9', 'terminate 10']);
  });
  it('validates options', () => {
    assert.throws(() => setup(undefined), /adopt-matching: options must be an object with "adopt", got undefined/);
    assert.throws(() => setup({}), /option "adopt" must be an array of non-empty process names, got undefined/);
    assert.throws(() => setup({ adopt: 'nginx' }), /option "adopt" must be an array of non-empty process names, got "nginx"/);
    assert.throws(() => setup({ adopt: [''] }), /got \[""\]/);
    assert.throws(() => setup({ adopt: [], extra: 1 }), /unknown option "extra" \(1\)/);
    assert.doesNotThrow(() => setup({ adopt: [] }));
  });
});
