// The benchmark scenarios. Each one runs its programs under dinit and under every
// anchor found (tini, dumb-init), alternating A B A B round by round, plus a physical
// baseline where one makes sense, and returns table rows of raw samples.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  DINIT_CLI,
  NODE,
  OUT,
  UNSHARE,
  nowMs,
  readMem,
  runOnce,
  sleep,
  stopRun,
  type RunResult,
} from './runner';

export type InitName = 'dinit' | 'tini' | 'dumb-init';
export type Column = InitName | 'baseline' | 'node';
export const COLUMNS: readonly Column[] = ['dinit', 'tini', 'dumb-init', 'baseline', 'node'];

export interface Row {
  id: string;
  scenario: string;
  metric: string;
  unit: string;
  samples: Partial<Record<Column, number[]>>;
  /** Go dinit v0.4 reference figure, quoted (not measured here). */
  ref?: string;
  target?: Target;
  /** Problems seen (lost lines, hangs, crashes, odd exits). */
  notes: string[];
}

export interface Target {
  text: string;
  /** true met, false not met, undefined when it cannot be judged (no data). */
  check: (row: Row, rows: ReadonlyMap<string, Row>) => boolean | undefined;
}

export interface Ctx {
  bins: Record<string, string>;
  rounds: number;
  inits: InitName[];
  orphans: number;
  orphanMode: 'clone' | 'fork';
  log: (line: string) => void;
}

export interface Scenario {
  id: string;
  title: string;
  /** Run only when named in --only (a variant of another scenario, e.g. an opt-in feature's cost). */
  optIn?: boolean;
  run: (ctx: Ctx) => Promise<Row[]>;
}

// ---------------------------------------------------------------------------------
// Launching a set of programs under an init

/** A program: an argv, or a /bin/sh script body. */
interface Program {
  name: string;
  argv?: string[];
  script?: string;
}

