import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { test } from 'node:test';
import { orphanFloodCommand } from '../fixtures/commands';
import { grep, makeTree, runDinit } from './harness';


for (const policy of ['terminate', 'ignore']) {
  test(`a 10,000-orphan storm leaves no zombie (PID 1, ${policy} policy)`, async () => {
    // Counted in one perl process (a shell loop forks per /proc entry: minutes with 10,000 of them),
    // until none is left or 60 s passed: how fast 10,000 are reaped depends on the machine's load.
    const count = `perl -MTime::HiRes=sleep -e 'my $z; for (1..120) { $z = 0; for my $f (glob "/proc/[0-9]*/stat") { open(my $h, "<", $f) or next; my $s = <$h> // next; $z++ if $s =~ /\\) Z (\\d+) / && $1 == $ARGV[0] } last if $z == 0; sleep 0.5 } print STDERR "zombies=$z\\n"' $PPID`;
    const dir = makeTree({ storm: { run: `${orphanFloodCommand(10000, 1500)}; ${count}` } });
    const r = await runDinit(dir, { env: { DINIT_LOG_LEVEL: 'error', DINIT_REPARENTING_POLICY: policy }, timeoutMs: 120000 });
    assert.equal(r.code, 0, r.stderr.slice(-2000));
    assert.ok(r.err.includes('T storm/run: zombies=0'), r.stderr.slice(-2000));
  });
}

test('a fork loop creating orphans during shutdown: each is terminated, dinit exits only once all are gone', async () => {
  // As a subreaper, anything dinit left behind would outlive it (as PID 1 the kernel would kill it).
  const mark = `dinit-fork-loop-${process.pid}-${Date.now()}`;
  const dir = makeTree({
    app: {
      // The loop is itself an orphan that ignores SIGTERM and forks a new orphan every 10 ms
      // for ~2 s; each orphan is a shell whose `sleep` child is orphaned again when it dies.
      run: `( (trap '' TERM; i=0; while [ $i -lt 200 ]; do (sh -c 'sleep 0.5; true' ${mark} &); i=$((i+1)); sleep 0.01; done) & )
exec sleep 1000`,
    },
  });
  const r = await runDinit(dir, {
    pid1: false,
    env: { DINIT_KILL_TIMEOUT: '30' },
    timeoutMs: 60000,
    during: async (d) => {
      await d.waitFor(new RegExp(`terminating reparented child process with PID \\d+: sh -c sleep 0.5; true ${mark}`));
      d.signal('SIGTERM');
    },
  });
  assert.equal(r.code, 0, r.stderr.slice(-3000));
  const stopAt = r.err.indexOf('T dinit: info: got signal 15, terminating services');
  const afterStop = r.err.slice(stopAt).filter((l) => l.includes('terminating reparented child process') && l.includes(mark));
  assert.ok(afterStop.length > 0, 'orphans appeared after the stop began and were terminated');
  assert.equal(r.err.at(-1), 'T dinit: info: dinit exiting with status 0');
  let survivors = '';
  try {
    survivors = execFileSync('pgrep', ['-f', mark], { encoding: 'utf8' });
  } catch {
    // pgrep exits 1 when nothing matches
  }
  assert.equal(survivors, '', 'no process of the loop outlived dinit');
});

test('a program ignoring SIGTERM: dinit never SIGKILLs it and says every 10 s that it waits', async () => {
  const dir = makeTree({ stubborn: { run: `trap 'echo "ignoring TERM" >&2' TERM; while :; do sleep 0.1; done` } });
  const r = await runDinit(dir, {
    env: { DINIT_LOG_LEVEL: 'info' },
    timeoutMs: 40000,
    during: async (d) => {
      const running = await d.waitFor(/stubborn\/run: running with PID \d+/);
      const pid = Number(/PID (\d+)/.exec(running)![1]);
      d.signal('SIGTERM');
      await d.waitFor(/stubborn\/run: ignoring TERM/);
      await d.waitFor(/stubborn\/run: PID \d+ still running 10 s after SIGTERM, waiting/, 20000);
      // Only now does "the orchestrator" kill it; its pid is in dinit's namespace, ours is its parent's.
      const inner = fs.readFileSync(`/proc/${d.pid}/task/${d.pid}/children`, 'utf8').trim().split(' ').map(Number);
      assert.equal(inner.length, 1);
      void pid;
      process.kill(inner[0], 'SIGKILL');
    },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.err.includes('T dinit: warning: stubborn/run: PID <pid> still running 10 s after SIGTERM, waiting'), r.stderr);
  assert.equal(grep(r.err, 'sending SIGKILL').length, 0);
  assert.ok(r.err.includes('T dinit: info: stubborn/run: PID <pid> finished with signal 9'));
});

test('programs that exit before dinit could log their start, and a log/run that exits at once', async () => {
  const tree: Record<string, Record<string, string>> = {};
  for (let i = 0; i < 20; i++) tree[`quick${i}`] = { run: '#!/bin/true\n' };
  tree.logless = { run: 'exec sleep 1000', 'log/run': 'exit 5' };
  const r = await runDinit(makeTree(tree), { timeoutMs: 30000 });
  assert.equal(r.code, 3, r.stderr);
  for (let i = 0; i < 20; i++) {
    const started = r.err.indexOf(`T dinit: info: quick${i}/run: running with PID <pid>`);
    const finished = r.err.indexOf(`T dinit: info: quick${i}/run: PID <pid> finished with status 0`);
    assert.ok(started >= 0 && finished > started, `quick${i}: ${r.stderr}`);
  }
  assert.ok(r.err.includes('T dinit: info: logless/log: PID <pid> finished with status 5'));
  assert.ok(r.err.includes('T dinit: info: logless/run: PID <pid> finished with signal 15'));
  assert.equal(r.err.at(-1), 'T dinit: info: dinit exiting with status 3');
});

test('a terminate file that fails: SIGTERM instead, and the failure is noted', async () => {
  const dir = makeTree({
    a: { run: 'sleep 0.3' },
    b: { run: `trap 'echo "got TERM" >&2; exit 0' TERM; while :; do sleep 0.05; done`, terminate: 'echo "cannot stop it" >&2; exit 4' },
  });
  const r = await runDinit(dir, { timeoutMs: 20000 });
  assert.ok(r.err.includes('T b/term: cannot stop it'), r.stderr);
  assert.ok(r.err.includes('T dinit: warning: b/term: failed with status 4; sending SIGTERM instead'), r.stderr);
  assert.ok(r.err.includes('T b/run: got TERM'));
  // The failing terminate program counts as a failure, like any program exiting non-zero.
  assert.equal(r.code, 3);
});

test('a terminate file that hangs: once run has ended it gets SIGTERM and dinit exits', async () => {
  const dir = makeTree({
    a: { run: 'sleep 0.3' },
    b: { run: `trap 'exit 0' TERM; while :; do sleep 0.05; done`, terminate: `kill "$DINIT_PID"; exec sleep 1000` },
  });
  const r = await runDinit(dir, { env: { DINIT_LOG_LEVEL: 'trace' }, timeoutMs: 20000 });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.err.includes('T dinit: trace: b/term: b/run has ended, stopping its terminate program'), r.stderr);
  assert.ok(r.err.includes('T dinit: info: b/term: PID <pid> finished with signal 15'));
  assert.equal(r.err.at(-1), 'T dinit: info: dinit exiting with status 0');
});

