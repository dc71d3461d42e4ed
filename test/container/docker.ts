import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO, pack } from './pack';

// What the container suite shares: the docker client, the packed dinit, the example images
// (every examples/**/Dockerfile*, built with examples/ as context, as their headers say) and
// a test image with service trees for the scenarios. Every call has a deadline.

/** Debian's client matches its dockerd (20.10); another `docker` earlier in PATH may be newer. */
export const DOCKER = process.env.DOCKER ?? (fs.existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker');

/** The Node line the scenarios run on (the examples' default). */
export const NODE_MAJOR = process.env.DINIT_TEST_NODE_MAJOR ?? '24';

export interface Done {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `docker <args>`; never throws for a failure status (the caller asserts it). */
export function docker(args: string[], options: { timeout?: number; input?: string } = {}): Done {
  const r = spawnSync(DOCKER, args, { encoding: 'utf8', timeout: options.timeout ?? 60000, input: options.input, maxBuffer: 64 << 20 });
  if (r.error) throw new Error(`docker ${args.join(' ')}: ${r.error.message}`);
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Like `docker` but throws unless it exits 0; returns stdout. */
export function dockerOk(args: string[], options: { timeout?: number } = {}): string {
  const r = docker(args, options);
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')}: exit ${r.code ?? r.signal}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

export function imageExists(tag: string): boolean {
  return docker(['image', 'inspect', tag]).code === 0;
}

/** The packed dinit: DINIT_TEST_TARBALL (scripts/docker-test.sh packs once), else packed now. */
export function tarball(): string {
  const given = process.env.DINIT_TEST_TARBALL;
  if (given) return given;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dinit-tgz-'));
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return pack(REPO, dir);
}

/** Every examples/**\/Dockerfile* (relative to examples/), found anew on each run. */
export function exampleDockerfiles(): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(path.join(REPO, 'examples', dir), { withFileTypes: true })) {
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (entry.isFile() && entry.name.startsWith('Dockerfile')) found.push(rel);
    }
  };
  walk('');
  return found.sort();
}

/** The base image a Dockerfile builds FROM, with its NODE_MAJOR argument applied. */
export function baseImage(dockerfile: string, major: string): string {
  const text = fs.readFileSync(path.join(REPO, 'examples', dockerfile), 'utf8');
  const from = /^FROM\s+(\S+)/m.exec(text);
  if (!from) throw new Error(`${dockerfile}: no FROM line`);
  return from[1].replace('${NODE_MAJOR}', major);
}

/** Tag of an example image: examples/Dockerfile → dinit-example/default:24, bundle/Dockerfile → …/bundle:24. */
export function exampleTag(dockerfile: string, major: string): string {
  const dir = path.dirname(dockerfile);
  const suffix = path.basename(dockerfile).replace(/^Dockerfile\.?/, '');
  const name = [dir === '.' ? '' : dir.replaceAll('/', '-'), suffix].filter(Boolean).join('-') || 'default';
  return `dinit-example/${name}:${major}`;
}

let context: string | undefined;

/** examples/ copied with the packed dinit in it: the build context every example documents. */
export function examplesContext(): string {
  if (context) return context;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dinit-examples-'));
  context = dir;
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  fs.cpSync(path.join(REPO, 'examples'), dir, { recursive: true, verbatimSymlinks: true });
  fs.copyFileSync(tarball(), path.join(dir, 'dinit-0.0.0-test.tgz'));
  return dir;
}

/** Builds one example exactly as its header says (no network: the install is offline). */
export function buildExample(dockerfile: string, major: string): Done {
  return docker(
    ['build', '--network', 'none', '--build-arg', `NODE_MAJOR=${major}`, '-f', path.join(examplesContext(), dockerfile), '-t', exampleTag(dockerfile, major), examplesContext()],
    { timeout: 300000 },
  );
}

/** Service trees for the scenarios: tree name → service → file → script. */
export type Trees = Record<string, Record<string, Record<string, string>>>;

/**
 * The scenario image: the default example plus /trees/<name>/<service>/… (pick one with
 * `-e DINIT_DIR=/trees/<name>`). Built once per test file; Docker's cache makes rebuilds cheap.
 */
export function buildScenarioImage(tag: string, trees: Trees, extra = ''): void {
  // Always rebuilt (from Docker's cache when the tarball is the same): it must hold this dinit.
  const base = exampleTag('Dockerfile', NODE_MAJOR);
  const r = buildExample('Dockerfile', NODE_MAJOR);
  if (r.code !== 0) throw new Error(`building ${base}: ${r.stderr}`);
  const ctx = fs.mkdtempSync(path.join(os.tmpdir(), 'dinit-scenarios-'));
  for (const [tree, services] of Object.entries(trees)) {
    for (const [service, files] of Object.entries(services)) {
      for (const [rel, text] of Object.entries(files)) {
        const file = path.join(ctx, 'trees', tree, service, rel);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, text.startsWith('#!') ? text : `#!/bin/sh\n${text}\n`, { mode: 0o755 });
      }
    }
  }
  fs.writeFileSync(path.join(ctx, 'Dockerfile'), `FROM ${base}\nCOPY trees/ /trees/\n${extra}`);
  dockerOk(['build', '--network', 'none', '-t', tag, ctx], { timeout: 300000 });
  fs.rmSync(ctx, { recursive: true, force: true });
}

const started: string[] = [];

/** `docker run -d` with a unique name and --network none (unless flags name a network); removed by `removeAll`. */
export function runDetached(image: string, flags: string[] = [], command: string[] = []): string {
  const name = `dinit-test-${process.pid}-${started.length}`;
  started.push(name);
  const network = flags.includes('--network') ? [] : ['--network', 'none'];
  dockerOk(['run', '-d', '--name', name, ...network, ...flags, image, ...command]);
  return name;
}

/** Removes every container this process started (force: they may still run). */
export function removeAll(): void {
  if (started.length > 0) docker(['rm', '-f', ...started.splice(0)], { timeout: 120000 });
}

/** `docker logs` split: stdout and stderr as the container wrote them. */
export function logs(name: string): { stdout: string; stderr: string } {
  const r = docker(['logs', name]);
  return { stdout: r.stdout, stderr: r.stderr };
}

/** Polls `probe` every 100 ms until it returns a value; throws after `ms`, saying what it waited for. */
export async function until<T>(what: string, probe: () => T | undefined | false, ms = 20000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits until the container's logs (stdout+stderr) contain a line matching `pattern`. */
export function waitForLog(name: string, pattern: RegExp, ms = 20000): Promise<string> {
  return until(`${pattern} in the logs of ${name}`, () => {
    const { stdout, stderr } = logs(name);
    return (stderr + '\n' + stdout).split('\n').find((l) => pattern.test(l));
  }, ms);
}

/** Waits for the container to stop; returns its exit code. */
export function waitExit(name: string, ms = 30000): number {
  const code = dockerOk(['wait', name], { timeout: ms }).trim();
  return Number(code);
}

/** Inspects one field with a Go template. */
export function inspect(name: string, template: string): string {
  return dockerOk(['inspect', '-f', template, name]).trim();
}

/** Dinit's own lines and the programs' lines with the timestamp cut off. */
export function untimed(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.replace(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /, ''));
}