function shq(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function programBody(p: Program): string {
  return p.script ?? `exec ${p.argv!.map(shq).join(' ')}`;
}

/** A dinit service tree in bench/out/services/<tag>/<name>/run. */
function serviceTree(tag: string, programs: Program[]): string {
  const dir = path.join(OUT, 'services', tag);
  fs.rmSync(dir, { recursive: true, force: true });
  for (const p of programs) {
    const svc = path.join(dir, p.name);
    fs.mkdirSync(svc, { recursive: true });
    const run = path.join(svc, 'run');
    if (p.argv && p.argv.length === 1) {
      fs.symlinkSync(p.argv[0]!, run); // no shell in between, as for the anchors
    } else {
      fs.writeFileSync(run, `#!/bin/sh\n${programBody(p)}\n`, { mode: 0o755 });
    }
  }
  return dir;
}

/** argv running all programs without an init: one directly, several from a sh that waits. */
function bareArgv(tag: string, programs: Program[]): string[] {
  if (programs.length === 1) {
    const p = programs[0]!;
    return p.argv ?? ['/bin/sh', '-c', p.script!];
  }
  const file = path.join(OUT, 'services', `${tag}.sh`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const body = programs.map((p) => `( ${programBody(p)} ) &`).join('\n');
  fs.writeFileSync(file, `#!/bin/sh\n${body}\nwait\n`, { mode: 0o755 });
  return ['/bin/sh', file];
}

interface Launch {
  argv: string[];
  env: Record<string, string>;
  namespaced: boolean;
}

function launch(
  col: Column,
  tag: string,
  programs: Program[],
  dinitEnv: Record<string, string> = {},
): Launch {
  switch (col) {
    case 'dinit':
      return {
        argv: [...UNSHARE, NODE.path, DINIT_CLI],
        env: { DINIT_DIR: serviceTree(tag, programs), DINIT_LOG_LEVEL: 'none', ...dinitEnv },
        namespaced: true,
      };
    case 'tini':
      // -g: signals go to the child's process group (all programs of a multi-program sh).
      return {
        argv: [...UNSHARE, 'tini', '-s', ...(programs.length > 1 ? ['-g'] : []), '--', ...bareArgv(tag, programs)],
        env: {},
        namespaced: true,
      };
    case 'dumb-init':
      return { argv: [...UNSHARE, 'dumb-init', ...bareArgv(tag, programs)], env: {}, namespaced: true };
    case 'baseline':
      return { argv: bareArgv(tag, programs), env: {}, namespaced: false };
    case 'node':
      throw new Error('no launch for node');
  }
}

function push(row: Row, col: Column, v: number | undefined): void {
  if (v === undefined || !Number.isFinite(v)) return;
  (row.samples[col] ??= []).push(v);
}

function newRow(id: string, scenario: string, metric: string, unit: string, extra: Partial<Row> = {}): Row {
  return { id, scenario, metric, unit, samples: {}, notes: [], ...extra };
}

/** Notes a hang, crash or unexpected exit of a run. */
function checkRun(row: Row, col: Column, r: RunResult, okCodes: number[] = [0]): void {
  if (r.timedOut) row.notes.push(`${col}: timed out (hang?) after ${(r.wallMs / 1000).toFixed(1)} s`);
  else if (r.signal) row.notes.push(`${col}: killed by ${r.signal}`);
  else if (r.exitCode !== null && !okCodes.includes(r.exitCode))
    row.notes.push(`${col}: exit code ${r.exitCode}${r.stderrTail ? `; stderr: ${oneLine(r.stderrTail)}` : ''}`);
}

function oneLine(s: string): string {
  const t = s.trim().split('\n').slice(-2).join(' | ');
  return t.length > 200 ? `${t.slice(0, 200)}…` : t;
}

function dedupeNotes(rows: Row[]): Row[] {
  for (const row of rows) {
    const counts = new Map<string, number>();
    for (const n of row.notes) counts.set(n, (counts.get(n) ?? 0) + 1);
    row.notes = [...counts].map(([n, c]) => (c > 1 ? `${n} (×${c})` : n));
  }
  return rows;
}

const initCols = (ctx: Ctx): Column[] => [...ctx.inits];
const MB = 1024;

// ---------------------------------------------------------------------------------
// 1 + 4 + 6: log throughput, flood memory, CPU

interface FloodSpec {
  id: string;
  title: string;
  programs: Program[];
  /** What dinit runs instead of `programs`, when it must differ (see flood-4x). */
  dinitPrograms?: Program[];
  expected: number;
  dinitEnv?: Record<string, string>;
  ref?: string;
  target?: Target;
  cpuRef?: string;
  withMemory?: boolean;
  /** CPU per run instead of per 1M lines (for the 10 KiB lines). */
  cpuPerRun?: boolean;
}

const TARGET_8X_BASELINE: Target = {
  text: 'dinit ≤ 8× baseline',
  check: (row) => ratioOf(row, 'dinit', 'baseline', (r) => r <= 8),
};

function median(xs: number[] | undefined): number | undefined {
  if (!xs || xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1]! + s[m]!) / 2;
}

function ratioOf(row: Row, a: Column, b: Column, ok: (r: number) => boolean): boolean | undefined {
  const x = median(row.samples[a]);
  const y = median(row.samples[b]);
  if (x === undefined || y === undefined || y === 0) return undefined;
  return ok(x / y);
}

function flood(spec: FloodSpec): Scenario {
  return {
    id: spec.id,
    title: spec.title,
    run: async (ctx) => {
      const scen = spec.title;
      const wall = newRow(spec.id, scen, 'wall time, start → init exit (stdout | wc -l)', 'ms', {
        ref: spec.ref,
        target: spec.target,
      });
      const lost = newRow(`${spec.id}-lost`, scen, 'lines lost per run', 'lines', {
        target: { text: 'dinit: 0 in every run', check: (row) => (row.samples.dinit ? Math.max(...row.samples.dinit) === 0 : undefined) },
      });
      const perM = spec.cpuPerRun ? 1 : 1e6 / spec.expected;
      const cpu = newRow(`${spec.id}-cpu`, scen, `init CPU (user+sys) per ${spec.cpuPerRun ? 'run' : '1M lines'}`, 's', {
        ref: spec.cpuRef,
      });
      const hwm = newRow(`${spec.id}-hwm`, scen, 'init peak RSS (VmHWM) during flood', 'MB', {
        ref: '10 MB (tini 1.3 MB)',
        target: {
          text: 'dinit ≤ idle RSS + 32 MiB',
          check: (row, rows) => {
            const peak = median(row.samples.dinit);
            const idle = median(rows.get('memory-rss')?.samples.dinit);
            if (peak === undefined || idle === undefined) return undefined;
            return peak <= idle + 32 * 1.048576; // MB
          },
        },
      });
      const cols: Column[] = [...initCols(ctx), 'baseline'];
      for (let round = 0; round < ctx.rounds; round++) {
        for (const col of cols) {
          const progs = col === 'dinit' && spec.dinitPrograms ? spec.dinitPrograms : spec.programs;
          const l = launch(col, spec.id, progs, spec.dinitEnv);
          const r = await runOnce({
            argv: l.argv,
            env: l.env,
            stdout: 'wc',
            namespaced: l.namespaced,
            sample: l.namespaced,
            sampleMs: 10,
            timeoutMs: 120_000,
          });
          checkRun(wall, col, r);
          const lostN = r.lines === undefined ? undefined : spec.expected - r.lines;
          if (!r.timedOut) push(wall, col, r.wallMs);
          push(lost, col, lostN);
          if (lostN !== undefined && lostN !== 0) lost.notes.push(`${col}: ${lostN} lines lost in round ${round + 1}`);
          if (l.namespaced && r.cpuMs !== undefined) push(cpu, col, (r.cpuMs / 1000) * perM);
          if (l.namespaced && r.hwmKb !== undefined) push(hwm, col, r.hwmKb / MB);
          ctx.log(
            `  ${spec.id} r${round + 1} ${col.padEnd(9)} ${r.wallMs.toFixed(0).padStart(6)} ms  lines ${r.lines ?? '?'}` +
              (r.cpuMs !== undefined ? `  cpu ${(r.cpuMs / 1000).toFixed(2)} s` : '') +
              (r.hwmKb !== undefined ? `  hwm ${(r.hwmKb / MB).toFixed(1)} MB` : '') +
              (r.timedOut ? '  TIMEOUT' : '') +
              (r.exitCode ? `  exit ${r.exitCode}` : ''),
          );
        }
      }
      const rows = [wall, lost, cpu];
      if (spec.withMemory) rows.push(hwm);
      return dedupeNotes(rows);
    },
  };
}

function loggen(ctx: Ctx, count: number, bytes?: number): string[] {
  return [ctx.bins.loggen!, String(count), ...(bytes !== undefined ? [String(bytes)] : [])];
}

// `programs` need ctx (paths of the generators), so the flood scenarios are built lazily.
function floodScenarios(): Scenario[] {
  const lazy = (id: string, title: string, make: (ctx: Ctx) => FloodSpec): Scenario => ({
    id,
    title,
    run: (ctx) => flood(make(ctx)).run(ctx),
  });
  return [
    lazy('flood-json', '1M JSON lines', (ctx) => ({
      id: 'flood-json',
      title: '1M JSON lines',
      programs: [{ name: 'gen', argv: loggen(ctx, 1_000_000) }],
      expected: 1_000_000,
      ref: '1.30 s = 42× raw pipe (0.03 s); loses up to ~1,000 trailing lines in 7 of 10 runs',
      target: TARGET_8X_BASELINE,
      withMemory: true,
    })),
    lazy('flood-text', '1M lines, text mode (DINIT_JSON_STDOUT=0)', (ctx) => ({
      id: 'flood-text',
      title: '1M lines, text mode (DINIT_JSON_STDOUT=0)',
      programs: [{ name: 'gen', argv: loggen(ctx, 1_000_000) }],
      expected: 1_000_000,
      dinitEnv: { DINIT_JSON_STDOUT: '0' },
      ref: '1.51 s (50×)',
      target: TARGET_8X_BASELINE,
    })),
    {
      // DINIT_JSON_STRICT=1 (opt-in): the cost of validating every `{…}` line (only dinit reads it).
      ...lazy('flood-json-strict', '1M JSON lines, DINIT_JSON_STRICT=1', (ctx) => ({
        id: 'flood-json-strict',
        title: '1M JSON lines, DINIT_JSON_STRICT=1',
        programs: [{ name: 'gen', argv: loggen(ctx, 1_000_000) }],
        expected: 1_000_000,
        dinitEnv: { DINIT_JSON_STRICT: '1' },
      })),
      optIn: true,
    },
    lazy('flood-4x', '4 programs × 250k JSON lines', (ctx) => {
      // dinit stops every program as soon as one exits, so under dinit the writers wait
      // (idle) when done and a 5th program, `barrier`, exits once all 4 have finished.
      const fifo = path.join(OUT, 'barrier.fifo');
      if (!fs.existsSync(fifo)) spawnSync('mkfifo', [fifo]);
      return {
        id: 'flood-4x',
        title: '4 programs × 250k JSON lines',
        programs: [1, 2, 3, 4].map((i) => ({ name: `gen${i}`, argv: loggen(ctx, 250_000) })),
        dinitPrograms: [
          ...[1, 2, 3, 4].map((i) => ({ name: `gen${i}`, argv: [...loggen(ctx, 250_000, 0), fifo] })),
          { name: 'barrier', argv: [ctx.bins.barrier!, fifo, '4'] },
        ],
        expected: 1_000_000,
      };
    }),
    lazy('flood-10k', '100k lines of 10 KiB (JSON)', (ctx) => ({
      id: 'flood-10k',
      title: '100k lines of 10 KiB (JSON)',
      programs: [{ name: 'gen', argv: loggen(ctx, 100_000, 10240) }],
      expected: 100_000,
      cpuPerRun: true,
    })),
  ];
}

// ---------------------------------------------------------------------------------
// 2: orphan storm

function parseFields(stdout: string, key: string): Record<string, number> | undefined {
  const line = stdout.split('\n').find((l) => l.includes(`"${key}":`));
  if (!line) return undefined;
  const out: Record<string, number> = {};
  for (const m of line.matchAll(/"(\w+)":(-?[\d.]+)/g)) out[m[1]!] = Number(m[2]);
  return out;
}

const orphanStorm: Scenario = {
  id: 'orphans',
  title: 'Orphan storm',
  run: async (ctx) => {
    const scen = `Orphan storm (${ctx.orphans.toLocaleString('en')} double-forked orphans exit at once)`;
    const after = newRow('orphans-after', scen, 'last orphan exit → no zombie left', 'ms', {
      ref: '~11 ms (tini/dumb-init ~0.4 ms)',
      target: {
        text: 'dinit ≤ 3 ms',
        check: (row) => {
          const m = median(row.samples.dinit);
          return m === undefined ? undefined : m <= 3;
        },
      },
    });
    const clear = newRow('orphans-clear', scen, 'release → no zombie left', 'ms');
    const peak = newRow('orphans-peak', scen, 'peak zombie count', 'zombies');
    const programs: Program[] = [
      { name: 'storm', argv: [ctx.bins.orphans!, String(ctx.orphans), '20000', ctx.orphanMode] },
    ];
    for (let round = 0; round < ctx.rounds; round++) {
      for (const col of initCols(ctx)) {
        const l = launch(col, 'orphans', programs);
        const r = await runOnce({ argv: l.argv, env: l.env, stdout: 'capture', namespaced: true, timeoutMs: 120_000 });
        checkRun(after, col, r);
        const f = parseFields(r.stdout, 'orphans');
        if (!f) {
          after.notes.push(`${col}: no result line from the storm program`);
          continue;
        }
        push(after, col, f.after_last_exit_ms);
        push(clear, col, f.release_to_clear_ms);
        push(peak, col, f.peak_zombies);
        if (f.early_gone) after.notes.push(`${col}: ${f.early_gone} orphans gone before they were released`);
        if (f.timeout || f.left) after.notes.push(`${col}: ${f.left} orphans never reaped (timeout)`);
        if (f.proc_zombies) after.notes.push(`${col}: ${f.proc_zombies} zombies in /proc after the storm`);
        ctx.log(
          `  orphans r${round + 1} ${col.padEnd(9)} create ${f.create_ms?.toFixed(0)} ms, release→clear ${f.release_to_clear_ms?.toFixed(1)} ms, ` +
            `after last exit ${f.after_last_exit_ms?.toFixed(2)} ms, peak ${f.peak_zombies} zombies`,
        );
      }
    }
    return dedupeNotes([after, clear, peak]);
  },
};

// ---------------------------------------------------------------------------------
// 3: start-up

const startup: Scenario = {
  id: 'startup',
  title: 'Start-up',
  run: async (ctx) => {
    const row = newRow('startup', 'Start-up', 'exec → first program line on stdout', 'ms', {
      ref: '3.4 ms (tini 2.6 ms)',
      target: { text: 'dinit ≤ 1.5× node -e 0', check: (r) => ratioOf(r, 'dinit', 'node', (x) => x <= 1.5) },
    });
    const programs: Program[] = [{ name: 'hello', argv: [ctx.bins.firstline!] }];
    const rounds = Math.max(ctx.rounds * 2, 6);
    for (let round = 0; round < rounds; round++) {
      for (const col of [...initCols(ctx), 'baseline', 'node'] as Column[]) {
        let argv: string[];
        let env: Record<string, string> = {};
        if (col === 'node') argv = [...UNSHARE, NODE.path, '-e', '0'];
        else if (col === 'baseline') argv = [...UNSHARE, ctx.bins.firstline!];
        else ({ argv, env } = launch(col, 'startup', programs));
        const r = await runOnce({ argv, env, stdout: 'capture', namespaced: true, timeoutMs: 30_000 });
        checkRun(row, col, r);
        push(row, col, col === 'node' ? r.wallMs : r.firstLineMs);
        if (col !== 'node' && r.firstLineMs === undefined) row.notes.push(`${col}: no line on stdout`);
      }
    }
    return dedupeNotes([row]);
  },
};

// ---------------------------------------------------------------------------------
// 4: memory with idle programs

function idlePrograms(n: number): Program[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `idle${String(i + 1).padStart(2, '0')}`,
    script: `echo '{"msg":"up"}'\nexec sleep 1000`,
  }));
}

