import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import { test } from 'node:test';
import { CLI, makeTree, runDinit, worldReadableCli, worldRunnableNode, type Running } from './harness';

const idle = 'exec sleep 1000';
let sockets = 0;
/** A socket name of its own per test: test files run side by side in one network namespace. */
const uniqueSocket = (): string => `dinit-status-test-${process.pid}-${++sockets}`;

interface StatusRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Table rows split into cells, with pids, times and uptimes normalised. */
  rows: string[][];
}

/** `dinit status [args]` as a separate process (same network namespace as the dinit under test). */
function status(args: string[], options: { socket?: string; uid?: number; nsenter?: number } = {}): Promise<StatusRun> {
  // Another user may not reach the checkout (CI clones into a 0700 folder): give it a readable copy.
  const cli = options.uid === undefined ? CLI : worldReadableCli();
  const node = options.uid === undefined ? process.execPath : worldRunnableNode();
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('DINIT_')) delete env[key];
  if (options.socket) env.DINIT_STATUS_SOCKET = options.socket;
  const argv = options.nsenter
    ? ['nsenter', '--target', String(options.nsenter), '--pid', '--', node, cli, 'status', ...args]
    : [node, cli, 'status', ...args];
  const child = spawn(argv[0], argv.slice(1), { env, uid: options.uid, gid: options.uid, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) =>
    child.on('close', (code) => {
      const rows = stdout
        .split('\n')
        .filter((l) => l !== '')
        .map((line) => (line.includes(': ') ? [line] : line.split(/ {2,}/).map(cell)));
      resolve({ code, stdout, stderr, rows });
    }),
  );
}

function cell(text: string): string {
  if (/^\d+$/.test(text)) return '<pid>';
  if (/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(text)) return 'T';
  if (/^\d+(s|m\d\ds|h\d\dm|d\d\dh)$/.test(text)) return '<uptime>';
  return text;
}

const HEADER = ['SERVICE', 'STAGE', 'PID', 'STATE', 'STARTED', 'UPTIME'];

async function started(d: Running, ...labels: string[]): Promise<void> {
  for (const label of labels) await d.waitFor(new RegExp(`${label}: running with PID`));
  await d.waitFor(/status: listening on @/);
}

