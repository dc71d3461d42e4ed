import { readProc } from '../sys/proc-read';
import { escapeBytes } from './escape';

export { readProc } from '../sys/proc-read';

/** Facts about a process read from /proc; undefined fields mean it is gone. */
export interface ProcStat {
  state: string;
  /** Escaped (escapeBytes): a process may name itself anything, control characters and invalid UTF-8 included. */
  comm: string;
  /** Start time since boot, in clock ticks. */
  startTicks: number;
}

export function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readProc(`/proc/${pid}/stat`);
  } catch {
    return undefined;
  }
  // comm may contain spaces and parentheses: it ends at the LAST ')'.
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const fields = text.slice(close + 2).split(' ');
  return { comm: escapeBytes(text.slice(open + 1, close)), state: fields[0], startTicks: Number(fields[19]) };
}

/**
 * The NUL-separated argv joined by spaces ("" for zombies and kernel threads), escaped
 * (escapeBytes): argv is any bytes, and it is logged. Read as bytes, so a byte that is not
 * UTF-8 shows as `\xNN` rather than U+FFFD.
 */
export function readCmdline(pid: number): string {
  return escapeBytes(readRawCmdline(pid));
}

/** The joined argv as a binary string (one char per byte). */
function readRawCmdline(pid: number): string {
  try {
    const raw = readProc(`/proc/${pid}/cmdline`);
    return raw.replace(/\0+$/, '').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** Pids of the direct children of `pid` (reparented orphans land on the main thread). */
export function readChildren(pid: number): number[] {
  let text: string;
  try {
    text = readProc(`/proc/${pid}/task/${pid}/children`);
  } catch {
    return [];
  }
  const pids: number[] = [];
  let value = 0;
  let inNumber = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      value = value * 10 + c - 48;
      inNumber = true;
    } else if (inNumber) {
      pids.push(value);
      value = 0;
      inNumber = false;
    }
  }
  if (inNumber) pids.push(value);
  return pids;
}

/** Seconds since boot, from /proc/uptime. */
export function readUptime(): number {
  try {
    return Number(readProc('/proc/uptime').split(' ')[0]);
  } catch {
    return 0;
  }
}

/**
 * The name and stage Go dinit gives a reparented process: the last `/`-part of the
 * first word of its cmdline, else its comm, else `unknown`; the stage is its pid.
 */
export function describeProcess(pid: number, comm?: string): { name: string; stage: string; cmdline: string } {
  const raw = readRawCmdline(pid);
  // Words are split on the real bytes (a newline in argv separates words, as in Go dinit), then escaped.
  const first = /\S+/.exec(raw)?.[0] ?? '';
  let name = escapeBytes(first.slice(first.lastIndexOf('/') + 1));
  const cmdline = escapeBytes(raw);
  // The caller usually read stat already: pass its comm rather than read it again.
  if (name === '') name = comm ?? readStat(pid)?.comm ?? '';
  if (name === '') name = 'unknown';
  return { name, stage: String(pid), cmdline };
}
