import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { runDinit, trustedCopy } from './harness';

// Copied where root may load its config and plugins (docs/security.md): the checkout may not be root's.
const BUNDLE = trustedCopy(path.resolve(__dirname, '../../examples/bundle'));

test('the example bundle: nginx access log and logfmt become JSON in process', async () => {
  const r = await runDinit(path.join(BUNDLE, 'services'), {
    env: { DINIT_CONFIG: path.join(BUNDLE, 'dinit.config.json') },
    during: async (d) => {
      await d.waitFor(/"service":"nginx"/);
      await d.waitFor(/"service":"worker"/);
      d.signal('SIGTERM');
    },
  });
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  const nginx = lines.find((l) => l.service === 'nginx');
  const worker = lines.find((l) => l.service === 'worker');
  assert.deepEqual(
    { ...nginx, logged: undefined },
    { ip: '203.0.113.9', time: '2026-11-29T17:51:09.000Z', method: 'GET', path: '/index.html', status: 200, bytes: 612, service: 'nginx', stage: 'run', logged: undefined },
  );
  assert.deepEqual({ ...worker, logged: undefined }, { level: 'info', msg: 'job done', id: '42', service: 'worker', stage: 'run', logged: undefined });
});
