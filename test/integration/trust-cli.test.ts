import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { LAUNCHER, launcherEnv, makeTree, runDinit, trustedTmp } from './harness';

const T = { timeout: 60000 };
const VERSION = (JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as { version: string }).version;

/** A tree whose one program records each start in a file. */
function recordingTree(): { dir: string; starts: () => number } {
  const marker = path.join(trustedTmp('dinit-cli-marker-'), 'starts');
  const dir = makeTree({ app: { run: `echo started >> ${marker}; exec sleep 1000` } });
  return { dir, starts: () => (fs.existsSync(marker) ? fs.readFileSync(marker, 'utf8').split('\n').filter(Boolean).length : 0) };
}

for (const flag of ['--help', '-h']) {
  test(`dinit ${flag} prints the usage, exits 0 and starts nothing`, T, async () => {
    const tree = recordingTree();
    const r = await runDinit(tree.dir, { args: [flag], timeoutMs: 15000 });
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^usage: dinit {17}run as the init \(PID 1\) of a container: start \/etc\/service\n {7}dinit check \[-v\] \[dir\]/);
    assert.equal(r.stderr, '');
    assert.equal(tree.starts(), 0);
  });
}

test('dinit --version prints the version from package.json, exits 0 and starts nothing', T, async () => {
  const tree = recordingTree();
  const r = await runDinit(tree.dir, { args: ['--version'], timeoutMs: 15000 });
  assert.equal(r.code, 0);
  assert.equal(r.stdout, `dinit ${VERSION}\n`);
  assert.equal(r.stderr, '');
  assert.equal(tree.starts(), 0);
});

const usageErrors: Array<[string[], string]> = [
  [['--bogus'], 'dinit: error: unknown option "--bogus"'],
  [['-x'], 'dinit: error: unknown option "-x"'],
  [['--version', 'extra'], 'dinit: error: unexpected "extra"'],
  [['stauts'], 'dinit: error: unknown command "stauts"; commands: check, status'],
  // Not in PATH, no `/`: a typo, not CMD mode (`dinit sleep 1000` runs sleep: life-cmd.test.ts).
  [['no-such-program', '1000'], 'dinit: error: unknown command "no-such-program"; commands: check, status'],
  [['--'], 'dinit: error: expected a command after "--"'],
];
for (const [args, message] of usageErrors) {
  test(`dinit ${args.join(' ')} is a usage error: exit 2, nothing started`, T, async () => {
    const tree = recordingTree();
    const r = await runDinit(tree.dir, { args, timeoutMs: 15000 });
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    const lines = r.stderr.split('\n');
    assert.equal(lines[0], message);
    assert.match(lines[1], /^usage: dinit /);
    assert.equal(tree.starts(), 0);
  });
}

/**
 * Runs the launcher inside the PID and mount namespaces of `pid` (what `docker exec` does),
 * or, with `ownMounts`, in its PID namespace only, with a mount namespace and /proc of its
 * own (what `docker run --pid=container:<c>` does).
 */
function execInside(
  pid: number,
  args: string[],
  env: NodeJS.ProcessEnv,
  options: { ownMounts?: boolean; during?: (childPid: number) => Promise<void> } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const argv = options.ownMounts
      ? ['-t', String(pid), '-p', '--', 'unshare', '--mount', '--propagation', 'private', '--mount-proc', '--', LAUNCHER, ...args]
      : ['-t', String(pid), '-p', '-m', '--', LAUNCHER, ...args];
    const child = spawn('nsenter', argv, { env: launcherEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20000);
    child.on('close', (code) => (clearTimeout(timer), resolve({ code, stdout, stderr })));
    void options.during?.(child.pid!).catch(() => undefined);
  });
}

