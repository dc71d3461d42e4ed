// Reading process state from /proc. Parsers are exported separately so they can be tested on
// fixed text; the readers return undefined when the process vanished (a normal race here).
import fs from 'node:fs';
import { readProc } from '../proc-read';

function readOrUndefined(path: string): string | undefined {
  try {
    return readProc(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** PF_EXITING in the kernel task flags: set once exit starts, before fds are closed. */
const PF_EXITING = 0x4;

export interface TaskStat {
  state: string;
  ppid: number;
  /** Already on its way out (its fds may be gone although it is not a zombie yet). */
  exiting: boolean;
}

/** Fields of /proc/<pid>/stat we need (the comm field may contain spaces and parens). */
export function parseStat(text: string): TaskStat {
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: rest[0] ?? '?', ppid: Number(rest[1]), exiting: (Number(rest[6]) & PF_EXITING) !== 0 };
}

export function readStat(pid: number, tid = pid): TaskStat | undefined {
  const text = readOrUndefined(`/proc/${pid}/task/${tid}/stat`);
  return text === undefined ? undefined : parseStat(text);
}

export function threadIds(pid: number): number[] {
  try {
    return fs
      .readdirSync(`/proc/${pid}/task`)
      .map(Number)
      .filter((n) => Number.isInteger(n) && n > 0)
      .sort((a, b) => a - b);
  } catch {
    return [];
  }
}

/** Direct children of every thread of `pid` (a child belongs to the thread that forked it). */
export function childrenOf(pid: number): number[] {
  const kids = new Set<number>();
  for (const tid of threadIds(pid)) {
    const text = readOrUndefined(`/proc/${pid}/task/${tid}/children`) ?? '';
    for (const word of text.split(/\s+/)) if (word) kids.add(Number(word));
  }
  return [...kids];
}

/** All descendants of `root`, parents before children, `root` itself excluded. */
export function descendantsOf(root: number, exclude: ReadonlySet<number> = new Set()): number[] {
  const seen = new Set<number>([root]);
  const out: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    for (const kid of childrenOf(pid)) {
      if (seen.has(kid) || exclude.has(kid)) continue;
      seen.add(kid);
      out.push(kid);
      queue.push(kid);
    }
  }
  return out;
}

export interface FdIdentity {
  dev: bigint;
  ino: bigint;
}

/** (st_dev, st_ino) of what /proc/<pid>/fd/<fd> points to, or undefined if that fd is not open. */
export function fdIdentity(pid: number, fd: number): FdIdentity | undefined {
  try {
    const st = fs.statSync(`/proc/${pid}/fd/${fd}`, { bigint: true });
    return { dev: st.dev, ino: st.ino };
  } catch {
    return undefined;
  }
}

export function sameFile(a: FdIdentity, b: FdIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

export function openFds(pid: number): number[] {
  return fs
    .readdirSync(`/proc/${pid}/fd`)
    .map(Number)
    .filter((n) => Number.isInteger(n) && n >= 0)
    .sort((a, b) => a - b);
}

/** The open flags (octal "flags:" line) from /proc/<pid>/fdinfo/<fd>; O_CLOEXEC shows there too. */
export function parseFdinfoFlags(text: string): number | undefined {
  const m = /^flags:\s*([0-7]+)$/m.exec(text);
  return m ? parseInt(m[1] as string, 8) : undefined;
}

export function fdFlags(pid: number, fd: number): number | undefined {
  const text = readOrUndefined(`/proc/${pid}/fdinfo/${fd}`);
  return text === undefined ? undefined : parseFdinfoFlags(text);
}

export const O_ACCMODE = 0o3;
export const O_RDONLY = 0;
export const O_CLOEXEC = 0o2000000;

export interface MapEntry {
  start: bigint;
  end: bigint;
  perms: string;
  path: string;
}

export function parseMaps(text: string): MapEntry[] {
  const out: MapEntry[] = [];
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+)\s+(\S+)\s+\S+\s+\S+\s+\S+\s*(.*)$/.exec(line);
    if (!m) continue;
    out.push({ start: BigInt(`0x${m[1]}`), end: BigInt(`0x${m[2]}`), perms: m[3] as string, path: m[4] ?? '' });
  }
  return out;
}

export function readMaps(pid: number): MapEntry[] {
  return parseMaps(readOrUndefined(`/proc/${pid}/maps`) ?? '');
}
