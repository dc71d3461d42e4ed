import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { unixFlood } from './adopt-fixtures';
import { makeTree, runDinit } from './harness';

// Issue 14 item 2: the hand-over socket's name is visible in /proc/net/unix. An unprivileged
// attacker that floods it must neither freeze dinit nor receive anything; the takeovers end
// (redirected, or a warning) within their deadline and dinit stops promptly on SIGTERM.
const ORPHANS = 6;

test('adopt: an unprivileged process flooding the hand-over socket cannot block or hijack the takeover', { timeout: 90000 }, async () => {
  const attacker = spawn(unixFlood(), [], { uid: 65534, gid: 65534, stdio: ['ignore', 'pipe', 'inherit'] });
  let flooded = '';
  attacker.stdout.on('data', (d) => (flooded += d));
  try {
    await new Promise<void>((resolve, reject) => {
      attacker.stdout.once('data', () => resolve());
      attacker.once('exit', (code) => reject(new Error(`attacker exited with ${code}`)));
    });
    // Several orphans, adopted one after the other: several chances for the attacker.
    const orphans = Array.from({ length: ORPHANS }, (_, i) => `(bash -c 'sleep 30; echo "late ${i}"' &)`).join('; ');
    let termAt = 0;
    const done = /: (redirected stdout and stderr of PID|error redirecting stdout and stderr)/;
    const r = await runDinit(makeTree({ app: { run: `${orphans}; exec sleep 1000` } }), {
      env: { DINIT_REPARENTING_POLICY: 'adopt', DINIT_JSON_STDOUT: '0', DINIT_LOG_LEVEL: 'trace' },
      timeoutMs: 60000,
      during: async (d) => {
        // Each takeover ends within its deadline (3 s), one after the other.
        const deadline = Date.now() + 10000 + ORPHANS * 3000;
        while (d.stderr().split('\n').filter((l) => done.test(l)).length < ORPHANS) {
          if (Date.now() > deadline) throw new Error(`takeovers did not end:\n${d.stderr()}`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        termAt = Date.now();
        d.signal('SIGTERM');
        await d.waitFor(/dinit exiting/, 10000);
      },
    });
    const stoppedIn = Date.now() - termAt;
    assert.equal(r.err.filter((l) => l.includes('adopting reparented child process')).length, ORPHANS, r.stderr);
    const redirected = r.err.filter((l) => l.includes('redirected stdout and stderr of PID')).length;
    const failed = r.err.filter((l) => l.includes('error redirecting stdout and stderr'));
    assert.equal(redirected + failed.length, ORPHANS, r.stderr);
    // A failure may only be the flood's doing, and say so.
    for (const line of failed) assert.match(line, /hand-over socket flooded|connect in process \d+ failed: EAGAIN/, line);
    assert.ok(stoppedIn < 5000, `stop took ${stoppedIn} ms:\n${r.stderr}`);
    assert.equal(r.code, 0, r.stderr);
    const names = flooded.split('\n').filter((l) => l.startsWith('flooded ')).length;
    assert.ok(names >= 1, 'the attacker found no hand-over socket: the test proves nothing');
    console.log(`attacker flooded ${names} hand-over names; ${redirected} takeovers redirected, ${failed.length} not`);
  } finally {
    attacker.kill('SIGKILL');
  }
});
