import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { CLI, delay, LAUNCHER, launcherEnv, makeTree, runDinit, trustedTmp } from './harness';

const T = { timeout: 60000 };

/** Inodes of the TCP sockets listening on `port` (IPv4 or IPv6) in our network namespace (unshare keeps it). */
function listeners(port: number): string[] {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  return ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((table) => {
    let text = '';
    try {
      text = fs.readFileSync(table, 'utf8');
    } catch {
      return [];
    }
    // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode; st 0A = LISTEN.
    return text
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter((fields) => fields[3] === '0A' && fields[1]?.endsWith(`:${hex}`))
      .map((fields) => fields[9]);
  });
}

const listeningOn = (port: number): boolean => listeners(port).length > 0;

/** Whether process `pid` holds a socket listening on TCP `port`. */
function holdsListener(pid: number, port: number): boolean {
  const inodes = new Set(listeners(port).map((inode) => `socket:[${inode}]`));
  return fs.readdirSync(`/proc/${pid}/fd`).some((fd) => {
    try {
      return inodes.has(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
    } catch {
      return false;
    }
  });
}

/** Node 22.14+, 23.7+ and 24+ have --disable-sigusr1. */
const hasDisableFlag = ((): boolean => {
  const [major, minor] = process.versions.node.split('.').map(Number);
  return major >= 24 || (major === 23 && minor >= 7) || (major === 22 && minor >= 14);
})();

test('SIGUSR1 to PID 1, again and again, never opens a debugger; dinit goes on and stops normally', T, async () => {
  assert.equal(listeningOn(9229), false, 'something else already listens on 9229');
  const dir = makeTree({ a: { run: 'echo started; exec sleep 1000' } });
  let sent = 0;
  const r = await runDinit(dir, {
    env: { DINIT_LOG_LEVEL: 'trace', DINIT_JSON_STDOUT: '0' },
    timeoutMs: 40000,
    during: async (d) => {
      const usr1 = (): void => {
        d.signal('SIGUSR1');
        sent++;
      };
      // Node 20 opens the inspector while it boots, before any JavaScript can listen: only
      // versions with --disable-sigusr1 are safe from the first instant (docs/security.md).
      if (hasDisableFlag) for (let i = 0; i < 5; i++) usr1(), await delay(2);
      await d.waitFor(/dinit: trace: native calls/);
      usr1();
      await d.waitFor(/a\/run: started/);
      for (let i = 0; i < 3; i++) usr1(), await delay(100);
      if (!hasDisableFlag) await d.waitFor(/ignoring SIGUSR1/);
      await delay(300);
      assert.equal(listeningOn(9229), false, 'the inspector listens on 9229');
      // Still supervising: a stop goes as usual.
      d.signal('SIGTERM');
    },
  });
  assert.equal(r.code, 0);
  assert.doesNotMatch(r.stderr, /Debugger listening|inspector/i);
  // Each one that reached the JS listener is logged (those sent while Node booted are dropped
  // by the kernel). With --disable-sigusr1 Node blocks the signal: none reaches dinit at all.
  const ignored = r.err.filter((l) => l === 'T dinit: trace: ignoring SIGUSR1 (not in DINIT_FORWARD_SIGNALS; it never opens a debugger)');
  if (hasDisableFlag) assert.equal(ignored.length, 0);
  else assert.ok(ignored.length >= 4 && ignored.length <= sent, `${ignored.length} of ${sent} logged`);
  assert.ok(r.err.includes('T dinit: info: got signal 15, terminating services'));
  assert.equal(r.err.at(-1), 'T dinit: info: dinit exiting with status 0');
});

test('with DINIT_FORWARD_SIGNALS=USR1 a program traps the SIGUSR1 sent to dinit', T, async () => {
  const dir = makeTree({ a: { run: `trap 'echo got USR1' USR1; echo ready; while :; do sleep 0.05; done` } });
  const r = await runDinit(dir, {
    env: { DINIT_FORWARD_SIGNALS: 'USR1', DINIT_JSON_STDOUT: '0' },
    during: async (d) => {
      await d.waitFor(/a\/run: ready/);
      d.signal('SIGUSR1');
      await d.waitFor(/a\/run: got USR1/);
      d.signal('SIGUSR1');
      await delay(200);
      d.signal('SIGTERM');
    },
  });
  assert.equal(r.code, 0);
  assert.equal(r.out.filter((l) => l === 'T a/run: got USR1').length, 2);
  assert.doesNotMatch(r.stderr, /Debugger listening/);
  assert.equal(listeningOn(9229), false);
});

test('the launcher starts Node with --disable-sigusr1 exactly where the version has it', T, async () => {
  const dir = makeTree({ a: { run: 'exec sleep 1000' } });
  let cmdline = '';
  await runDinit(dir, {
    during: async (d) => {
      await d.waitFor(/a\/run: starting/);
      cmdline = fs.readFileSync(`/proc/${d.pid}/cmdline`, 'utf8');
      d.signal('SIGTERM');
    },
  });
  const argv = cmdline.split('\0').filter((a) => a !== '');
  assert.equal(argv.includes('--disable-sigusr1'), hasDisableFlag, argv.join(' '));
  assert.match(argv.at(-1)!, /dist\/cli\.js$/);
});

/** A folder with a --require module that records which process loaded it. */
function requireMarker(): { file: string; marker: string } {
  const dir = trustedTmp('dinit-node-options-');
  const marker = path.join(dir, 'loaded-by');
  const file = path.join(dir, 'tracing.js');
  fs.writeFileSync(file, `require('fs').appendFileSync(${JSON.stringify(marker)}, JSON.stringify(process.argv.slice(1)) + '\\n');\n`);
  return { file, marker };
}

test('NODE_OPTIONS --require is loaded by a program running node, never by dinit', T, async () => {
  const { file, marker } = requireMarker();
  const node = JSON.stringify(process.execPath);
  const dir = makeTree({ app: { run: `${node} -e 'console.log("app ran")' ran-by-app` } });
  const r = await runDinit(dir, { env: { NODE_OPTIONS: `--require ${file}`, DINIT_JSON_STDOUT: '0' } });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.out.includes('T app/run: app ran'));
  assert.deepEqual(fs.readFileSync(marker, 'utf8'), `${JSON.stringify(['ran-by-app'])}\n`);
});

