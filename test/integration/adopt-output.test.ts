import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SLOWDOWN, grep, makeTree, runDinit } from './harness';

// Seconds the orphans wait before writing: past the scan and the takeover, also when emulated.
const W = 2.5 * SLOWDOWN;

// The orphan outlives the 1 s scan interval, then writes; by then its output is ours.
const orphan = `(bash -c 'sleep ${W}; echo x y z; echo "{\\"json\\":true}"; echo to stderr >&2; exit 6' &); exec sleep 1000`;

test('adopt: the adopted process output is logged as <name>/<pid> (JSON mode)', async () => {
  const r = await runDinit(makeTree({ app: { run: orphan } }), { env: { DINIT_REPARENTING_POLICY: 'adopt' } });
  assert.equal(r.code, 3, r.stderr);
  const pid = /bash\/(\d+): adopting/.exec(r.stderr)?.[1];
  assert.ok(pid, r.stderr);
  assert.ok(r.stderr.includes(`dinit: warning: bash/${pid}: not JSON stdout: x y z\n`), r.stderr);
  assert.ok(r.stderr.includes(` bash/${pid}: to stderr\n`), r.stderr);
  assert.match(r.stdout, new RegExp(`^\\{"json":true,"service":"bash","stage":"${pid}","logged":"[^"]+"\\}$`, 'm'));
  assert.ok(r.err.includes('T dinit: info: bash/<pid>: PID <pid> finished with status 6'));
  assert.equal(grep(r.err, 'error redirecting').length, 0, r.stderr);
});

test('adopt: text mode, and the grandchild that inherited stdout is redirected too', async () => {
  const tree = makeTree({
    app: { run: `(bash -c '(sleep ${W}; echo from grandchild) & sleep ${W}; wait; echo from child' &); exec sleep 1000` },
  });
  const r = await runDinit(tree, { env: { DINIT_REPARENTING_POLICY: 'adopt', DINIT_JSON_STDOUT: '0' } });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.out.sort(), ['T bash/<pid>: from child', 'T bash/<pid>: from grandchild']);
});

test('adopt: a process that is gone before its output is taken over is reported, not fatal', async () => {
  // A zombie by the time of the scan: reaped as such, never adopted.
  const r = await runDinit(makeTree({ app: { run: `(sh -c 'exit 0' &); sleep 1.5` } }), {
    env: { DINIT_REPARENTING_POLICY: 'adopt' },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(grep(r.err, 'error redirecting').length, 0);
});
