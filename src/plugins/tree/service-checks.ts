import fs = require('node:fs');
import path = require('node:path');
import { describeError } from '../../kernel/errors';
import { escapeControl } from '../../kernel/escape';
import { listTree, shownPath, type TreeEntry } from './service-names';
import { TERMINATE_FILES } from '../lifecycle/terminate-file';

/**
 * Pre-flight checks of a runit-style service tree, shared by `runit-dir` (at start-up, so a
 * broken tree stops dinit before any program starts) and `dinit check` (in a Dockerfile).
 * Only the file system is read: nothing is executed.
 */

/** One thing wrong with the tree: printed as `<path>: <reason>`. */
export interface Problem {
  path: string;
  reason: string;
}

export interface TreeScan {
  /** Absolute path of the tree. */
  root: string;
  /** Service folders, in name order (what `runit-dir` starts): names escaped, `dir` a path that reaches it (service-names.ts). */
  services: Array<{ name: string; dir: string; entry: TreeEntry }>;
  /** Entries that are not services (not a directory), as Go dinit skips them. Dot entries are not listed. */
  skipped: string[];
  /** Problems with the tree itself or its entries (a broken symbolic link). */
  problems: Problem[];
}

export interface CheckOptions {
  /** Also check `terminate` / `finish` (the stop programs of `terminate-file`). */
  stopFiles?: boolean;
  /** Also check `check` (the readiness probe of the `readiness` plugin). */
  checkFile?: boolean;
}

/** `<path>: <reason>`, on one line whatever the path holds. */
export function formatProblem(problem: Problem): string {
  return `${escapeControl(problem.path)}: ${problem.reason}`;
}

// Control characters written C-style (`\n`, `\x1b`), so a name or path always stays on one line.
export { escapeControl };

/**
 * Lists the services of a tree the way Go dinit does: entries starting with `.` are ignored,
 * entries that are not directories (after following symbolic links) are skipped, the rest
 * are services. A tree that cannot be listed is a problem of the root.
 */
export function scanTree(dir: string): TreeScan {
  const root = path.resolve(dir);
  const scan: TreeScan = { root, services: [], skipped: [], problems: [] };
  let entries: TreeEntry[];
  try {
    entries = listTree(root);
  } catch (error) {
    scan.problems.push({ path: root, reason: `cannot read service directory: ${describeError(error)}` });
    return scan;
  }
  for (const entry of entries) {
    const problems: Problem[] = [];
    const stat = statOrProblem(entry.bytes, problems);
    scan.problems.push(...problems.map((p) => ({ ...p, path: entry.shown })));
    if (!stat) continue;
    if (stat.isDirectory()) scan.services.push({ name: entry.name, dir: entry.path, entry });
    else scan.skipped.push(entry.shown);
  }
  return scan;
}

/**
 * Everything wrong with one service folder: `run` (required), `log` and `log/run`, and optionally
 * the stop programs. With `entry`, paths are reported as shown (a non-UTF-8 name escaped).
 */
export function checkService(dir: string, options: CheckOptions = {}, entry?: TreeEntry): Problem[] {
  const problems = checkFolder(dir, options);
  return entry ? problems.map((p) => ({ ...p, path: shownPath(entry, p.path) })) : problems;
}

function checkFolder(dir: string, options: CheckOptions): Problem[] {
  const problems: Problem[] = [];
  try {
    fs.accessSync(dir, fs.constants.R_OK | fs.constants.X_OK);
  } catch (error) {
    problems.push({ path: dir, reason: `cannot read service directory: ${describeError(error)}` });
    return problems;
  }
  checkProgram(path.join(dir, 'run'), problems, 'every service needs an executable run file');
  const logDir = path.join(dir, 'log');
  if (lstatOrUndefined(logDir)) {
    const stat = statOrProblem(logDir, problems);
    if (stat && !stat.isDirectory()) {
      problems.push({ path: logDir, reason: 'not a directory (a log program goes in log/run)' });
    } else if (stat) {
      // A missing log/run is fine: checkProgram reports nothing without a `missing` reason.
      checkProgram(path.join(logDir, 'run'), problems);
    }
  }
  if (options.checkFile) checkProgram(path.join(dir, 'check'), problems);
  if (options.stopFiles) {
    for (const name of TERMINATE_FILES) {
      checkProgram(path.join(dir, name), problems);
    }
  }
  return problems;
}

/**
 * Whether `execve(file)` would work, as far as the file system can tell: a regular,
 * executable file that starts with `#!` (and names an interpreter that exists) or is an
 * ELF binary for this machine. Anything else fails with ENOEXEC — which Node would hide by
 * running it with /bin/sh. `missing` is the hint when the file does not exist (else it is no problem).
 */
