import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ProcessGoneError, takeOverOutput } from '../../../../src/sys/ptrace';
import { libc } from '../../../../src/sys/ptrace/libc';
import { traceStats } from '../../../../src/sys/ptrace/tracee';
import { SLOWDOWN, SYS, Tracee, blockedIn, childrenOf, readAll, readUntil, skipReason, start, startDirect, until, waitBlocked } from './helpers';

const running: Tracee[] = [];
function track(t: Tracee): Tracee {
  running.push(t);
  return t;
}
after(() => running.forEach((t) => t.kill()));
// koffi loads on the first takeover: seconds on an emulated machine, longer than a test's sleep.
before(() => {
  if (!skipReason) libc();
});

const hasPython = spawnSync('python3', ['-c', '']).status === 0;
const PYTHON_ACKER = `
import os, select, signal, sys
ack = os.open(sys.argv[1], os.O_RDWR)
r, w = os.pipe()
os.set_blocking(w, False)
signal.signal(signal.SIGUSR1, lambda *a: None)
signal.set_wakeup_fd(w)
print('ready', flush=True)
n = 0
while True:
    rs, _, _ = select.select([r, 0], [], [])
    if r in rs:
        k = len(os.read(r, 512))
        n += k
        os.write(ack, b'a\\n' * k)
    if 0 in rs and not os.read(0, 512):
        break
print('end', n, flush=True)
`;

const pipeIdentity = (pid: number, fd: number) => fs.statSync(`/proc/${pid}/fd/${fd}`).ino;

