// Process plumbing for the benchmark: building the C generators, locating the inits,
// spawning one timed run (optionally piped into `wc -l`), finding the init inside the
// PID namespace and sampling its memory and CPU from /proc.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const BENCH_DIR = __dirname;
export const ROOT = path.resolve(BENCH_DIR, '..');
export const OUT = path.join(BENCH_DIR, 'out');
export const DINIT_CLI = path.join(ROOT, 'dist', 'cli.js');

/**
 * The Node binary that runs dinit (and the `node` column): the one running the bench unless
 * `--node <path>` names another, so results can be recorded per Node version.
 */
export const NODE = { path: process.execPath, version: process.version };

/** Switches the Node binary under test; throws with the path and the reason when it does not run. */
export function useNode(file: string): void {
  const r = spawnSync(file, ['--version'], { encoding: 'utf8' });
  const version = r.stdout?.trim();
  if (r.error || r.status !== 0 || !/^v\d+\./.test(version ?? '')) {
    throw new Error(`--node ${file}: not a working node binary (${r.error?.message ?? r.stderr?.trim() ?? `status ${r.status}`})`);
  }
  NODE.path = path.resolve(file);
  NODE.version = version!;
}

/** Every init runs as PID 1 of a fresh PID namespace; --kill-child takes it down with us. */
export const UNSHARE = ['unshare', '--pid', '--fork', '--mount-proc', '--kill-child'];

const CLK_TCK = 100; // USER_HZ on Linux

