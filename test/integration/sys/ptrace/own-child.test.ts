// Issue 20: Tracee.waitEvent used to peek with waitid(WNOWAIT) and then consume the stop with
// waitpid(__WALL|WNOHANG); a SIGKILL in between made that waitpid reap our own child, and its
// real waiter never heard of it (the rare hang of take-over.test.ts). Here the tracee is a real
// child of this process, as an adopted orphan is of dinit: this process is a subreaper and the
// tracee is reparented to it, so libuv does not know it and only our waitpid below may reap it.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { ProcessGoneError, takeOverOutput } from '../../../../src/sys/ptrace';
import { koffiCalls } from '../../../../src/sys/koffi-backend';
import { decodeWaitStatus } from '../../../../src/sys/wait-status';
import { SYS, blockedIn, skipReason, until } from './helpers';

describe('takeOverOutput on our own child', { skip: skipReason }, () => {
  it('never reaps its exit: a kill during takeovers always reaches the real waiter', { timeout: 120000 }, async (t0) => {
    const sys = koffiCalls();
    sys.setChildSubreaper();
    const outcomes: Record<string, number> = {};
    for (let i = 0; i < 20; i++) {
      // sh starts sleep in the background and exits: sleep is reparented to us.
      const pid = Number(execFileSync('sh', ['-c', 'sleep 30 >/dev/null 2>&1 & echo $!'], { encoding: 'utf8' }).trim());
      await until('the orphan to be ours', () => blockedIn(pid) === SYS.clock_nanosleep || blockedIn(pid) === SYS.nanosleep);
      const killer = spawn('sh', ['-c', `sleep 0.0${i % 10}; kill -9 ${pid}`], { stdio: 'ignore' });
      const killed = new Promise((resolve) => killer.once('exit', resolve));
      let rounds = 0;
      for (; rounds < 20000; rounds++) {
        try {
          const r = await takeOverOutput(pid, { deadlineMs: 2000 });
          for (const fd of [r.stdout, r.stderr]) if (fd >= 0) fs.closeSync(fd);
        } catch (err) {
          assert.ok(err instanceof ProcessGoneError || (err as Error).name === 'TakeOverTimeoutError', `unexpected ${(err as Error).message}`);
          const key = (err as Error).message.replace(/\d+/g, 'N');
          outcomes[key] = (outcomes[key] ?? 0) + 1;
          break;
        }
      }
      await killed;
      // The real waiter: its exit status must still be there for us.
      const result = await until('the killed child to be reaped', () => {
        const w = sys.waitpid(pid, true);
        return w === undefined ? { stolen: true } : w.pid === 0 ? undefined : decodeWaitStatus(w.status);
      });
      assert.deepEqual(result, { code: null, signal: 9 }, `round ${i}: exit status taken by someone else after ${rounds} takeovers`);
    }
    t0.diagnostic(JSON.stringify(outcomes));
  });
});
