// CPU profile of dinit during a log flood: runs dinit (as PID 1, like the bench) under
// `node --cpu-prof`, writes the .cpuprofile to bench/out/prof/, and prints the top
// functions by self time, mapped back to src/ through dist/cli.js.map.
//
//   node --import tsx bench/profile.ts [--text] [--lines N] [--bytes B] [--top K] [--file X.cpuprofile]
//   node --import tsx bench/profile.ts --orphans N     (profile the orphan storm instead)

import * as fs from 'node:fs';
import * as path from 'node:path';
import { DINIT_CLI, OUT, UNSHARE, buildGenerators, runOnce } from './runner';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

// --- minimal source-map (v3) lookup -------------------------------------------------

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function decodeVlq(s: string): number[] {
  const out: number[] = [];
  let value = 0;
  let shift = 0;
  for (const ch of s) {
    const d = B64.indexOf(ch);
    value += (d & 31) << shift;
    if (d & 32) shift += 5;
    else {
      out.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return out;
}

type Seg = [col: number, src: number, line: number, srcCol: number];

class SourceMap {
  private lines: Seg[][] = [];
  constructor(private map: { sources: string[]; mappings: string }) {
    let src = 0;
    let line = 0;
    let col = 0;
    for (const l of map.mappings.split(';')) {
      const segs: Seg[] = [];
      let gcol = 0;
      for (const seg of l.split(',')) {
        if (!seg) continue;
        const v = decodeVlq(seg);
        gcol += v[0]!;
        if (v.length >= 4) {
          src += v[1]!;
          line += v[2]!;
          col += v[3]!;
          segs.push([gcol, src, line, col]);
        }
      }
      this.lines.push(segs);
    }
  }
  /** 0-based generated line/column → "src/file.ts:line" (1-based). */
  lookup(line: number, col: number): string | undefined {
    const segs = this.lines[line];
    if (!segs || segs.length === 0) return undefined;
    let best: Seg | undefined;
    for (const s of segs) {
      if (s[0] <= col) best = s;
      else break;
    }
    best ??= segs[0]!;
    const file = this.map.sources[best[1]]!.replace(/^(\.\.\/)+/, '');
    return `${file}:${best[2] + 1}`;
  }
}

// --- profile summary -------------------------------------------------------------------

export interface HotEntry {
  name: string;
  where: string;
  selfMs: number;
  pct: number;
}

export function summarizeProfile(file: string, top = 20): { totalMs: number; entries: HotEntry[] } {
  const prof = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < prof.samples.length; i++) {
    const id = prof.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0));
  }
  const mapFile = `${DINIT_CLI}.map`;
  const sm = fs.existsSync(mapFile) ? new SourceMap(JSON.parse(fs.readFileSync(mapFile, 'utf8'))) : undefined;
  const agg = new Map<string, HotEntry>();
  let total = 0;
  for (const [id, us] of self) {
    const n = byId.get(id)!;
    const cf = n.callFrame;
    total += us;
    let where = cf.url ? `${path.basename(cf.url)}:${cf.lineNumber + 1}` : '';
    if (sm && cf.url.endsWith('/dist/cli.js')) where = sm.lookup(cf.lineNumber, cf.columnNumber) ?? where;
    else if (cf.url.startsWith('node:')) where = `${cf.url}:${cf.lineNumber + 1}`;
    const name = cf.functionName || '(anonymous)';
    const key = `${name}@${where}`;
    const e = agg.get(key) ?? { name, where, selfMs: 0, pct: 0 };
    e.selfMs += us / 1000;
    agg.set(key, e);
  }
  const entries = [...agg.values()].sort((a, b) => b.selfMs - a.selfMs).slice(0, top);
  for (const e of entries) e.pct = (e.selfMs * 1000 * 100) / total;
  return { totalMs: total / 1000, entries };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const opt = (k: string, d: string) => {
    const i = argv.indexOf(k);
    return i === -1 ? d : argv[i + 1]!;
  };
  const top = Number(opt('--top', '20'));
  const existing = argv.includes('--file') ? opt('--file', '') : undefined;
  let file: string;
  if (existing) file = existing;
  else {
    const text = argv.includes('--text');
    const orphans = argv.includes('--orphans') ? Number(opt('--orphans', '10000')) : 0;
    const lines = Number(opt('--lines', '1000000'));
    const bytes = opt('--bytes', '0');
    const bins = buildGenerators();
    const profDir = path.join(OUT, 'prof');
    fs.mkdirSync(profDir, { recursive: true });
    const tag = `${orphans ? 'orphans' : `flood-${text ? 'text' : 'json'}`}-${Date.now()}`;
    const svc = path.join(OUT, 'services', 'profile', 'gen');
    fs.rmSync(path.dirname(svc), { recursive: true, force: true });
    fs.mkdirSync(svc, { recursive: true });
    const cmd = orphans ? `${bins.orphans} ${orphans} 20000 clone` : `${bins.loggen} ${lines} ${bytes}`;
    fs.writeFileSync(path.join(svc, 'run'), `#!/bin/sh\nexec ${cmd}\n`, { mode: 0o755 });
    const r = await runOnce({
      argv: [...UNSHARE, process.execPath, '--cpu-prof', `--cpu-prof-dir=${profDir}`, `--cpu-prof-name=${tag}.cpuprofile`, DINIT_CLI],
      env: { DINIT_DIR: path.dirname(svc), DINIT_LOG_LEVEL: 'none', ...(text ? { DINIT_JSON_STDOUT: '0' } : {}) },
      stdout: orphans ? 'capture' : 'wc',
      namespaced: true,
      sample: true,
      timeoutMs: 300_000,
    });
    if (orphans) console.log(r.stdout.trim());
    console.log(
      `${orphans ? `orphan storm (${orphans})` : `flood (${text ? 'text' : 'JSON'}, ${lines} lines)`} under --cpu-prof: ` +
        `${r.wallMs.toFixed(0)} ms, ${r.lines} lines out, ` +
        `init CPU ${((r.cpuMs ?? NaN) / 1000).toFixed(2)} s, exit ${r.exitCode}`,
    );
    file = path.join(profDir, `${tag}.cpuprofile`);
    if (!fs.existsSync(file)) throw new Error(`no profile written (${file}); stderr: ${r.stderrTail}`);
  }
  const { totalMs, entries } = summarizeProfile(file, top);
  console.log(`profile ${file}: ${totalMs.toFixed(0)} ms sampled; top ${entries.length} by self time:`);
  for (const e of entries) {
    console.log(`  ${e.pct.toFixed(1).padStart(5)}%  ${e.selfMs.toFixed(0).padStart(6)} ms  ${e.name}  ${e.where}`);
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(`profile failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