test('dinit check does not load NODE_OPTIONS --require either', T, () => {
  const { file, marker } = requireMarker();
  const dir = makeTree({ a: { run: 'exit 0' } });
  const launcher = path.resolve(__dirname, '../../bin/dinit');
  const r = spawnSync(launcher, ['check', dir], { env: launcherEnv({ ...process.env, NODE_OPTIONS: `--require ${file}` }), encoding: 'utf8', timeout: 20000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(fs.existsSync(marker), false);
});

test('every program gets NODE_*, UV_* and OpenSSL variables exactly as dinit received them: set, empty or unset', T, async () => {
  const names = ['NODE_OPTIONS', 'NODE_PATH', 'NODE_DEBUG', 'NODE_EXTRA_CA_CERTS', 'UV_THREADPOOL_SIZE', 'OPENSSL_CONF', 'NODE_ENV', 'NODE_NO_WARNINGS'];
  const script = names.map((n) => `if [ -n "\${${n}+x}" ]; then printf '%s=[%s]\\n' ${n} "$${n}"; else echo ${n} unset; fi`).join('\n');
  const dir = makeTree({ app: { run: `${script}\nenv | grep -c '^DINIT_LAUNCHER' || true` } });
  const env: Record<string, string> = {
    NODE_OPTIONS: '--max-old-space-size=64 --title=from-options',
    NODE_PATH: '',
    UV_THREADPOOL_SIZE: '3',
    OPENSSL_CONF: '/nonexistent/openssl.cnf',
    NODE_ENV: 'production  with  spaces $HOME `x`',
    DINIT_JSON_STDOUT: '0',
  };
  // NODE_DEBUG, NODE_EXTRA_CA_CERTS, NODE_NO_WARNINGS: not in dinit's environment at all.
  const base = { ...process.env };
  for (const n of ['NODE_DEBUG', 'NODE_EXTRA_CA_CERTS', 'NODE_NO_WARNINGS']) delete base[n];
  const saved = { ...process.env };
  const r = await (async () => {
    for (const n of ['NODE_DEBUG', 'NODE_EXTRA_CA_CERTS', 'NODE_NO_WARNINGS']) delete process.env[n];
    try {
      return await runDinit(dir, { env });
    } finally {
      Object.assign(process.env, saved);
    }
  })();
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.out, [
    'T app/run: NODE_OPTIONS=[--max-old-space-size=64 --title=from-options]',
    'T app/run: NODE_PATH=[]',
    'T app/run: NODE_DEBUG unset',
    'T app/run: NODE_EXTRA_CA_CERTS unset',
    'T app/run: UV_THREADPOOL_SIZE=[3]',
    'T app/run: OPENSSL_CONF=[/nonexistent/openssl.cnf]',
    'T app/run: NODE_ENV=[production  with  spaces $HOME `x`]',
    'T app/run: NODE_NO_WARNINGS unset',
    'T app/run: 0',
  ]);
});

test('--inspect, --title and --max-old-space-size in NODE_OPTIONS have no effect on dinit; the program gets them', T, async () => {
  const node = JSON.stringify(process.execPath);
  const dir = makeTree({
    app: { run: `${node} -e 'console.log(process.title, Math.round(require("v8").getHeapStatistics().heap_size_limit / 1048576) < 1024)' 2>/dev/null; exec sleep 1000` },
  });
  let comm = '';
  let threads = 0;
  const r = await runDinit(dir, {
    env: { NODE_OPTIONS: '--inspect=127.0.0.1:9231 --title=hijacked --max-old-space-size=64', UV_THREADPOOL_SIZE: '64', DINIT_JSON_STDOUT: '0' },
    during: async (d) => {
      await d.waitFor(/app\/run: \S+ (true|false)/);
      comm = fs.readFileSync(`/proc/${d.pid}/comm`, 'utf8').trim();
      threads = fs.readdirSync(`/proc/${d.pid}/task`).length;
      // The program's own node may listen there (NODE_OPTIONS is its): dinit must not.
      assert.equal(holdsListener(d.pid, 9231), false, 'dinit opened the inspector from NODE_OPTIONS');
      d.signal('SIGTERM');
    },
  });
  assert.equal(r.code, 0);
  assert.ok(r.out.includes('T app/run: hijacked true'), r.out.join('\n'));
  assert.notEqual(comm, 'hijacked');
  assert.ok(['node', 'MainThread'].includes(comm), comm);
  // Node's own threads plus libuv's default pool of 4, not 64.
  assert.ok(threads < 20, `dinit has ${threads} threads`);
  assert.doesNotMatch(r.stderr.split('\n').filter((l) => !l.includes('app/run')).join('\n'), /Debugger listening/);
});

test('started as "node dist/cli.js", bypassing the launcher, with NODE_OPTIONS set: one clear warning', T, () => {
  const dir = makeTree({ a: { run: 'exit 0' } });
  const env: NodeJS.ProcessEnv = { ...process.env, DINIT_DIR: dir, NODE_OPTIONS: '--no-deprecation' };
  delete env.DINIT_LAUNCHER_SAVED;
  const r = spawnSync(process.execPath, [CLI], { env, encoding: 'utf8', timeout: 20000 });
  assert.equal(r.status, 0);
  const lines = r.stderr.split('\n').filter((l) => l.includes('launcher'));
  assert.equal(lines.length, 1, r.stderr);
  assert.match(
    lines[0],
    /^\S+ dinit: warning: started as "node dist\/cli\.js" with NODE_OPTIONS set: Node applied it to dinit itself \(NODE_OPTIONS can make PID 1 load code or open a debugger\); start dinit through its launcher, the "dinit" command \(bin\/dinit\)$/,
  );
});

test('a SIGTERM that reaches PID 1 while the launcher still runs is not lost: dinit stops, status 0', T, async () => {
  // A `node` that answers --version slowly holds the launcher (sh, PID 1) long enough to aim at it.
  const bin = trustedTmp('dinit-slow-node-');
  fs.writeFileSync(path.join(bin, 'node'), `#!/bin/sh\ncase "$1" in --version) sleep 1 ;; esac\nexec ${JSON.stringify(process.execPath)} "$@"\n`, { mode: 0o755 });
  const dir = makeTree({ a: { run: 'exec sleep 1000' } });
  let aimed = false;
  const r = await runDinit(dir, {
    env: { PATH: `${bin}:${process.env.PATH}` },
    timeoutMs: 20000,
    during: async (d) => {
      for (let i = 0; i < 2000 && !aimed; i++) {
        const status = fs.readFileSync(`/proc/${d.pid}/status`, 'utf8');
        const caught = BigInt(`0x${/SigCgt:\s+(\S+)/.exec(status)![1]}`);
        // The launcher's trap on TERM is set and it has not exec'd Node yet.
        aimed = (caught & (1n << 14n)) !== 0n && !fs.readFileSync(`/proc/${d.pid}/cmdline`, 'utf8').includes('cli.js');
        if (!aimed) await delay(2);
      }
      d.signal('SIGTERM');
    },
  });
  assert.ok(aimed, 'never saw the launcher with its trap set');
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.err.includes('T dinit: info: got signal 15, terminating services'), r.stderr);
});

