// `npm run bench`: dinit against tini, dumb-init and no init, see bench/README.md.
//
//   npm run bench -- [--rounds N] [--only flood-json,orphans,...] [--inits dinit,tini]
//                    [--orphans N] [--orphan-mode clone|fork] [--no-write | --write] [--node PATH]

import * as fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { DINIT_CLI, NODE, buildGenerators, nowMs, useNode, which } from './runner';
import { scenarios, type Ctx, type InitName, type Row } from './scenarios';
import { consoleReport, judge, markdown, writeBenchmarks, BENCHMARKS_MD } from './report';

interface Args {
  rounds: number;
  only?: string[];
  inits?: string[];
  orphans: number;
  orphanMode: 'clone' | 'fork';
  write?: boolean;
  node?: string;
}

function usage(): never {
  const ids = scenarios().map((s) => s.id).join(', ');
  console.log(`usage: npm run bench -- [options]
  --rounds N            rounds per scenario (default 4; env BENCH_ROUNDS)
  --only a,b            scenarios to run: ${ids}
  --inits a,b           inits to run: dinit, tini, dumb-init (default: all found)
  --orphans N           orphans in the storm (default 10000)
  --orphan-mode M       clone (default: clone(CLONE_VM) double fork, fast to set up) or fork
  --no-write / --write  do not / do update BENCHMARKS.md (default: update only when
                        every scenario ran, i.e. without --only)
  --node PATH           the node binary that runs dinit and the node column (default: the
                        one running the bench; env BENCH_NODE), e.g. one printed by
                        scripts/node-versions.sh`);
  process.exit(0);
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    rounds: Number(process.env.BENCH_ROUNDS ?? 4),
    orphans: 10_000,
    orphanMode: 'clone',
    node: process.env.BENCH_NODE || undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!;
    const v = () => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${k} needs a value`);
      return x;
    };
    if (k === '--rounds') a.rounds = Number(v());
    else if (k === '--only') a.only = v().split(',');
    else if (k === '--inits') a.inits = v().split(',');
    else if (k === '--orphans') a.orphans = Number(v());
    else if (k === '--orphan-mode') a.orphanMode = v() === 'fork' ? 'fork' : 'clone';
    else if (k === '--no-write') a.write = false;
    else if (k === '--write') a.write = true;
    else if (k === '--node') a.node = v();
    else if (k === '--help' || k === '-h') usage();
    else throw new Error(`unknown option ${k} (try --help)`);
  }
  if (!(a.rounds >= 1)) throw new Error('--rounds must be ≥ 1');
  return a;
}

function preflight(): void {
  for (const cmd of ['unshare', 'gcc', 'wc', 'sleep']) {
    if (!which(cmd)) throw new Error(`${cmd} not found: the benchmark needs it`);
  }
  const r = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'sleep', '0'], { encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(`unshare --pid --fork --mount-proc does not work here (needs root or user namespaces): ${r.stderr.trim()}`);
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.node) useNode(args.node);
  preflight();
  const started = nowMs();

  const wanted: InitName[] = (args.inits ?? ['dinit', 'tini', 'dumb-init']) as InitName[];
  const inits: InitName[] = [];
  const missing: string[] = [];
  for (const i of wanted) {
    if (i === 'dinit') {
      if (fs.existsSync(DINIT_CLI)) inits.push(i);
      else {
        console.warn(`! ${DINIT_CLI} not found: run \`npm run build\` first; dinit skipped.`);
        missing.push('dinit (not built)');
      }
    } else if (which(i)) inits.push(i);
    else missing.push(i);
  }
  const anchorsMissing = missing.filter((m) => m === 'tini' || m === 'dumb-init');
  if (anchorsMissing.length > 0) {
    console.warn(
      `! anchor(s) not installed: ${anchorsMissing.join(', ')}. Install them with:\n` +
        `    apt-get update && apt-get install -y ${anchorsMissing.join(' ')}     # Debian/Ubuntu\n` +
        `    apk add ${anchorsMissing.join(' ')}                                  # Alpine\n` +
        '  Continuing with the inits present.',
    );
  }
  if (inits.length === 0) throw new Error('no init to benchmark');

  const bins = buildGenerators();
  const ctx: Ctx = {
    bins,
    rounds: args.rounds,
    inits,
    orphans: args.orphans,
    orphanMode: args.orphanMode,
    log: (line) => console.log(line),
  };

  const all = scenarios();
  const selected = args.only ? all.filter((s) => args.only!.includes(s.id)) : all.filter((s) => !s.optIn);
  if (args.only && selected.length !== args.only.length) {
    throw new Error(`unknown scenario in --only; known: ${all.map((s) => s.id).join(', ')}`);
  }
  console.log(`dinit bench: Node ${NODE.version} (${NODE.path}); inits ${inits.join(', ')}; ${args.rounds} rounds; scenarios ${selected.map((s) => s.id).join(', ')}`);

  const rows: Row[] = [];
  for (const s of selected) {
    const t = nowMs();
    console.log(`\n# ${s.title}`);
    rows.push(...(await s.run(ctx)));
    console.log(`  (${((nowMs() - t) / 1000).toFixed(1)} s)`);
  }

  const judged = judge(rows);
  console.log(consoleReport(judged));
  console.log('\nTargets:');
  for (const j of judged.filter((x) => x.row.target)) {
    console.log(`  ${j.met === undefined ? 'n/a    ' : j.met ? 'met    ' : 'NOT met'}  ${j.row.scenario}: ${j.row.target!.text}`);
  }
  const durationS = (nowMs() - started) / 1000;
  const cmd = ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' ');
  const md = markdown(judged, {
    command: cmd,
    rounds: args.rounds,
    orphans: args.orphans,
    orphanMode: args.orphanMode,
    durationS,
    inits,
    missing,
  });
  if (args.write ?? !args.only) {
    writeBenchmarks(md);
    console.log(`\nwrote ${BENCHMARKS_MD}`);
  }
  console.log(`whole run: ${durationS.toFixed(1)} s`);
}

main().catch((err: unknown) => {
  console.error(`bench failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