test('"docker exec <c> dinit": a dinit in a PID namespace whose PID 1 is dinit refuses, exit 2, starts nothing', T, async () => {
  const tree = recordingTree();
  let second: Awaited<ReturnType<typeof execInside>> | undefined;
  let check: Awaited<ReturnType<typeof execInside>> | undefined;
  const r = await runDinit(tree.dir, {
    timeoutMs: 40000,
    during: async (d) => {
      await d.waitFor(/app\/run: running with PID/);
      second = await execInside(d.pid, [], { ...process.env, DINIT_DIR: tree.dir, DINIT_LOG_LEVEL: 'info', DINIT_STATUS_SOCKET: 'not-the-same' });
      // Commands are not affected.
      check = await execInside(d.pid, ['check', tree.dir], { ...process.env });
      d.signal('SIGTERM');
    },
  });
  assert.equal(r.code, 0);
  assert.equal(second!.code, 2, second!.stderr);
  assert.equal(second!.stdout, '');
  assert.match(
    second!.stderr,
    /^\S+ dinit: error: another dinit already supervises this PID namespace: PID 1 of this PID namespace is dinit \(\S*node( --disable-sigusr1)? \S+\/dist\/cli\.js\); not starting the programs a second time \(to see them: dinit status\)\n$/,
  );
  assert.equal(check!.code, 0, check!.stdout + check!.stderr);
  assert.equal(tree.starts(), 1);
});

test('a dinit whose PID namespace has a listening status socket refuses, exit 2, starts nothing', T, async () => {
  const first = recordingTree();
  const socket = `dinit-trust-cli-${process.pid}`;
  let second: ReturnType<typeof spawnSync> | undefined;
  const secondTree = recordingTree();
  const r = await runDinit(first.dir, {
    env: { DINIT_STATUS_SOCKET: socket, DINIT_LOG_LEVEL: 'trace' },
    timeoutMs: 40000,
    during: async (d) => {
      await d.waitFor(/status: listening on @/);
      // Not PID 1 here: only the socket tells (a dinit from another installation, say).
      second = spawnSync(LAUNCHER, [], {
        env: launcherEnv({ ...process.env, DINIT_DIR: secondTree.dir, DINIT_STATUS_SOCKET: socket }),
        encoding: 'utf8',
        timeout: 20000,
      });
      d.signal('SIGTERM');
    },
  });
  assert.equal(r.code, 0);
  assert.equal(second!.status, 2, String(second!.stderr));
  assert.match(
    String(second!.stderr),
    new RegExp(`^\\S+ dinit: error: another dinit already supervises this PID namespace: the status socket @${socket} of this PID namespace is listening; not starting the programs a second time \\(to see them: dinit status\\)\\n$`),
  );
  assert.equal(secondTree.starts(), 0);
});

test('a container that only shares the PID namespace (--pid=container:<c>) runs its own programs as a subreaper', T, async () => {
  const first = recordingTree();
  const own = recordingTree();
  let second: Awaited<ReturnType<typeof execInside>> | undefined;
  const r = await runDinit(first.dir, {
    timeoutMs: 40000,
    during: async (d) => {
      await d.waitFor(/app\/run: running with PID/);
      second = await execInside(d.pid, [], { ...process.env, DINIT_DIR: own.dir, DINIT_LOG_LEVEL: 'info' }, {
        ownMounts: true,
        during: async () => {
          for (let i = 0; i < 1000 && own.starts() === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
          // The second dinit is the grandchild of nsenter (unshare forks nothing: it execs): signal it by its start.
          const pids = fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p));
          for (const p of pids) {
            try {
              const cmd = fs.readFileSync(`/proc/${p}/environ`, 'utf8');
              if (cmd.includes(`DINIT_DIR=${own.dir}\0`) && fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('cli.js')) process.kill(Number(p), 'SIGTERM');
            } catch {
              // gone, or not ours
            }
          }
        },
      });
      d.signal('SIGTERM');
    },
  });
  assert.equal(r.code, 0);
  assert.equal(second!.code, 0, second!.stderr);
  assert.match(second!.stderr, /dinit: info: not running as a PID 1, but PID \d+, registering as a process subreaper/);
  assert.doesNotMatch(second!.stderr, /another dinit/);
  assert.equal(own.starts(), 1);
  assert.equal(first.starts(), 1);
});