const memory: Scenario = {
  id: 'memory',
  title: 'Memory',
  run: async (ctx) => {
    const scen = 'Memory, 10 idle programs (sleep)';
    const rss = newRow('memory-rss', scen, 'init RSS (VmRSS) when idle', 'MB', {
      ref: '4.7 MB (tini 1.3 MB)',
      target: {
        text: "dinit ≤ 1.3× node idle (`node -e 'setInterval(()=>{},1000)'`)",
        check: (r) => ratioOf(r, 'dinit', 'node', (x) => x <= 1.3),
      },
    });
    const programs = idlePrograms(10);
    const rounds = Math.max(Math.ceil(ctx.rounds / 2), 2);
    for (let round = 0; round < rounds; round++) {
      for (const col of [...initCols(ctx), 'node'] as Column[]) {
        let argv: string[];
        let env: Record<string, string> = {};
        const isNode = col === 'node';
        if (isNode) argv = [...UNSHARE, NODE.path, '-e', 'setInterval(()=>{},1000)'];
        else ({ argv, env } = launch(col, 'memory', programs));
        const r = await runOnce({
          argv,
          env,
          stdout: 'capture',
          namespaced: true,
          readyLines: isNode ? undefined : programs.length,
          timeoutMs: 30_000,
          whenReady: async (live) => {
            if (isNode) await sleep(300); // no ready line: node is up well before this
            await sleep(700);
            const pid = await live.initPid();
            const m = pid === undefined ? undefined : readMem(pid);
            if (m) push(rss, col, m.rssKb / MB);
            if (isNode) {
              // node as PID 1 has no SIGTERM handler, so SIGTERM would be ignored.
              if (pid !== undefined) process.kill(pid, 'SIGKILL');
              await live.exited;
            } else {
              await stopRun(live);
            }
          },
        });
        if (r.timedOut || (r.signal && !isNode)) checkRun(rss, col, r);
        if (!isNode && r.readyMs === undefined) rss.notes.push(`${col}: programs did not all start`);
      }
    }
    return dedupeNotes([rss]);
  },
};