export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function which(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    const p = path.join(dir, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return undefined;
}

/** Compiles bench/gen/*.c into bench/out/ (only when the source is newer). */
export function buildGenerators(): Record<string, string> {
  fs.mkdirSync(OUT, { recursive: true });
  const genDir = path.join(BENCH_DIR, 'gen');
  const bins: Record<string, string> = {};
  for (const file of fs.readdirSync(genDir).filter((f) => f.endsWith('.c'))) {
    const name = file.slice(0, -2);
    const src = path.join(genDir, file);
    const bin = path.join(OUT, name);
    const fresh =
      fs.existsSync(bin) && fs.statSync(bin).mtimeMs >= fs.statSync(src).mtimeMs;
    if (!fresh) {
      const r = spawnSync('gcc', ['-O2', '-Wall', '-o', bin, src], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`gcc ${file} failed:\n${r.stderr}${r.error ?? ''}`);
    }
    bins[name] = bin;
  }
  return bins;
}

// ---------------------------------------------------------------------------------
// /proc sampling

export function childrenOf(pid: number): number[] {
  try {
    return fs
      .readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

export interface MemSample {
  rssKb: number;
  hwmKb: number;
}

export function readMem(pid: number): MemSample | undefined {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /VmRSS:\s+(\d+)/.exec(s);
    const hwm = /VmHWM:\s+(\d+)/.exec(s);
    if (!rss || !hwm) return undefined;
    return { rssKb: Number(rss[1]), hwmKb: Number(hwm[1]) };
  } catch {
    return undefined;
  }
}

/** utime+stime of the process itself (not its children), in ms. */
export function readCpuMs(pid: number): number | undefined {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    // after "pid (comm) ": state=0 ... utime=11 stime=12
    return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------
// One timed run

export interface RunOptions {
  argv: string[];
  env?: Record<string, string>;
  cwd?: string;
  /** 'wc': stdout piped into a `wc -l` process; 'capture': read by us (first line, counts). */
  stdout: 'wc' | 'capture' | 'ignore';
  /** argv starts with unshare: the init is unshare's child, found and sampled in /proc. */
  namespaced: boolean;
  /** Sample the init's VmHWM and CPU every `sampleMs` while it runs. */
  sample?: boolean;
  sampleMs?: number;
  /** 'capture' mode: the run counts as ready once this many lines were read. */
  readyLines?: number;
  /** Called once ready (or at once when readyLines is unset and it is given); may signal the init. */
  whenReady?: (run: LiveRun) => Promise<void>;
  timeoutMs: number;
}

export interface LiveRun {
  child: ChildProcess;
  /** The init's pid as seen from outside the namespace (the process itself when not namespaced). */
  initPid: () => Promise<number | undefined>;
  t0: number;
  /** Resolves with the time the spawned process exited (ms on the nowMs clock). */
  exited: Promise<number>;
}

export interface RunResult {
  wallMs: number;
  /** Time the spawned process exited, on the nowMs clock. */
  tExit: number;
  firstLineMs?: number;
  readyMs?: number;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  lines?: number;
  stdout: string; // capped
  stderrTail: string;
  hwmKb?: number;
  cpuMs?: number;
}

const CAPTURE_CAP = 1 << 20;

export async function runOnce(opts: RunOptions): Promise<RunResult> {
  const env = { ...process.env, ...(opts.env ?? {}) };
  let wc: ChildProcess | undefined;
  let wcOut = '';
  let wcClosed: Promise<void> = Promise.resolve();
  if (opts.stdout === 'wc') {
    wc = spawn('wc', ['-l'], { stdio: ['pipe', 'pipe', 'inherit'] });
    wc.stdout!.on('data', (d: Buffer) => (wcOut += d.toString()));
    wcClosed = new Promise((resolve) => wc!.on('close', () => resolve()));
  }
  const stdoutTarget = opts.stdout === 'wc' ? wc!.stdin! : opts.stdout === 'capture' ? 'pipe' : 'ignore';
  const t0 = nowMs();
  const child = spawn(opts.argv[0]!, opts.argv.slice(1), {
    cwd: opts.cwd,
    env,
    stdio: ['ignore', stdoutTarget, 'pipe'],
  });
  if (wc) wc.stdin!.destroy(); // the child holds the only write end now

  const result: RunResult = {
    wallMs: NaN,
    tExit: NaN,
    exitCode: null,
    signal: null,
    timedOut: false,
    stdout: '',
    stderrTail: '',
  };

  let stdoutClosed: Promise<void> = Promise.resolve();
  let readyResolve: () => void = () => {};
  const ready = new Promise<void>((resolve) => (readyResolve = resolve));
  if (opts.stdout === 'capture') {
    let lines = 0;
    stdoutClosed = new Promise((resolve) => child.stdout!.on('close', () => resolve()));
    child.stdout!.on('data', (d: Buffer) => {
      const t = nowMs();
      let nl = 0;
      for (let i = d.indexOf(10); i !== -1; i = d.indexOf(10, i + 1)) nl++;
      if (nl > 0 && result.firstLineMs === undefined) result.firstLineMs = t - t0;
      lines += nl;
      result.lines = lines;
      if (result.stdout.length < CAPTURE_CAP) result.stdout += d.toString();
      if (opts.readyLines !== undefined && lines >= opts.readyLines && result.readyMs === undefined) {
        result.readyMs = t - t0;
        readyResolve();
      }
    });
  }
  child.stderr!.on('data', (d: Buffer) => {
    result.stderrTail = (result.stderrTail + d.toString()).slice(-4000);
  });

  const exited = new Promise<number>((resolve) => {
    child.on('exit', (code, signal) => {
      result.exitCode = code;
      result.signal = signal;
      resolve(nowMs());
    });
  });
  child.on('error', (err) => {
    result.stderrTail += `\nspawn error: ${err.message}`;
  });

  let cachedInit: number | undefined;
  const initPid = async (): Promise<number | undefined> => {
    if (cachedInit !== undefined) return cachedInit;
    if (child.pid === undefined) return undefined;
    if (!opts.namespaced) return (cachedInit = child.pid);
    for (let i = 0; i < 2000; i++) {
      const kids = childrenOf(child.pid);
      if (kids.length > 0) return (cachedInit = kids[0]);
      if (child.exitCode !== null || child.signalCode !== null) return undefined;
      await sleep(1);
    }
    return undefined;
  };

  // Sampling of the init's memory and CPU (the last sample before exit is kept).
  let sampler: NodeJS.Timeout | undefined;
  if (opts.sample) {
    void initPid().then((pid) => {
      if (pid === undefined) return;
      const tick = () => {
        const m = readMem(pid);
        const c = readCpuMs(pid);
        if (m) result.hwmKb = Math.max(result.hwmKb ?? 0, m.hwmKb);
        if (c !== undefined) result.cpuMs = c;
      };
      tick();
      sampler = setInterval(tick, opts.sampleMs ?? 10);
    });
  }

  const timer = setTimeout(() => {
    result.timedOut = true;
    child.kill('SIGKILL'); // unshare --kill-child takes the namespace down with it
  }, opts.timeoutMs);

  const live: LiveRun = { child, initPid, t0, exited };
  if (opts.whenReady) {
    if (opts.readyLines !== undefined) {
      const which = await Promise.race([ready.then(() => 'ready'), exited.then(() => 'exited')]);
      if (which === 'ready') await opts.whenReady(live);
    } else {
      await opts.whenReady(live);
    }
  }

  const tEnd = await exited;
  clearTimeout(timer);
  if (sampler) clearInterval(sampler);
  result.tExit = tEnd;
  result.wallMs = tEnd - t0;
  await stdoutClosed;
  if (wc) {
    await wcClosed;
    const n = Number.parseInt(wcOut.trim(), 10);
    result.lines = Number.isFinite(n) ? n : undefined;
  }
  return result;
}

/** Kills a run's init (SIGTERM, then SIGKILL of the whole namespace after `graceMs`). */
export async function stopRun(live: LiveRun, graceMs = 3000): Promise<void> {
  const pid = await live.initPid();
  if (pid !== undefined) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      /* gone */
    }
  }
  const t = setTimeout(() => live.child.kill('SIGKILL'), graceMs);
  await live.exited;
  clearTimeout(t);
}