describe('takeOverOutput', { skip: skipReason }, () => {
  it('redirects a shell waiting in wait4 and its child sleeping in nanosleep', async () => {
    const t = track(await start('bash', ['-c', `sleep ${SLOWDOWN}; echo x y z`]));
    const sleeper = await waitBlocked(t.pid, [SYS.clock_nanosleep, SYS.nanosleep], (p) => p !== t.pid);
    await until('bash in wait4', () => blockedIn(t.pid) === SYS.wait4);

    const r = await takeOverOutput(t.pid);
    assert.deepEqual(r.processes.sort(), [t.pid, sleeper].sort());
    assert.notEqual(r.stderr, -1);
    assert.equal(r.skipped, undefined);
    const [out, err, exit] = await Promise.all([readAll(r.stdout), readAll(r.stderr), t.exited]);
    assert.equal(out, 'x y z\n');
    assert.equal(err, '');
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.equal(t.oldOut(), '');
  });

  it('redirects a grandchild blocked in read, and stderr separately', async () => {
    const script = 'exec 3<&0; sh -c \'read x <&3; echo "grand $x"; echo "grand-err" >&2\' & wait; echo parent';
    const t = track(await start('bash', ['-c', script]));
    const grandchild = await waitBlocked(t.pid, [SYS.read], (p) => p !== t.pid);
    await until('bash in wait4', () => blockedIn(t.pid) === SYS.wait4);
    const fdBefore = pipeIdentity(grandchild, 3);

    const r = await takeOverOutput(t.pid);
    assert.ok(r.processes.includes(grandchild));
    assert.equal(pipeIdentity(grandchild, 3), fdBefore, 'stdin (fd 3 copy) untouched');
    t.child.stdin?.end('hello\n');
    const [out, err, exit] = await Promise.all([readAll(r.stdout), readAll(r.stderr), t.exited]);
    assert.equal(out, 'grand hello\nparent\n');
    assert.equal(err, 'grand-err\n');
    assert.equal(exit.code, 0);
  });

  it('resumes a read() with the right data and keeps the exit status', async () => {
    const t = track(await start('bash', ['-c', 'read x; echo "got $x"; echo oops >&2; exit 7']));
    await until('bash in read', () => blockedIn(t.pid) === SYS.read);
    const r = await takeOverOutput(t.pid);
    assert.deepEqual(r.processes, [t.pid]);
    t.child.stdin?.end('abc\n');
    const [out, err, exit] = await Promise.all([readAll(r.stdout), readAll(r.stderr), t.exited]);
    assert.equal(out, 'got abc\n');
    assert.equal(err, 'oops\n');
    assert.deepEqual(exit, { code: 7, signal: null });
    assert.equal(t.oldOut() + t.oldErr(), '');
  });

  it('lets an interrupted nanosleep finish normally (restart_syscall)', async () => {
    const started = Date.now();
    const t = track(await start('sleep', ['0.6']));
    await until('sleep in clock_nanosleep', () => blockedIn(t.pid) === SYS.clock_nanosleep);
    const r = await takeOverOutput(t.pid);
    const [out, err, exit] = await Promise.all([readAll(r.stdout), readAll(r.stderr), t.exited]);
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.equal(out + err + t.oldErr(), '', 'no "Interrupted system call" or similar');
    assert.ok(Date.now() - started >= 590, 'slept at least the requested time');
  });

  it('maps fd 1 and fd 2 to one pipe when they are the same file', async () => {
    const t = track(await start('bash', ['-c', 'exec 2>&1; read x; echo out; echo err >&2']));
    await until('bash in read', () => blockedIn(t.pid) === SYS.read);
    const r = await takeOverOutput(t.pid);
    assert.equal(r.stderr, -1);
    t.child.stdin?.end('\n');
    const [out, exit] = await Promise.all([readAll(r.stdout), t.exited]);
    assert.equal(out, 'out\nerr\n');
    assert.equal(exit.code, 0);
  });

  it('works on a tracee running as nobody', async () => {
    const t = track(await start('bash', ['-c', 'read x; echo "nobody $x $(id -u)"'], { uid: 65534, gid: 65534 }));
    await until('bash in read', () => blockedIn(t.pid) === SYS.read);
    const r = await takeOverOutput(t.pid);
    t.child.stdin?.end('hi\n');
    const [out, exit] = await Promise.all([readAll(r.stdout), t.exited, readAll(r.stderr)]);
    assert.equal(out, 'nobody hi 65534\n');
    assert.equal(exit.code, 0);
  });

  it('runs a signal trap that fires while taking over', async () => {
    const script = 'trap "echo trapped" USR1; exec 3<&0; cat <&3 >/dev/null & wait $!; echo "wait=$?"; wait $!; echo "end=$?"';
    const t = track(await start('bash', ['-c', script]));
    await waitBlocked(t.pid, [SYS.read], (p) => p !== t.pid);
    await until('bash in wait4', () => blockedIn(t.pid) === SYS.wait4);
    process.kill(t.pid, 'SIGUSR1');
    const r = await takeOverOutput(t.pid);
    t.child.stdin?.end();
    const [out, exit] = await Promise.all([readAll(r.stdout), t.exited, readAll(r.stderr)]);
    const all = t.oldOut() + out;
    assert.match(all, /trapped\n/);
    assert.match(all, /wait=138\n/);
    assert.match(out, /end=0\n$/);
    assert.equal(exit.code, 0);
  });

  it('survives a storm of signals during the injection', async (t0) => {
    const script =
      'n=0; trap "n=\\$((n+1))" USR1; exec 3<&0; cat <&3 >/dev/null & c=$!; ' +
      'while kill -0 $c 2>/dev/null; do wait $c; done; echo "end $n"';
    const t = track(await start('bash', ['-c', script]));
    await waitBlocked(t.pid, [SYS.read], (p) => p !== t.pid);
    const storm = track(startDirect('bash', ['-c', `while kill -USR1 ${t.pid} 2>/dev/null; do :; done`]));
    await until('the storm to start', () => childrenOf(process.pid).includes(storm.pid));
    const held = traceStats.signalsHeld;
    const early = traceStats.signalsDeliveredEarly;
    // Several rounds: each replaces the previous round's pipe, so only the last one gets output.
    let r = await takeOverOutput(t.pid);
    for (let round = 1; round < 10; round++) {
      const next = await takeOverOutput(t.pid);
      fs.closeSync(r.stdout);
      fs.closeSync(r.stderr);
      r = next;
    }
    storm.kill();
    await storm.exited;
    t.child.stdin?.end();
    const [out, exit] = await Promise.all([readAll(r.stdout), t.exited, readAll(r.stderr)]);
    assert.match(out, /^end [1-9]\d*\n$/);
    assert.equal(exit.code, 0);
    t0.diagnostic(`signals held during injection: ${traceStats.signalsHeld - held}, delivered before: ${traceStats.signalsDeliveredEarly - early}`);
  });

  it('loses no signal that arrives while injecting (ping-pong)', { skip: hasPython ? false : 'needs python3' }, async (t0) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dinit-ptrace-'));
    const fifo = path.join(dir, 'ack');
    const stop = path.join(dir, 'stop');
    execFileSync('mkfifo', [fifo]);
    try {
      // Single-threaded, and race-free unlike a shell trap: the handler wakes select() through
      // set_wakeup_fd, and every signal is acknowledged on the fifo.
      const t = track(await start('python3', ['-c', PYTHON_ACKER, fifo]));
      await until('python ready', () => t.oldOut().includes('ready'), 15000);
      // Each ping waits for its ack: a signal we swallowed would stall the game and print LOST.
      const pinger = track(
        startDirect('bash', [
          '-c',
          `exec 5<>${fifo}; n=0; while [ ! -e ${stop} ]; do kill -USR1 ${t.pid} || exit 2; ` +
            'read -t 3 -u 5 a || { echo LOST; exit 1; }; n=$((n+1)); done; echo "pings $n"',
        ]),
      );
      const held = traceStats.signalsHeld;
      let r = await takeOverOutput(t.pid);
      for (let round = 1; round < 20; round++) {
        const next = await takeOverOutput(t.pid);
        fs.closeSync(r.stdout);
        fs.closeSync(r.stderr);
        r = next;
      }
      fs.writeFileSync(stop, '');
      const pingExit = await pinger.exited;
      assert.match(pinger.oldOut(), /^pings [1-9]\d*\n$/, `pinger ${JSON.stringify(pingExit)} ${pinger.oldErr()} tracee ${t.oldErr()} ${JSON.stringify(await Promise.race([t.exited, new Promise((r) => setTimeout(() => r("running"), 100))]))}`);
      assert.equal(pingExit.code, 0);
      t.child.stdin?.end();
      const [out, exit] = await Promise.all([readAll(r.stdout), t.exited, readAll(r.stderr)]);
      const pings = Number(/pings (\d+)/.exec(pinger.oldOut())?.[1]);
      assert.equal(out, `end ${pings}\n`, 'every ping was handled exactly once');
      assert.equal(exit.code, 0);
      t0.diagnostic(`${pings} pings, signals held during injection: ${traceStats.signalsHeld - held}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps a multi-threaded node process running; later output arrives on the new pipe', async () => {
    const t = track(await start(process.execPath, ['-e', 'let n = 0; setInterval(() => console.log("tick " + n++), 100)']));
    await until('first tick', () => t.oldOut().includes('tick 0'));
    const threads = fs.readdirSync(`/proc/${t.pid}/task`).length;
    assert.ok(threads > 1, `node has ${threads} threads`);
    const r = await takeOverOutput(t.pid);
    const seenBefore = t.oldOut().split('\n').filter(Boolean).length;
    const text = await readUntil(r.stdout, /tick \d+\n.*tick \d+\n/s);
    const ticks = text.match(/tick (\d+)/g)?.map((s) => Number(s.slice(5))) ?? [];
    assert.ok((ticks[0] as number) >= seenBefore - 1, `ticks continue: ${ticks} after ${seenBefore}`);
    assert.equal(fs.readdirSync(`/proc/${t.pid}/task`).length >= threads - 1, true);
    assert.equal(childrenOf(t.child.pid as number).includes(t.pid), true, 'still running');
    t.kill();
    fs.closeSync(r.stderr);
    const exit = await t.exited;
    assert.equal(exit.signal, 'SIGKILL');
  });

  it('leaves the exit status of a zombie child to its real waiter', async () => {
    const t = startDirect('sh', ['-c', 'exit 3']);
    // Synchronous spin: the event loop (and so libuv's reaping) cannot run until we are done.
    const deadline = Date.now() + 5000;
    while (!/\) Z /.test(fs.readFileSync(`/proc/${t.pid}/stat`, 'utf8'))) {
      if (Date.now() > deadline) throw new Error('child never became a zombie');
    }
    await assert.rejects(takeOverOutput(t.pid), ProcessGoneError);
    assert.deepEqual(await t.exited, { code: 3, signal: null });
  });

  it('copes with a tracee killed while being taken over', async (t0) => {
    const messages: string[] = [];
    for (let i = 0; i < 5; i++) {
      const t = track(await start('sleep', ['5']));
      await until('sleep in clock_nanosleep', () => blockedIn(t.pid) === SYS.clock_nanosleep);
      const killer = startDirect('kill', ['-9', String(t.pid)]);
      // Keep taking over until the kill lands, somewhere inside or between sessions.
      let gone = false;
      for (let round = 0; round < 5000 && !gone; round++) {
        try {
          const r = await takeOverOutput(t.pid);
          fs.closeSync(r.stdout);
          fs.closeSync(r.stderr);
        } catch (err) {
          assert.ok(err instanceof ProcessGoneError, `unexpected ${(err as Error).message}`);
          messages.push((err as Error).message.replace(/\d+/, 'N'));
          gone = true;
        }
      }
      await killer.exited;
      assert.deepEqual(await t.exited, { code: null, signal: 'SIGKILL' }, 'exit status still reaches its parent');
    }
    t0.diagnostic(messages.join('; '));
  });

  it('lets the real parent reap a grandchild killed while being taken over', async () => {
    for (let i = 0; i < 3; i++) {
      const t = track(await start('bash', ['-c', 'sleep 5; echo "status $?"']));
      const sleeper = await waitBlocked(t.pid, [SYS.clock_nanosleep, SYS.nanosleep], (p) => p !== t.pid);
      const rounds = [await takeOverOutput(t.pid)];
      const killer = startDirect('kill', ['-9', String(sleeper)]);
      // Traced, a dead grandchild is visible only to us until we wait for it; bash would hang.
      for (let round = 0; round < 200 && childrenOf(t.pid).includes(sleeper); round++) {
        try {
          rounds.push(await takeOverOutput(t.pid));
        } catch (err) {
          assert.ok(err instanceof ProcessGoneError); // bash finished before this round: fine
          break;
        }
      }
      await killer.exited;
      // The echo may land on any round's pipe, so read them all.
      const outs = await Promise.all(rounds.map((r) => readAll(r.stdout)));
      await Promise.all(rounds.map((r) => readAll(r.stderr))); // bash may report "Killed" there
      const out = outs.join('');
      const exit = await t.exited;
      assert.equal(t.oldOut() + out, 'status 137\n');
      assert.equal(exit.code, 0);
    }
  });

  it('throws ProcessGoneError for a process that is gone', async () => {
    const t = startDirect('true', []);
    await t.exited;
    await assert.rejects(takeOverOutput(t.pid), ProcessGoneError);
  });
});