// ---------------------------------------------------------------------------------
// 5: shutdown

const shutdown: Scenario = {
  id: 'shutdown',
  title: 'Shutdown',
  run: async (ctx) => {
    const row = newRow('shutdown', 'Shutdown, 20 idle programs (exec sleep 1000)', 'SIGTERM to init → init exit', 'ms', {
      ref: '8.8 ms median, ~100 ms tails (tini 0.8 ms)',
      target: {
        text: 'dinit median ≤ baseline + 5 ms, max ≤ 20 ms',
        check: (r) => {
          const d = r.samples.dinit;
          const b = median(r.samples.baseline);
          if (!d || d.length === 0 || b === undefined) return undefined;
          return median(d)! - b <= 5 && Math.max(...d) <= 20;
        },
      },
    });
    const programs = idlePrograms(20);
    const rounds = Math.max(ctx.rounds * 2, 6);
    for (let round = 0; round < rounds; round++) {
      for (const col of [...initCols(ctx), 'baseline'] as Column[]) {
        if (col === 'baseline') {
          // The programs' own exit: 20 sleeps, each sent SIGTERM and reaped by their parent.
          const r = await runOnce({ argv: [ctx.bins.shutbase!, '20'], stdout: 'capture', namespaced: false, timeoutMs: 30_000 });
          const f = parseFields(r.stdout, 'shutdown_ns');
          push(row, col, f ? f.shutdown_ns! / 1e6 : undefined);
          continue;
        }
        const { argv, env } = launch(col, 'shutdown', programs);
        let tKill = NaN;
        const r = await runOnce({
          argv,
          env,
          stdout: 'capture',
          namespaced: true,
          readyLines: programs.length,
          timeoutMs: 30_000,
          whenReady: async (live) => {
            await sleep(300); // let the last `exec sleep` happen
            const pid = await live.initPid();
            if (pid === undefined) return;
            tKill = nowMs();
            process.kill(pid, 'SIGTERM');
          },
        });
        // tini/dumb-init exit with the signal status of their child (143); dinit exits 0.
        checkRun(row, col, r, col === 'dinit' ? [0] : [0, 143]);
        if (r.readyMs === undefined) row.notes.push(`${col}: programs did not all start`);
        else if (!r.timedOut && Number.isFinite(tKill)) push(row, col, r.tExit - tKill);
      }
    }
    return dedupeNotes([row]);
  },
};

export function scenarios(): Scenario[] {
  return [...floodScenarios(), orphanStorm, startup, memory, shutdown];
}
