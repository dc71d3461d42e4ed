// The built CLI with the adopt policy on a double-forking program, written for slow machines
// (the emulated arm64 VM of scripts/arm64-vm.sh) as well as fast ones: the orphan writes only
// after dinit said it adopted it, so its output can only come back through dinit's new pipe,
// and nothing races against the clock. Its sleep loop is interrupted by the takeover and must
// go on as before (on arm64 an interrupted sleep is restarted differently from x86_64).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { SLOWDOWN, grep, makeTree, runDinit } from './harness';

test('adopt: a double-forked orphan writes after the takeover; its output comes back through dinit', { timeout: 60000 * SLOWDOWN }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dinit-adopt-'));
  const go = path.join(dir, 'go');
  // The orphan: its parent (the subshell) exits at once, so dinit inherits it.
  const orphan =
    `(bash -c 'while [ ! -e ${go} ]; do sleep 0.1; done; echo "later output"; echo "later error" >&2; exit 4' &); ` +
    'exec sleep 1000';
  try {
    const r = await runDinit(makeTree({ app: { run: orphan } }), {
      env: { DINIT_REPARENTING_POLICY: 'adopt', DINIT_JSON_STDOUT: '0' },
      timeoutMs: 60000,
      during: async (d) => {
        await d.waitFor(/bash\/\d+: adopting/, 30000);
        fs.writeFileSync(go, '');
        await d.waitFor(/PID \d+ finished with status 4/, 30000);
        d.signal('SIGTERM');
      },
    });
    const pid = /bash\/(\d+): adopting/.exec(r.stderr)?.[1];
    assert.ok(pid, r.stderr);
    assert.ok(r.out.includes('T bash/<pid>: later output'), r.stdout);
    assert.ok(r.stderr.includes(` bash/${pid}: later error\n`), r.stderr);
    assert.ok(r.err.includes('T dinit: info: bash/<pid>: PID <pid> finished with status 4'), r.stderr);
    assert.equal(grep(r.err, 'error redirecting').length, 0, r.stderr);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