export function checkProgram(file: string, problems: Problem[], missing?: string): void {
  const link = lstatOrUndefined(file);
  if (!link) {
    if (missing) problems.push({ path: file, reason: `not found (${missing})` });
    return;
  }
  const stat = statOrProblem(file, problems);
  if (!stat) return;
  if (stat.isDirectory()) return void problems.push({ path: file, reason: 'is a directory, not a program' });
  if (!stat.isFile()) return void problems.push({ path: file, reason: 'not a regular file' });
  try {
    fs.accessSync(file, fs.constants.X_OK);
  } catch {
    const mode = (stat.mode & 0o7777).toString(8).padStart(4, '0');
    return void problems.push({ path: file, reason: `not executable (mode ${mode}; chmod +x it)` });
  }
  let head: Buffer;
  try {
    head = readHead(file, 256);
  } catch {
    // Execute-only (not readable) for this user: only an ELF binary can run that way; let exec decide.
    return;
  }
  const reason = headProblem(head);
  if (reason) problems.push({ path: file, reason });
}

/** Why the first bytes of a file cannot be executed here, or undefined when they can. */
export function headProblem(head: Buffer): string | undefined {
  if (head.length === 0) return 'empty file: exec would fail with "exec format error"';
  if (head[0] === 0x23 && head[1] === 0x21) return interpreterProblem(head);
  if (head.length >= 20 && head[0] === 0x7f && head.toString('latin1', 1, 4) === 'ELF') return elfProblem(head);
  return 'no "#!" line and not an ELF binary: exec would fail with "exec format error"';
}

function interpreterProblem(head: Buffer): string | undefined {
  const end = head.indexOf(0x0a);
  const line = head.toString('utf8', 2, end === -1 ? head.length : end);
  const crlf = line.endsWith('\r');
  const interpreter = line.replace(/^[ \t]+/, '').split(/[ \t]/)[0];
  if (interpreter === '' || interpreter === '\r') return 'the "#!" line names no interpreter';
  const shown = JSON.stringify(interpreter);
  if (!path.isAbsolute(interpreter)) return undefined; // relative to the cwd at exec time: rare, not checked
  if (crlf && interpreter.endsWith('\r')) {
    return `interpreter ${shown} not found: the file has Windows (CRLF) line endings`;
  }
  let stat: fs.Stats;
  try {
    stat = fs.statSync(interpreter);
  } catch {
    return `interpreter ${shown} not found`;
  }
  try {
    if (!stat.isFile()) throw new Error();
    fs.accessSync(interpreter, fs.constants.X_OK);
  } catch {
    return `interpreter ${shown} is not an executable file`;
  }
  return undefined;
}

/** ELF e_machine values of the machines Node runs on (process.arch), with what each can also run. */
const MACHINES: Record<string, { name: string; runs: number[] }> = {
  x64: { name: 'x86-64', runs: [62, 3] },
  ia32: { name: 'x86', runs: [3] },
  arm64: { name: 'aarch64', runs: [183] },
  arm: { name: 'arm', runs: [40] },
  riscv64: { name: 'riscv64', runs: [243] },
  ppc64: { name: 'ppc64', runs: [21] },
  s390x: { name: 's390x', runs: [22] },
  loong64: { name: 'loongarch64', runs: [258] },
};
const MACHINE_NAMES: Record<number, string> = {
  3: 'x86',
  8: 'mips',
  20: 'ppc',
  21: 'ppc64',
  22: 's390x',
  40: 'arm',
  62: 'x86-64',
  183: 'aarch64',
  243: 'riscv',
  258: 'loongarch',
};

function elfProblem(head: Buffer): string | undefined {
  const here = MACHINES[process.arch];
  if (!here) return undefined;
  const machine = head[5] === 2 ? head.readUInt16BE(18) : head.readUInt16LE(18);
  if (here.runs.includes(machine)) return undefined;
  const name = MACHINE_NAMES[machine] ?? `machine ${machine}`;
  return `ELF binary for ${name}, but this machine is ${here.name}: exec would fail with "exec format error"`;
}

function readHead(file: string, length: number): Buffer {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  try {
    const buffer = Buffer.alloc(length);
    const n = fs.readSync(fd, buffer, 0, length, 0);
    return buffer.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

function lstatOrUndefined(file: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(file);
  } catch {
    return undefined;
  }
}

/** stat (following links); a failure is recorded as a problem with a clear reason. */
function statOrProblem(file: string | Buffer, problems: Problem[]): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch (error) {
    problems.push({ path: file.toString(), reason: statReason(file, error) });
    return undefined;
  }
}

function statReason(file: string | Buffer, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ELOOP') {
    try {
      const target = fs.readlinkSync(file);
      return code === 'ELOOP' ? `symbolic link loop (${JSON.stringify(target)})` : `broken symbolic link to ${JSON.stringify(target)}`;
    } catch {
      // not itself a link: a link further up
    }
  }
  return describeError(error);
}