test('a terminate file that is not executable: SIGTERM instead, and it says so', async () => {
  const dir = makeTree({ a: { run: 'sleep 0.3' }, b: { run: 'exec sleep 1000' } });
  fs.writeFileSync(`${dir}/b/terminate`, '#!/bin/sh\nkill "$DINIT_PID"\n', { mode: 0o644 });
  const r = await runDinit(dir, { timeoutMs: 20000 });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(
    r.err.includes(`T dinit: warning: b/term: error running: ${dir}/b/terminate: permission denied (EACCES); sending SIGTERM instead`),
    r.stderr,
  );
  assert.ok(r.err.includes('T dinit: info: b/run: sending SIGTERM to PID <pid>'));
  assert.ok(r.err.includes('T dinit: info: b/run: PID <pid> finished with signal 15'));
});

/** Fds this test process would pass to any child it spawns (not close-on-exec), beyond 0–2: inherited from outside. */
function inheritableFds(): string[] {
  return fs
    .readdirSync('/proc/self/fd')
    .filter((fd) => Number(fd) > 2)
    .filter((fd) => {
      try {
        const flags = parseInt(/flags:\s+(\d+)/.exec(fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))![1], 8);
        return (flags & 0o2000000) === 0;
      } catch {
        return false;
      }
    });
}

test('no file descriptor of dinit leaks into run, log/run or term: only 0, 1 and 2', async () => {
  // Each lists its own open fds (perl -e opens nothing but the directory it reads, left out).
  const list = (who: string) =>
    `perl -e 'opendir(my $d, "/proc/self/fd") or die; my @f = sort { $a <=> $b } grep { /^\\d+$/ && $_ != fileno($d) } readdir $d; print STDERR "${who} fds: @f\\n"`;
  const dir = makeTree({
    svc: {
      run: `${list('run')}; sleep 1000'`,
      'log/run': `${list('log')}; exec "cat"'`,
      terminate: `${list('term')}; kill "TERM", $ENV{DINIT_PID}'`,
    },
    other: { run: `${list('other')}; sleep 1000'` },
  });
  for (const file of ['svc/run', 'svc/log/run', 'svc/terminate', 'other/run']) {
    fs.writeFileSync(`${dir}/${file}`, fs.readFileSync(`${dir}/${file}`, 'utf8').replace('#!/bin/sh\n', '#!/bin/sh\nexec '));
  }
  const r = await runDinit(dir, {
    during: async (d) => {
      await d.waitFor(/svc\/run: run fds:/);
      await d.waitFor(/svc\/log: log fds:/);
      await d.waitFor(/other\/run: other fds:/);
      d.signal('SIGTERM');
    },
  });
  assert.equal(r.code, 0, r.stderr);
  // Fds dinit itself inherited without close-on-exec are passed on, as by any init (e.g. socket activation); none of its own.
  const want = ['0', '1', '2', ...inheritableFds()].sort((a, b) => Number(a) - Number(b)).join(' ');
  for (const [label, who] of [['svc/run', 'run'], ['svc/log', 'log'], ['svc/term', 'term'], ['other/run', 'other']]) {
    assert.ok(r.err.includes(`T ${label}: ${who} fds: ${want}`), `${label}: ${grep(r.err, `${who} fds:`)} (want ${want})`);
  }
});