test('all programs running: a table and status 0; --json gives the same as an object', async () => {
  const socket = uniqueSocket();
  const dir = makeTree({ a: { run: idle }, logged: { run: idle, 'log/run': 'exec cat' } });
  const r = await runDinit(dir, {
    env: { DINIT_STATUS_SOCKET: socket, DINIT_LOG_LEVEL: 'trace' },
    during: async (d) => {
      await started(d, 'a/run', 'logged/run', 'logged/log');
      const s = await status([], { socket });
      assert.equal(s.code, 0, s.stderr);
      assert.equal(s.stderr, '');
      assert.deepEqual(s.rows, [
        HEADER,
        ['a', 'run', '<pid>', 'running', 'T', '<uptime>'],
        ['logged', 'run', '<pid>', 'running', 'T', '<uptime>'],
        ['logged', 'log', '<pid>', 'running', 'T', '<uptime>'],
        ['ok: 2 services running'],
      ]);
      const j = await status(['--json'], { socket });
      assert.equal(j.code, 0);
      const report = JSON.parse(j.stdout);
      assert.equal(report.healthy, true);
      assert.equal(report.pid, 1);
      assert.equal(report.stopping, false);
      assert.deepEqual(
        report.programs.map((p: { service: string; stage: string; state: string; origin: string }) => [p.service, p.stage, p.state, p.origin]),
        [
          ['a', 'run', 'running', 'spawned'],
          ['logged', 'run', 'running', 'spawned'],
          ['logged', 'log', 'running', 'spawned'],
        ],
      );
      const a = report.programs[0];
      assert.match(a.startedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.ok(Number.isInteger(a.pid) && a.pid > 1);
      assert.ok(a.uptimeMs >= 0 && a.uptimeMs < 20000);
      d.signal('SIGTERM');
    },
  });
  assert.equal(r.code, 0, r.stderr);
});

test('a program that disabled itself (115) is not running: status 1', async () => {
  const socket = uniqueSocket();
  const dir = makeTree({ on: { run: idle }, off: { run: 'exit 115' } });
  await runDinit(dir, {
    env: { DINIT_STATUS_SOCKET: socket, DINIT_LOG_LEVEL: 'trace' },
    during: async (d) => {
      await started(d, 'on/run');
      await d.waitFor(/off\/run: PID \d+ finished and disabled itself/);
      const s = await status([], { socket });
      assert.equal(s.code, 1, s.stderr);
      assert.deepEqual(s.rows, [
        HEADER,
        ['off', 'run', '<pid>', 'disabled', 'T', '-'],
        ['on', 'run', '<pid>', 'running', 'T', '<uptime>'],
        ['not ok: not running: off/run (disabled)'],
      ]);
      const j = JSON.parse((await status(['--json'], { socket })).stdout);
      assert.equal(j.healthy, false);
      assert.deepEqual(j.programs[0].exit, { code: 115, signal: null });
      d.signal('SIGTERM');
    },
  });
});

test('no dinit answering: status 2 and a message naming the socket', async () => {
  const socket = uniqueSocket();
  const s = await status([], { socket });
  assert.equal(s.code, 2);
  assert.equal(s.stdout, '');
  assert.equal(s.stderr, `dinit: error: status: no answer from dinit on @${socket}: no dinit is listening (is it running in this container?)\n`);
});

test('a client that is not root is refused (status 2) unless listed in DINIT_STATUS_USERS', async () => {
  const socket = uniqueSocket();
  const dir = makeTree({ a: { run: idle } });
  const r = await runDinit(dir, {
    env: { DINIT_STATUS_SOCKET: socket, DINIT_LOG_LEVEL: 'trace' },
    during: async (d) => {
      await started(d, 'a/run');
      const s = await status([], { socket, uid: 65534 });
      assert.equal(s.code, 2);
      assert.equal(s.stdout, '');
      assert.equal(s.stderr, 'dinit: error: status: permission denied: uid 65534 may not read the status (allowed: root and DINIT_STATUS_USERS)\n');
      await d.waitFor(/status: refused uid 65534/);
      d.signal('SIGTERM');
    },
  });
  assert.equal(r.code, 0);
  const socket2 = uniqueSocket();
  await runDinit(dir, {
    env: { DINIT_STATUS_SOCKET: socket2, DINIT_LOG_LEVEL: 'trace', DINIT_STATUS_USERS: '1000, 65534' },
    during: async (d) => {
      await started(d, 'a/run');
      const s = await status([], { socket: socket2, uid: 65534 });
      assert.equal(s.code, 0, s.stderr);
      d.signal('SIGTERM');
    },
  });
});

test('an invalid DINIT_STATUS_USERS stops dinit at start-up', async () => {
  const r = await runDinit(makeTree({ a: { run: idle } }), { env: { DINIT_STATUS_USERS: 'root' } });
  assert.equal(r.code, 1);
  assert.deepEqual(r.err, ['T dinit: error: plugin status-socket failed to apply: invalid status users "root": expected a comma-separated list of numeric uids']);
});

test('the default socket name comes from the PID namespace: found from inside the container', async () => {
  const dir = makeTree({ a: { run: idle } });
  await runDinit(dir, {
    env: { DINIT_LOG_LEVEL: 'trace' },
    during: async (d) => {
      await started(d, 'a/run');
      const s = await status([], { nsenter: d.pid });
      assert.equal(s.code, 0, s.stderr);
      assert.deepEqual(s.rows.at(-1), ['ok: 1 service running']);
      d.signal('SIGTERM');
    },
  });
});

test('the socket closes when the stop begins; misbehaving clients do not hurt dinit', async () => {
  const socket = uniqueSocket();
  const dir = makeTree({ slow: { run: `trap 'sleep 0.5; exit 0' TERM; while :; do sleep 0.05; done` } });
  const r = await runDinit(dir, {
    env: { DINIT_STATUS_SOCKET: socket, DINIT_LOG_LEVEL: 'trace' },
    during: async (d) => {
      await started(d, 'slow/run');
      // A client that writes garbage and never reads, one that hangs up at once, one that stays silent.
      const noisy = net.connect(`\0${socket}`, () => noisy.write(Buffer.alloc(1 << 20, 'x')));
      noisy.on('error', () => {});
      const reset = net.connect(`\0${socket}`, () => reset.destroy());
      reset.on('error', () => {});
      const silent = net.connect(`\0${socket}`);
      silent.on('error', () => {});
      silent.pause();
      await new Promise((resolve) => setTimeout(resolve, 200));
      const s = await status([], { socket });
      assert.equal(s.code, 0, s.stderr);
      for (const c of [noisy, reset, silent]) c.destroy();
      d.signal('SIGTERM');
      await d.waitFor(/slow\/run: sending SIGTERM/);
      const during = await status([], { socket });
      assert.equal(during.code, 2, during.stdout);
    },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!r.stderr.includes('internal error'), r.stderr);
});