test('dinit status (root, a tool) ignores SIGUSR1 too: no debugger while it waits for an answer', T, async () => {
  const net = await import('node:net');
  const name = `dinit-trust-usr1-${process.pid}`;
  let release: () => void = () => undefined;
  const connected = new Promise<void>((resolve) => {
    const server = net.createServer((socket) => {
      release = () => (socket.end(), server.close());
      resolve();
    });
    server.listen(`\0${name}`);
  });
  const child = spawn(LAUNCHER, ['status'], { env: launcherEnv({ ...process.env, DINIT_STATUS_SOCKET: name }), stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await connected;
  for (let i = 0; i < 3; i++) child.kill('SIGUSR1'), await delay(50);
  await delay(200);
  assert.equal(holdsListener(child.pid!, 9229), false);
  release();
  assert.equal(await exited, 2);
  assert.equal(stderr, `dinit: error: status: no answer from dinit on @${name}: no dinit is listening (is it running in this container?)\n`);
});

test('forwardSignals naming USR1 only in the config file: forwarded on Node 20, a clear warning where --disable-sigusr1 blocks it', T, async () => {
  const conf = trustedTmp('dinit-conf-');
  fs.writeFileSync(path.join(conf, 'dinit.config.json'), JSON.stringify({ forwardSignals: ['USR1'], jsonStdout: false }));
  const dir = makeTree({ a: { run: `trap 'echo got USR1' USR1; echo ready; while :; do sleep 0.05; done` } });
  const r = await runDinit(dir, {
    env: { DINIT_CONFIG: conf },
    during: async (d) => {
      await d.waitFor(/a\/run: ready/);
      d.signal('SIGUSR1');
      if (!hasDisableFlag) await d.waitFor(/a\/run: got USR1/);
      else await delay(300);
      d.signal('SIGTERM');
    },
  });
  assert.equal(r.code, 0);
  const warning = 'T dinit: warning: SIGUSR1 cannot be forwarded: Node was started with --disable-sigusr1; name USR1 in DINIT_FORWARD_SIGNALS (not only in the config file) so the launcher leaves it out';
  assert.equal(r.err.includes(warning), hasDisableFlag, r.stderr);
  assert.equal(r.out.includes('T a/run: got USR1'), !hasDisableFlag);
});
