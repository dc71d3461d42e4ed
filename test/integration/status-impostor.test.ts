import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { LAUNCHER, launcherEnv, makeTree, trustedTmp } from './harness';

/**
 * Anyone may bind an abstract socket name. In a Kubernetes pod PID 1 is `pause`, not dinit,
 * so nobody holds the base name `dinit-status-<pidns>` and any process of the pod can bind it
 * and answer root's `dinit status` (a HEALTHCHECK, a probe) with a report of its own. The
 * client must ask only a socket held by the PID its name claims.
 */

/** Binds the base name (both the exact and the Node 20 padded form) and answers every client with a forged report. */
const IMPOSTOR = `
use Socket qw(:all);
my ($ns) = readlink("/proc/self/ns/pid") =~ /\\[(\\d+)\\]/ or die "no pid ns";
my $name = "\\0dinit-status-$ns";
my @socks;
for my $addr (pack("S", AF_UNIX) . $name, pack_sockaddr_un($name . ("\\0" x (108 - length($name))))) {
  socket(my $s, AF_UNIX, SOCK_STREAM, 0) or die "socket: $!";
  bind($s, $addr) or die "bind: $!";
  listen($s, 16) or die "listen: $!";
  push @socks, $s;
}
my $forged = '{"version":1,"healthy":true,"stopping":false,"programs":[{"service":"forged","stage":"run","pid":1,"state":"running","startedAt":null,"uptimeMs":null}]}';
my $end = time + 60;
while (time < $end) {
  my $rin = '';
  vec($rin, fileno($_), 1) = 1 for @socks;
  select(my $rout = $rin, undef, undef, 1) or next;
  for my $s (@socks) {
    next unless vec($rout, fileno($s), 1);
    accept(my $c, $s) or next;
    syswrite($c, $forged);
    close $c;
  }
}
`;

/** In a PID namespace whose PID 1 is a shell (pause's role): dinit and the impostor in `order`, then root's `dinit status`. */
function podWithImpostor(order: 'dinit-first' | 'impostor-first') {
  const tree = makeTree({ web: { run: 'exec sleep 1000' } });
  const work = trustedTmp('dinit-impostor-');
  fs.chmodSync(work, 0o755);
  fs.writeFileSync(path.join(work, 'impostor.pl'), IMPOSTOR, { mode: 0o644 });
  const script = `
    ns=$(readlink /proc/self/ns/pid | tr -dc 0-9)
    wait_for() { # pattern file-or-proc what
      i=0
      until grep -q "$1" "$2" 2>/dev/null; do
        i=$((i + 1)); [ $i -lt 600 ] || { echo "timed out waiting for $3"; cat "$WORK/dinit.log" "$WORK/impostor.log" 2>/dev/null; exit 9; }
        sleep 0.05
      done
    }
    dinit() { DINIT_DIR="$TREE" "$LAUNCHER" >"$WORK/dinit.log" 2>&1 & wait_for "web/run: running" "$WORK/dinit.log" "dinit to start web"; }
    impostor() {
      setpriv --reuid=65534 --regid=65534 --clear-groups perl "$WORK/impostor.pl" 2>"$WORK/impostor.log" &
      wait_for "@dinit-status-$ns\\$" /proc/net/unix "the impostor to listen"
    }
    if [ "$ORDER" = dinit-first ]; then dinit; impostor; else impostor; dinit; fi
    "$LAUNCHER" status; echo "status-exit=$?"
  `;
  const env = launcherEnv({ ...process.env, TREE: tree, WORK: work, LAUNCHER, ORDER: order });
  for (const key of Object.keys(env)) if (key.startsWith('DINIT_')) delete env[key];
  env.DINIT_LOG_LEVEL = 'info';
  const r = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', 'sh', '-c', script], { env, encoding: 'utf8', timeout: 90000 });
  assert.equal(r.error, undefined);
  return r;
}

test('root\'s dinit status does not ask a stranger that bound the base name while PID 1 is not dinit (a pod with pause)', { timeout: 120000 }, () => {
  const r = podWithImpostor('dinit-first');
  assert.doesNotMatch(r.stdout, /forged/, 'the impostor answered');
  assert.match(r.stdout, /^web +run +\d+ +running/m, r.stdout + r.stderr);
  assert.match(r.stdout, /^status-exit=0$/m, r.stdout + r.stderr);
});

test('a stranger that bound the base name first does not keep dinit from starting (it is not PID 1\'s socket)', { timeout: 120000 }, () => {
  const r = podWithImpostor('impostor-first');
  assert.doesNotMatch(r.stdout, /another dinit already supervises/, r.stdout);
  assert.match(r.stdout, /^web +run +\d+ +running/m, r.stdout + r.stderr);
  assert.match(r.stdout, /^status-exit=0$/m, r.stdout + r.stderr);
});
