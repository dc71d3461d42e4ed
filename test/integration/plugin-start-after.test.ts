import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { grep, makeFiles, makeTree, runDinit, trustedCopy } from './harness';

// Copied where root may load them (docs/security.md): the checkout may not be root's.
const PLUGIN = path.join(trustedCopy(path.resolve(__dirname, '../../examples/plugins')), 'start-after/index.cjs');
const T = { timeout: 60000 };

function configDir(options: unknown): string {
  return makeFiles({ 'dinit.config.json': JSON.stringify({ plugins: [[PLUGIN, options]] }) });
}

test('start-after: web starts only once db is ready (its check passed); others start at once', T, async () => {
  const services = makeTree({
    // db gets ready after about a second: its check passes once the file exists.
    db: { run: 'sleep 1; touch up; exec sleep 1000', check: 'test -f up' },
    web: { run: 'echo web started; exec sleep 1000' },
    other: { run: 'exec sleep 1000' },
  });
  const r = await runDinit(services, {
    // `other` has no check: it is ready once its run runs (the `ready` hook fires for it too).
    cwd: configDir({ after: { web: ['db', 'other'] }, timeout: 30 }),
    env: { DINIT_CONFIG: '.', DINIT_CHECK_INTERVAL: '1', DINIT_LOG_LEVEL: 'info' },
    timeoutMs: 40000,
    during: async (d) => {
      await d.waitFor(/web started/, 20000);
      d.signal('SIGTERM');
    },
  });
  assert.equal(r.code, 0, r.stderr);
  const lines = r.err;
  const at = (needle: string | RegExp): number => lines.findIndex((l) => (typeof needle === 'string' ? l.includes(needle) : needle.test(l)));
  assert.ok(at(/web\/run: waiting for (db|db, other) to be ready \(start-after\)/) >= 0, r.stderr);
  assert.ok(at('db/check: ready') < at('web/run: running with PID'), r.stderr);
  assert.ok(at('other/run: running with PID') < at('db/check: ready'), r.stderr);
  assert.equal(grep(lines, /starting without/).length, 0, r.stderr);
});

test('start-after: a dependency that never gets ready holds the start only `timeout` seconds (a warning), not the hook deadline', T, async () => {
  const services = makeTree({
    db: { run: 'exec sleep 1000', check: 'exit 1' },
    web: { run: 'echo web started; exec sleep 1000' },
  });
  const r = await runDinit(services, {
    cwd: configDir({ after: { web: ['db'] }, timeout: 2 }),
    // A spawn deadline shorter than the plugin's timeout: the plugin's own tap deadline wins.
    env: { DINIT_CONFIG: '.', DINIT_CHECK_INTERVAL: '1', DINIT_HOOK_TIMEOUT: '1', DINIT_LOG_LEVEL: 'info' },
    timeoutMs: 30000,
    during: async (d) => {
      await d.waitFor(/web started/, 20000);
      d.signal('SIGTERM');
    },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.err.includes('T dinit: warning: web/run: starting without db: not ready after 2 s (start-after)'), r.stderr);
  assert.equal(grep(r.err, /did not settle/).length, 0, r.stderr);
});

test('start-after: a stop during the wait ends it; a cycle is refused at start-up', T, async () => {
  const services = makeTree({ db: { run: 'exec sleep 1000', check: 'exit 1' }, web: { run: 'exec sleep 1000' } });
  const stopped = await runDinit(services, {
    cwd: configDir({ after: { web: ['db'] }, timeout: 600 }),
    env: { DINIT_CONFIG: '.', DINIT_LOG_LEVEL: 'info' },
    timeoutMs: 30000,
    during: async (d) => {
      await d.waitFor(/web\/run: waiting for db/);
      d.signal('SIGTERM');
    },
  });
  assert.equal(stopped.code, 0, stopped.stderr);
  const cycle = await runDinit(services, { cwd: configDir({ after: { web: ['db'], db: ['web'] } }), env: { DINIT_CONFIG: '.' }, timeoutMs: 20000 });
  assert.equal(cycle.code, 1);
  assert.match(cycle.stderr, /start-after: option "after" has a cycle: web -> db -> web/);
});
