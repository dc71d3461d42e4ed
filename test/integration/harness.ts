import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const CLI = path.resolve(__dirname, '../../dist/cli.js');
/** The launcher users run (package.json "bin"): hides NODE_OPTIONS & co. from dinit's Node. */
export const LAUNCHER = path.resolve(__dirname, '../../bin/dinit');

/**
 * The environment for the launcher: it runs `node` from PATH, so the Node running the tests
 * comes first (the version under test).
 */
export function launcherEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, PATH: `${path.dirname(process.execPath)}:${env.PATH ?? '/usr/bin:/bin'}` };
}

/**
 * A root-owned 0755 folder outside world-writable /tmp: as root, dinit refuses config files
 * and plugins in a folder others can write to (docs/security.md), so tests keep them here.
 */
export function trustedTmp(prefix: string): string {
  const base = '/run/dinit-tests';
  fs.mkdirSync(base, { recursive: true, mode: 0o755 });
  fs.chmodSync(base, 0o755);
  const dir = fs.mkdtempSync(path.join(base, prefix));
  fs.chmodSync(dir, 0o755);
  return dir;
}

/** A service tree: name → files (relative path → script text). Scripts are made executable. */
export type Tree = Record<string, Record<string, string>>;

/**
 * A copy of a folder of the checkout (example configs and plugins) in a trusted temp folder:
 * the checkout may belong to a CI user or have group-writable files, which dinit, as root,
 * rightly refuses to load. Owned by root, no group/other write bits; returns the copy.
 */
export function trustedCopy(source: string): string {
  const copy = path.join(trustedTmp('dinit-copy-'), path.basename(source));
  // By hand, following symbolic links: fs.cpSync's `dereference` keeps links inside the tree
  // as links on some Node versions (22), and a link back into the checkout would be refused.
  const copyTree = (from: string, to: string): void => {
    const st = fs.statSync(from);
    if (st.isDirectory()) {
      fs.mkdirSync(to);
      for (const entry of fs.readdirSync(from)) copyTree(path.join(from, entry), path.join(to, entry));
    } else fs.copyFileSync(from, to);
    fs.chmodSync(to, st.mode & 0o7755);
  };
  copyTree(source, copy);
  return copy;
}

/** Writes plain files (not made executable) under a new trusted temp folder; returns it. */
export function makeFiles(files: Record<string, string>): string {
  const root = trustedTmp('dinit-files-');
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return root;
}

export function makeTree(tree: Tree): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dinit-test-'));
  for (const [name, files] of Object.entries(tree)) {
    for (const [rel, text] of Object.entries(files)) {
      const file = path.join(root, name, rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text.startsWith('#!') ? text : `#!/bin/sh\n${text}\n`, { mode: 0o755 });
    }
  }
  return root;
}

export interface RunOptions {
  env?: Record<string, string>;
  /** Run as PID 1 of a new PID namespace (default) or as a plain subreaper process. */
  pid1?: boolean;
  /** Working directory of dinit (config search). */
  cwd?: string;
  /** Extra arguments to dinit. */
  args?: string[];
  /** Give up (SIGKILL everything) after this long; the test then fails. */
  timeoutMs?: number;
  /** Called once dinit runs, with a way to signal it and to wait for output. */
  during?: (d: Running) => Promise<void>;
  /** Do not read dinit's stdout (a stalled consumer) until `during` returns. */
  stallStdout?: boolean;
}

export interface Running {
  /** Outer pid of dinit (the child of unshare when pid1). */
  pid: number;
  signal(name: NodeJS.Signals): void;
  /** Resolves when a line of stderr+stdout matches. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  stdout(): string;
  stderr(): string;
}

export interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Lines with timestamps and PIDs normalised: `T`, `<pid>`. */
  out: string[];
  err: string[];
}

const TIME = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g;

export function normalise(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) =>
      line
        .replace(TIME, 'T')
        .replace(/PID \d+/g, 'PID <pid>')
        .replace(/\/\d+: /g, '/<pid>: '),
    );
}

