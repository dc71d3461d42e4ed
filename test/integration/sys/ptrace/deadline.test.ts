// Issue 14 item 1 at the ptrace level: a tracee that cannot stop (parked in vfork, state D) makes
// the takeover time out without blocking, and is never left traced or stopped.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, describe, it } from 'node:test';
import { archFor } from '../../../../src/sys/ptrace/arch';
import { Deadline } from '../../../../src/sys/ptrace/deadline';
import { TakeOverTimeoutError, takeOverOutput } from '../../../../src/sys/ptrace';
import { Tracee as Session, traceStats } from '../../../../src/sys/ptrace/tracee';
import { vforkOrphan } from '../../adopt-fixtures';
import { Tracee, skipReason, start, until } from './helpers';

const running: Tracee[] = [];
after(() => running.forEach((t) => t.kill()));

const stateOf = (pid: number): string | undefined => {
  try {
    return / \(.*\) (\S) /.exec(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1];
  } catch {
    return undefined;
  }
};
const tracerOf = (pid: number): number => {
  try {
    return Number(/^TracerPid:\s*(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  } catch {
    return 0; // gone
  }
};

/** Event-loop lag: the longest gap between 1 ms timers while `work` runs. */
async function maxLag<T>(work: Promise<T>): Promise<{ value: T | Error; lagMs: number }> {
  let last = Date.now();
  let lagMs = 0;
  const timer = setInterval(() => {
    lagMs = Math.max(lagMs, Date.now() - last);
    last = Date.now();
  }, 1);
  try {
    return { value: await work.catch((e: Error) => e), lagMs };
  } finally {
    clearInterval(timer);
  }
}

describe('takeover deadline', { skip: skipReason }, () => {
  it('gives up on a process parked in vfork without tracing it or blocking the event loop', { timeout: 30000 }, async (t0) => {
    const t = await start(vforkOrphan(), ['2', 'stay']);
    running.push(t);
    await until('the vfork parent in state D', () => stateOf(t.pid) === 'D');
    const started = Date.now();
    const { value, lagMs } = await maxLag(takeOverOutput(t.pid, { deadlineMs: 500 }));
    const took = Date.now() - started;
    assert.ok(value instanceof TakeOverTimeoutError, String(value));
    assert.equal(value.message, `timed out after 500 ms waiting for process ${t.pid} to leave state D (in vfork() or uninterruptible sleep)`);
    assert.ok(took >= 500 && took < 3000, `took ${took} ms`);
    assert.ok(lagMs < 400, `event loop blocked for ${lagMs} ms`);
    t0.diagnostic(`timed out after ${took} ms; longest event-loop gap ${lagMs} ms`);
    assert.equal(tracerOf(t.pid), 0, 'never traced');
    // It goes on as if nothing happened.
    assert.deepEqual(await t.exited, { code: 5, signal: null });
    assert.match(t.oldOut(), /orphan after vfork\n/);
  });

  it('releases a seized process that stops only after the deadline, untouched', { timeout: 30000 }, async (t0) => {
    const t = await start(vforkOrphan(), ['2', 'stay']);
    running.push(t);
    await until('the vfork parent in state D', () => stateOf(t.pid) === 'D');
    const released = traceStats.releasedLater;
    // Seized directly, past the state-D check that takeOverOutput makes first.
    const { value, lagMs } = await maxLag(Session.seize(t.pid, t.pid, archFor(process.arch), new Deadline(t.pid, 300)));
    assert.ok(value instanceof TakeOverTimeoutError, String(value));
    assert.match(value.message, new RegExp(`^timed out after 300 ms waiting for process ${t.pid} to stop \\(state D: in vfork\\(\\) or uninterruptible sleep\\)$`));
    assert.ok(lagMs < 400, `event loop blocked for ${lagMs} ms`);
    assert.equal(traceStats.releasedLater, released + 1, 'left to the background release');
    t0.diagnostic(`longest event-loop gap ${lagMs} ms`);
    assert.equal(tracerOf(t.pid), process.pid, 'still traced while it cannot stop');
    // Once the vfork child execs, the parent stops and is detached at once, and runs on.
    await until('the release', () => tracerOf(t.pid) === 0, 10000);
    assert.deepEqual(await t.exited, { code: 5, signal: null });
    assert.match(t.oldOut(), /orphan after vfork\n/);
  });
});
