import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { CLI, closed, innerPid, makeTree, normalise } from './harness';

// A terminal (`docker run -it`, Ctrl-C) signals its whole foreground process group. Every
// program dinit starts must be in a group (and session) of its own, so that SIGINT reaches
// dinit alone, which then stops the programs its way (SIGTERM, terminate files, deadlines).

/** `/proc/<pid>/stat` fields 5 and 6: process group and session (comm of our scripts has no spaces). */
const GROUP_OF_SELF = `set -- $(cut -d' ' -f5,6 /proc/$$/stat)`;

interface Run {
  code: number | null;
  err: string[];
  stderr: string;
}

/**
 * dinit as PID 1 under unshare, with unshare in a new session (`detached`) so that a signal to
 * dinit's process group reaches unshare (which blocks SIGINT/SIGTERM), dinit and (on old code)
 * dinit's programs, but never this test runner.
 */
async function runInOwnGroup(dir: string, during: (dinit: number, waitFor: (re: RegExp) => Promise<void>) => Promise<void>): Promise<Run> {
  const env = { ...process.env, DINIT_DIR: dir, DINIT_LOG_LEVEL: 'info' };
  const argv = ['--pid', '--fork', '--mount-proc', '--kill-child', process.execPath, CLI];
  const child = spawn('unshare', argv, { env, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const waiters: Array<() => void> = [];
  child.stderr!.on('data', (d) => {
    stderr += d;
    for (const w of [...waiters]) w();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const killer = setTimeout(() => child.kill('SIGKILL'), 20000);
  try {
    const dinit = await innerPid(child.pid!);
    const waitFor = (re: RegExp): Promise<void> =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re}; stderr:\n${stderr}`)), 10000);
        const check = (): void => {
          if (!re.test(stderr)) return;
          waiters.splice(waiters.indexOf(check), 1);
          clearTimeout(timer);
          resolve();
        };
        waiters.push(check);
        check();
      });
    await during(dinit, waitFor);
    const code = await exited;
    await closed(child.stderr!);
    return { code, err: normalise(stderr), stderr };
  } finally {
    clearTimeout(killer);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

function groupAndSession(pid: number): [number, number] {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return [Number(fields[2]), Number(fields[3])];
}

test('run, log/run and terminate each lead a process group and session of their own', { timeout: 30000 }, async () => {
  const dir = makeTree({
    svc: {
      run: `${GROUP_OF_SELF}; echo "run pid=$$ pgid=$1 sid=$2" >&2; echo line; trap 'exit 0' TERM; while :; do sleep 0.05; done`,
      'log/run': `${GROUP_OF_SELF}; echo "log pid=$$ pgid=$1 sid=$2" >&2; cat >/dev/null`,
      terminate: `${GROUP_OF_SELF}; echo "term pid=$$ pgid=$1 sid=$2" >&2; kill -TERM "$DINIT_PID"`,
    },
  });
  const r = await runInOwnGroup(dir, async (dinit, waitFor) => {
    await waitFor(/run pid=/);
    await waitFor(/log pid=/);
    process.kill(dinit, 'SIGTERM');
  });
  assert.equal(r.code, 0, r.stderr);
  for (const who of ['run', 'log', 'term']) {
    const m = new RegExp(`${who} pid=(\\d+) pgid=(\\d+) sid=(\\d+)`).exec(r.stderr);
    assert.ok(m, `${who} reported its group:\n${r.stderr}`);
    const [pid, pgid, sid] = [Number(m[1]), Number(m[2]), Number(m[3])];
    assert.equal(pgid, pid, `${who}: its own process group`);
    assert.equal(sid, pid, `${who}: its own session (no controlling terminal of dinit's)`);
  }
  assert.ok(r.err.includes('T dinit: info: svc/run: PID <pid> finished with status 0'), r.stderr);
});

test("a SIGINT to dinit's process group (a terminal's Ctrl-C) reaches dinit only, which stops the programs its way", { timeout: 30000 }, async () => {
  const dir = makeTree({
    calm: { run: `trap 'echo "got INT" >&2; exit 0' INT; trap 'echo "got TERM" >&2; exit 0' TERM; while :; do sleep 0.05; done` },
    slow: {
      run: `trap 'echo "got INT" >&2; exit 0' INT; trap '' TERM; echo ready >&2; while :; do sleep 0.05; done`,
      terminate: `echo "terminating $DINIT_PID" >&2; kill -KILL "$DINIT_PID"`,
    },
  });
  const r = await runInOwnGroup(dir, async (dinit, waitFor) => {
    await waitFor(/calm\/run: running with PID/);
    await waitFor(/slow\/run: ready/);
    const [group] = groupAndSession(dinit);
    process.kill(-group, 'SIGINT');
  });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.err.includes('T dinit: info: got signal 2, terminating services'), r.stderr);
  assert.deepEqual(r.err.filter((l) => l.includes('got INT')), [], 'no program saw the SIGINT');
  assert.ok(r.err.includes('T calm/run: got TERM'), r.stderr);
  assert.ok(r.err.includes('T dinit: info: calm/run: PID <pid> finished with status 0'), r.stderr);
  assert.ok(r.err.some((l) => /^T slow\/term: terminating \d+$/.test(l)), r.stderr);
  assert.ok(r.err.includes('T dinit: info: slow/run: PID <pid> finished with signal 9'), r.stderr);
  assert.equal(r.err.at(-1), 'T dinit: info: dinit exiting with status 0');
});
