import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The checkout these tests belong to. */
export const REPO = path.resolve(__dirname, '../..');

/** A registry address nothing listens on: an install that needs a registry fails at once. */
const NO_REGISTRY = 'http://127.0.0.1:9/';

/** Runs a command, returning its stdout; throws with its stderr when it fails. */
export function run(file: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {}): string {
  const r = spawnSync(file, args, { encoding: 'utf8', timeout: options.timeout ?? 120000, ...options });
  if (r.error) throw new Error(`${file} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')}: exit ${r.status ?? r.signal}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/**
 * What a fresh clone holds: the files git tracks (and new ones not ignored), nothing built,
 * and node_modules as `npm ci` left it (hard links: nothing here writes into it).
 */
export function freshCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dinit-clone-'));
  const files = run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO })
    .split('\0')
    .filter((f) => f !== '' && fs.existsSync(path.join(REPO, f)));
  for (const file of files) {
    const from = path.join(REPO, file);
    const to = path.join(dir, file);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    const stat = fs.lstatSync(from);
    if (stat.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(from), to);
    else {
      fs.copyFileSync(from, to);
      fs.chmodSync(to, stat.mode);
    }
  }
  run('cp', ['-al', path.join(REPO, 'node_modules'), path.join(dir, 'node_modules')]);
  return dir;
}

/**
 * `npm pack --json` in `dir` (prepack builds); returns the tarball's path in `dest`.
 * Its whole stdout must be npm's JSON: a script that reads it (ours, or a user's release
 * job) breaks if the build's own log lands there too, with or without colours.
 */
export function pack(dir: string, dest: string, env: NodeJS.ProcessEnv = process.env): string {
  fs.mkdirSync(dest, { recursive: true });
  const out = run('npm', ['pack', '--json', '--pack-destination', dest], { cwd: dir, env, timeout: 300000 });
  let parsed: Array<{ filename: string }>;
  try {
    parsed = JSON.parse(out) as Array<{ filename: string }>;
  } catch (err) {
    throw new Error(`npm pack --json printed more than JSON on stdout (${(err as Error).message}):\n${out.slice(0, 400)}`);
  }
  return path.join(dest, parsed[0].filename);
}

/** Paths inside a tarball, without the leading `package/`. */
export function tarList(tarball: string): string[] {
  return run('tar', ['-tzf', tarball])
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.replace(/^package\//, ''));
}

/**
 * Installs a tarball globally into an empty prefix with no registry and no cache: only what
 * the tarball carries can be used (as inside a Docker build with no network).
 * Returns the prefix's bin folder.
 */
export function installOffline(tarball: string): string {
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'dinit-prefix-'));
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'dinit-npm-cache-'));
  try {
    run('npm', ['install', '--global', '--prefix', prefix, '--cache', cache, '--registry', NO_REGISTRY, '--offline', '--no-audit', '--no-fund', tarball], {
      timeout: 120000,
    });
  } finally {
    fs.rmSync(cache, { recursive: true, force: true });
  }
  return path.join(prefix, 'bin');
}

/** The names and targets package.json's "bin" gives (a string means one command named after the package). */
export function binEntries(dir: string): Record<string, string> {
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name: string; bin: string | Record<string, string> };
  return typeof pkg.bin === 'string' ? { [pkg.name]: pkg.bin } : pkg.bin;
}

/** Runs `cmd`, returning its output, exit status and signal (never throws for a failure status). */
export function exec(file: string, args: string[], options: { env?: NodeJS.ProcessEnv; timeout?: number; input?: string } = {}) {
  const r = spawnSync(file, args, { encoding: 'utf8', timeout: options.timeout ?? 60000, env: options.env, input: options.input });
  return { code: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: r.error };
}
