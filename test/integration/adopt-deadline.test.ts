import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { vforkOrphan } from './adopt-fixtures';
import { grep, makeTree, runDinit } from './harness';

// Issue 14 item 1: an orphan parked in vfork() (state D until its vfork child execs) must not
// freeze dinit: the takeover gives up after its deadline (3 s) without ever tracing it.
const TIMEOUT_LINE = /^T dinit: warning: (\S+)\/<pid>: error redirecting stdout and stderr: timed out after 3000 ms waiting for process (\d+) to leave state D \(in vfork\(\) or uninterruptible sleep\)$/;

test('adopt: an orphan parked in vfork times out, is adopted without redirection, and its later output and exit are handled', { timeout: 60000 }, async () => {
  const bin = vforkOrphan();
  let adoptedAt = 0;
  let warnedAt = 0;
  const r = await runDinit(makeTree({ app: { run: `${bin} 6; exec sleep 1000` } }), {
    env: { DINIT_REPARENTING_POLICY: 'adopt', DINIT_JSON_STDOUT: '0' },
    timeoutMs: 45000,
    during: async (d) => {
      await d.waitFor(/adopting reparented child process with PID \d+/, 15000);
      adoptedAt = Date.now();
      await d.waitFor(/error redirecting stdout and stderr: timed out/, 15000);
      warnedAt = Date.now();
      await d.waitFor(/finished with status 5/, 20000);
      d.signal('SIGTERM');
    },
  });
  assert.ok(r.err.some((l) => TIMEOUT_LINE.test(l)), r.stderr);
  const pid = /adopting reparented child process with PID (\d+)/.exec(r.stderr)?.[1];
  assert.ok(pid, r.stderr);
  assert.equal(TIMEOUT_LINE.exec(r.err.find((l) => TIMEOUT_LINE.test(l)) ?? '')?.[2], pid);
  // The deadline, not more: the loaded-machine slack is generous but bounded.
  assert.ok(warnedAt - adoptedAt >= 2500 && warnedAt - adoptedAt < 8000, `warned ${warnedAt - adoptedAt} ms after adopting`);
  // Its output stayed where it was (the service's stdout), its exit is the adopted program's.
  assert.ok(r.out.some((l) => l.endsWith(': orphan after vfork')), r.stdout);
  assert.ok(r.out.some((l) => l.endsWith(': from the vfork child')), r.stdout);
  assert.ok(r.err.some((l) => l.endsWith(`: PID <pid> finished with status 5`)), r.stderr);
  assert.match(r.stderr, new RegExp(`/${pid}: PID ${pid} finished with status 5\\n`));
  assert.equal(grep(r.err, 'finished before adopting complete').length, 0, r.stderr);
});

test('adopt: SIGTERM while the takeover waits on an orphan in vfork stops dinit at once', { timeout: 60000 }, async () => {
  const bin = vforkOrphan();
  let termAt = 0;
  const r = await runDinit(makeTree({ app: { run: `${bin} 20; exec sleep 1000` } }), {
    env: { DINIT_REPARENTING_POLICY: 'adopt', DINIT_JSON_STDOUT: '0' },
    timeoutMs: 45000,
    during: async (d) => {
      await d.waitFor(/adopting reparented child process with PID \d+/, 15000);
      termAt = Date.now();
      d.signal('SIGTERM');
      await d.waitFor(/dinit exiting/, 10000);
    },
  });
  const stoppedIn = Date.now() - termAt;
  assert.ok(stoppedIn < 5000, `dinit took ${stoppedIn} ms to stop:\n${r.stderr}`);
  // Never traced, the orphan died of the SIGTERM at once (a traced one would have kept it pending).
  const pid = /adopting reparented child process with PID (\d+)/.exec(r.stderr)?.[1];
  assert.match(r.stderr, new RegExp(`PID ${pid} finished with signal 15\\n`));
  assert.equal(r.signal, null, r.stderr);
});

// The same for a process in uninterruptible sleep: frozen by the cgroup v1 freezer (state D,
// in the refrigerator) until the test thaws it. Skipped where that hierarchy is not mounted.
const FREEZER = '/sys/fs/cgroup/freezer';
const freezerSkip = fs.existsSync(`${FREEZER}/cgroup.procs`) && process.getuid?.() === 0 ? false : 'needs the cgroup v1 freezer and root';

test('adopt: an orphan frozen in uninterruptible sleep times out, then runs on once thawed', { timeout: 60000, skip: freezerSkip }, async () => {
  const cg = fs.mkdtempSync(`${FREEZER}/dinit-test-`);
  try {
    // The orphan freezes itself; its parent exits only once it is frozen, so it is adopted frozen.
    const orphan = `sh -c 'echo $$ > ${cg}/tasks; echo FROZEN > ${cg}/freezer.state; echo thawed; exit 4'`;
    const run = `(${orphan} & while [ "$(cat ${cg}/freezer.state)" != FROZEN ]; do sleep 0.01; done); exec sleep 1000`;
    const r = await runDinit(makeTree({ app: { run } }), {
      env: { DINIT_REPARENTING_POLICY: 'adopt', DINIT_JSON_STDOUT: '0' },
      timeoutMs: 45000,
      during: async (d) => {
        await d.waitFor(/adopting reparented child process with PID \d+/, 15000);
        await d.waitFor(/error redirecting stdout and stderr: timed out/, 15000);
        fs.writeFileSync(`${cg}/freezer.state`, 'THAWED');
        await d.waitFor(/finished with status 4/, 15000);
        d.signal('SIGTERM');
      },
    });
    assert.ok(r.err.some((l) => TIMEOUT_LINE.test(l)), r.stderr);
    assert.ok(r.out.some((l) => l.endsWith(': thawed')), r.stdout);
    assert.ok(r.err.some((l) => l.endsWith(': PID <pid> finished with status 4')), r.stderr);
  } finally {
    try {
      fs.writeFileSync(`${cg}/freezer.state`, 'THAWED');
    } catch {
      // already gone
    }
    for (let i = 0; i < 50; i++) {
      try {
        fs.rmdirSync(cg);
        break;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }
});