export async function runDinit(dir: string, options: RunOptions = {}): Promise<Result> {
  const env: NodeJS.ProcessEnv = { ...launcherEnv({ ...process.env, DINIT_DIR: dir, DINIT_LOG_LEVEL: 'info' }), ...options.env };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  const pid1 = options.pid1 ?? true;
  const argv = pid1
    ? ['unshare', '--pid', '--fork', '--mount-proc', '--kill-child', LAUNCHER, ...(options.args ?? [])]
    : [LAUNCHER, ...(options.args ?? [])];
  const child = spawn(argv[0], argv.slice(1), { env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  const check = (): void => {
    for (const waiter of [...waiters]) {
      const line = (stderr + '\n' + stdout).split('\n').find((l) => waiter.pattern.test(l));
      if (line !== undefined) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  };
  if (!options.stallStdout) child.stdout!.on('data', (d) => ((stdout += d), check()));
  child.stderr!.on('data', (d) => ((stderr += d), check()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const timeout = setTimeout(() => killTree(child), (options.timeoutMs ?? 20000) * SLOWDOWN);
  try {
    if (options.during) {
      const pid = pid1 ? await innerPid(child.pid!) : child.pid!;
      await options.during({
        pid,
        signal: (name) => process.kill(pid, name),
        waitFor: (pattern, ms = 10000) =>
          new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; stderr:\n${stderr}`)), ms * SLOWDOWN);
            waiters.push({ pattern, resolve: (l) => (clearTimeout(timer), resolve(l)) });
            check();
          }),
        stdout: () => stdout,
        stderr: () => stderr,
      });
      if (options.stallStdout) child.stdout!.on('data', (d) => (stdout += d));
    }
    const { code, signal } = await exited;
    // Exit is not end of output: read dinit's pipes to their end, as any consumer would
    // (bounded: a process that wrongly outlived dinit must fail the assertions, not hang).
    await Promise.race([Promise.all([closed(child.stdout!), closed(child.stderr!)]), delay(10000)]);
    await new Promise((r) => setImmediate(r));
    return { code, signal, stdout, stderr, out: normalise(stdout), err: normalise(stderr) };
  } finally {
    clearTimeout(timeout);
    killTree(child);
  }
}

/**
 * How much slower than a normal machine this one is (DINIT_TEST_SLOWDOWN, set to 10 by the
 * emulated arm64 VM of scripts/arm64-vm.sh): the harness's own deadlines are scaled by it.
 */
export const SLOWDOWN = Math.max(1, Number(process.env.DINIT_TEST_SLOWDOWN) || 1);

export const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

/** Resolves once `stream` has closed (read to its end, or destroyed). */
export function closed(stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve) => {
    if ((stream as { closed?: boolean }).closed) resolve();
    else stream.once('close', () => resolve());
  });
}

/** The pid (in our namespace) of unshare's forked child: dinit as PID 1. */
export async function innerPid(unsharePid: number): Promise<number> {
  for (let i = 0; i < 500 * SLOWDOWN; i++) {
    try {
      const kids = fs.readFileSync(`/proc/${unsharePid}/task/${unsharePid}/children`, 'utf8').trim();
      if (kids) return Number(kids.split(' ')[0]);
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('dinit did not start under unshare');
}

function killTree(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    child.kill('SIGKILL');
  } catch {
    // gone
  }
}

/** Lines of `lines` that contain `needle`. */
export function grep(lines: string[], needle: string | RegExp): string[] {
  return lines.filter((l) => (typeof needle === 'string' ? l.includes(needle) : needle.test(l)));
}

/**
 * A copy of the built CLI that any user can read: tests that run `dinit status` as another
 * user must not depend on the checkout's folder permissions (CI clones into a 0700 folder).
 * Only the command paths that need no native module work from it.
 */
export function worldReadableCli(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dinit-cli-'));
  fs.chmodSync(dir, 0o755);
  const copy = path.join(dir, 'cli.js');
  fs.copyFileSync(CLI, copy);
  fs.chmodSync(copy, 0o644);
  return copy;
}

let runnableNode: string | undefined;

/**
 * A node binary any user can run: process.execPath when every folder on its way is searchable
 * by others, else (Node 22/24 from scripts/node-versions.sh live in root's 0700 cache) a hard
 * link (or copy) per test process in a 0755 folder of root's, writable by no one else, removed
 * at exit.
 */
export function worldRunnableNode(): string {
  if (runnableNode) return runnableNode;
  const reachable = (file: string): boolean => {
    for (let p = file; p !== path.dirname(p); p = path.dirname(p)) if ((fs.statSync(p).mode & 0o001) === 0) return false;
    return true;
  };
  if (reachable(process.execPath)) return (runnableNode = process.execPath);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dinit-node-'));
  fs.chmodSync(dir, 0o755);
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'node');
  try {
    fs.linkSync(process.execPath, file); // same file system: no copy of ~120 MB
  } catch {
    fs.copyFileSync(process.execPath, file);
  }
  fs.chmodSync(file, 0o755);
  return (runnableNode = file);
}

/** Whether `uid` can read the checkout's built CLI (every folder on the way must be searchable). */
export function checkoutReadableBy(uid: number): boolean {
  const r = require('node:child_process').spawnSync(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(CLI)}, 4)`], {
    uid,
    gid: uid,
    stdio: 'ignore',
  });
  return r.status === 0;
}
