import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';
import { STRAY_SIGNALS } from '../../src/signals';
import { CLI, grep, innerPid, makeTree, normalise, runDinit } from './harness';

test('as a subreaper, every signal that would kill or stop dinit is logged and ignored; SIGTERM still stops', { timeout: 90000 }, async () => {
  // `exec sleep 60`: if dinit died, the program would run on orphaned; bounded so it cannot linger.
  const dir = makeTree({ a: { run: 'exec sleep 60' } });
  const r = await runDinit(dir, {
    pid1: false,
    timeoutMs: 60000,
    during: async (d) => {
      await d.waitFor(/a\/run: running with PID/);
      for (const name of STRAY_SIGNALS) {
        d.signal(name);
        await d.waitFor(new RegExp(`got signal ${name}, ignoring it`), 5000);
      }
      d.signal('SIGTERM');
    },
  });
  assert.equal(r.signal, null, r.stderr);
  assert.equal(r.code, 0, r.stderr);
  for (const name of ['SIGHUP', 'SIGQUIT', 'SIGUSR2', 'SIGALRM', 'SIGTSTP', 'SIGPWR']) {
    assert.ok(r.err.includes(`T dinit: info: got signal ${name}, ignoring it`), r.stderr);
  }
  assert.ok(r.err.includes('T dinit: info: a/run: PID <pid> finished with signal 15'), r.stderr);
  assert.equal(r.err.at(-1), 'T dinit: info: dinit exiting with status 0');
});

test('a signal named in DINIT_FORWARD_SIGNALS is forwarded, not ignored, as a subreaper too', { timeout: 60000 }, async () => {
  const dir = makeTree({ a: { run: `trap 'echo got HUP >&2' HUP; trap 'exit 0' TERM; echo ready >&2; while :; do sleep 0.1; done` } });
  const r = await runDinit(dir, {
    pid1: false,
    env: { DINIT_FORWARD_SIGNALS: 'HUP' },
    timeoutMs: 30000,
    during: async (d) => {
      await d.waitFor(/a\/run: ready/);
      d.signal('SIGHUP');
      await d.waitFor(/a\/run: got HUP/);
      d.signal('SIGUSR2');
      await d.waitFor(/got signal SIGUSR2, ignoring it/);
      d.signal('SIGTERM');
    },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.err.includes('T dinit: info: got signal SIGHUP, forwarding it to 1 program'), r.stderr);
  assert.equal(grep(r.err, 'SIGHUP, ignoring').length, 0);
});

/**
 * PID 1 of a new namespace that starts dinit and never reaps anything else: once dinit
 * has exited it prints what it inherited (its children: live or zombie), then exits.
 */
const PID1 = `
  my $pid = fork() // die "fork: $!";
  if (!$pid) { exec(@ARGV) or die "exec: $!"; }
  waitpid($pid, 0);
  my $status = $?;
  open(my $f, '<', '/proc/1/task/1/children') or die "children: $!";
  my $kids = <$f> // ''; close($f);
  $kids =~ s/\\s+$//;
  my @names = map { open(my $c, '<', "/proc/$_/comm"); my $n = <$c> // '?'; chomp $n; "$_:$n" } split(/ /, $kids);
  print STDERR "pid1: dinit exited with status " . ($status >> 8) . "; children left: [@names]\\n";
`;

async function stopOnce(dir: string): Promise<{ code: number | null; stderr: string }> {
  const env = { ...process.env, DINIT_DIR: dir, DINIT_LOG_LEVEL: 'info' };
  const child = spawn('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', 'perl', '-e', PID1, process.execPath, CLI], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20000);
  try {
    let seen = (): boolean => false;
    const ready = new Promise<void>((resolve) => {
      seen = () => {
        if (grep(normalise(stderr), /[ab]\/run: ready/).length === 2) resolve();
        return true;
      };
    });
    child.stderr!.on('data', (d) => {
      stderr += d;
      seen();
    });
    await Promise.race([ready, exited]);
    const perl = await innerPid(child.pid!);
    const dinit = await innerPid(perl);
    process.kill(dinit, 'SIGTERM');
    const code = await exited;
    return { code, stderr };
  } finally {
    clearTimeout(timer);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

test('not PID 1 in a shared namespace: 20 stops in a row, dinit never exits before the children it just inherited are gone', { timeout: 180000 }, async () => {
  // Each run kills its own child and exits: the child is reparented to dinit just as its program ends.
  const program = `sleep 1000 & c=$!; trap 'kill $c; exit 0' TERM; echo ready >&2; wait`;
  const dir = makeTree({ a: { run: program }, b: { run: program } });
  const left: string[] = [];
  for (let i = 0; i < 20; i++) {
    const { code, stderr } = await stopOnce(dir);
    assert.equal(code, 0, stderr);
    const line = grep(stderr.split('\n'), /^pid1: /)[0];
    assert.match(line ?? '', /^pid1: dinit exited with status 0; children left: \[.*\]$/, stderr);
    if (!line.endsWith('[]')) left.push(`stop ${i + 1}: ${line}\n${stderr}`);
    assert.ok(grep(normalise(stderr), 'T dinit: info: dinit exiting with status 0').length === 1, stderr);
  }
  assert.deepEqual(left, [], left.join('\n'));
});

test('when prctl(PR_SET_CHILD_SUBREAPER) fails, dinit says so before exiting 1', { timeout: 60000 }, () => {
  const dir = makeTree({ a: { run: 'echo must not start >&2' } });
  const wrapper = path.resolve(__dirname, '../fixtures/no-subreaper.pl');
  const r = spawnSync('perl', [wrapper, process.execPath, CLI], {
    env: { ...process.env, DINIT_DIR: dir, DINIT_LOG_LEVEL: 'warn' },
    encoding: 'utf8',
    timeout: 20000,
  });
  assert.equal(r.status, 1, r.stderr);
  assert.deepEqual(normalise(r.stderr), ['T dinit: error: exiting: prctl(PR_SET_CHILD_SUBREAPER) failed (errno 22)']);
});
