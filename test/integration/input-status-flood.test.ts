import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { makeTree, runDinit, worldReadableCli } from './harness';

/**
 * Health checks cannot be failed by others (issue 13, item 5): unprivileged processes flooding
 * the status socket with connections must not make root's `dinit status` fail.
 */

/**
 * A flooder: connects as fast as it can and closes at once, without waiting for dinit. Each
 * connection still sits in dinit's accept queue until dinit accepts it, so three of these fill
 * a slow server's backlog and other clients' connect fails with EAGAIN. Node 20 pads abstract
 * names to the full sun_path, Node 22+ does not: this tries both. Stops by itself after `seconds`.
 */
const FLOODER = `
use Socket qw(:all);
my $name = "\\0" . $ARGV[0];
# Node 20 pads abstract names to the full sun_path; Node 22+ binds the exact length: flood both.
my @addrs = (pack_sockaddr_un($name . ("\\0" x (108 - length($name)))), pack("S", AF_UNIX) . $name);
my $end = time + $ARGV[1];
my $i = 0;
while (time < $end) {
  socket(my $s, AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0) or die "socket: $!";
  connect($s, $addrs[$i++ % 2]);
  close $s;
}
`;

function status(socket: string, cli: string): Promise<{ code: number | null; stderr: string; ms: number }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('DINIT_')) delete env[key];
  env.DINIT_STATUS_SOCKET = socket;
  const started = Date.now();
  const child = spawn(process.execPath, [cli, 'status'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr, ms: Date.now() - started })));
}

test('three unprivileged flooders do not fail root\'s dinit status (20 calls, all exit 0)', { timeout: 120000 }, async () => {
  const socket = `dinit-status-flood-${process.pid}`;
  const cli = worldReadableCli();
  const script = path.join(path.dirname(cli), 'flood.pl');
  fs.writeFileSync(script, FLOODER, { mode: 0o644 });
  const dir = makeTree({ a: { run: 'exec sleep 1000' } });
  const flooders: ChildProcess[] = [];
  const results: Array<{ code: number | null; stderr: string; ms: number }> = [];
  try {
    const r = await runDinit(dir, {
      env: { DINIT_STATUS_SOCKET: socket, DINIT_LOG_LEVEL: 'trace' },
      timeoutMs: 100000,
      during: async (d) => {
        await d.waitFor(/status: listening on @/);
        await d.waitFor(/a\/run: running with PID/);
        for (let i = 0; i < 3; i++) {
          flooders.push(spawn('perl', [script, socket, '90'], { uid: 65534, gid: 65534, stdio: 'ignore', cwd: os.tmpdir() }));
        }
        await d.waitFor(/status: refused uid 65534/, 20000);
        for (let i = 0; i < 20; i++) results.push(await status(socket, cli));
        d.signal('SIGTERM');
      },
    });
    assert.equal(r.code, 0, r.stderr.slice(-2000));
    const counted = [...r.stderr.matchAll(/refused uid 65534 \((\d+) times so far\)/g)].pop()?.[1];
    console.log(`dinit refused and dropped at least ${counted ?? '?'} connections of the flooders (logged ${r.stderr.split('refused uid').length - 1} times)`);
  } finally {
    for (const f of flooders) f.kill('SIGKILL');
  }
  const failed = results.filter((s) => s.code !== 0);
  const slowest = Math.max(...results.map((s) => s.ms));
  console.log(`20 dinit status under a flood: ${failed.length} failed, slowest ${slowest} ms`);
  assert.deepEqual(failed, [], 'every dinit status answered');
  for (const s of results) assert.equal(s.stderr, '');
});

/** A listener that never accepts, its queue filled: every connect gives EAGAIN. */
const STUCK = `
use Socket qw(:all);
my $name = "\\0" . $ARGV[0];
# The address form the client's Node uses: padded to the full sun_path (Node 20) or exact (22+).
my $addr = $ARGV[1] eq 'padded' ? pack_sockaddr_un($name . ("\\0" x (108 - length($name)))) : pack("S", AF_UNIX) . $name;
socket(my $l, AF_UNIX, SOCK_STREAM, 0) or die; bind($l, $addr) or die "bind: $!"; listen($l, 0) or die;
my @held;
for (1..50) { socket(my $s, AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0); last unless connect($s, $addr); push @held, $s; }
$| = 1; print "full\\n"; sleep 60;
`;

test('a queue that stays full: dinit status gives up at its deadline, naming the socket @name (no NUL)', { timeout: 60000 }, async () => {
  const socket = `dinit-status-stuck-${process.pid}`;
  const script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dinit-stuck-')), 'stuck.pl');
  fs.writeFileSync(script, STUCK);
  const form = Number(process.versions.node.split('.')[0]) >= 22 ? 'exact' : 'padded';
  const stuck = spawn('perl', [script, socket, form], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve) => stuck.stdout!.on('data', () => resolve()));
    const s = await status(socket, worldReadableCli());
    assert.equal(s.code, 2);
    assert.equal(s.stderr, `dinit: error: status: no answer from dinit on @${socket}: the socket is flooded with connections (connect EAGAIN @${socket})\n`);
    assert.ok(s.ms >= 4500 && s.ms < 15000, `gave up after its 5 s deadline (${s.ms} ms)`);
  } finally {
    stuck.kill('SIGKILL');
  }
});
