import fs = require('node:fs');
import path = require('node:path');
import { isUtf8 } from 'node:buffer';
import { escapeBytes } from '../../kernel/escape';

/**
 * Service folder names are bytes: a folder named in Latin-1 (`caf\xe9`) is a service like any
 * other. Node turns such a name into `caf\uFFFD` (a path that does not exist) when it lists a
 * folder as strings, and child_process.spawn takes only strings for the program and its cwd.
 *
 * So such a folder is opened once (O_RDONLY | O_DIRECTORY; libuv opens every fd close-on-exec,
 * so no program inherits it) and reached through `/proc/<dinit's pid>/fd/<n>`: a string path
 * that the kernel resolves to the real folder, for dinit and for its children alike (cwd,
 * `run`, and the script path an interpreter reopens after exec). The fd stays open while dinit
 * runs (one per such service). In messages the folder is named with escapes (escapeBytes).
 */
export interface TreeEntry {
  /** The name as shown (UTF-8 as it is, other bytes `\xNN`). */
  name: string;
  /** A string path that reaches the entry (the real path when the name is UTF-8). */
  path: string;
  /** The path as shown in messages: `<root>/<name>`. */
  shown: string;
  /** The real path, as bytes (for stat: it works whatever the name). */
  bytes: Buffer;
}

/** The entries of `root` (not starting with `.`), in byte order of their names. */
export function listTree(root: string): TreeEntry[] {
  const names = fs.readdirSync(root, { encoding: 'buffer' }).sort(Buffer.compare);
  const entries: TreeEntry[] = [];
  for (const name of names) {
    if (name[0] === 0x2e) continue;
    if (isUtf8(name)) {
      const text = name.toString('utf8');
      const full = path.join(root, text);
      entries.push({ name: text, path: full, shown: full, bytes: Buffer.from(full) });
      continue;
    }
    const shownName = escapeBytes(name.toString('latin1'));
    const shown = path.join(root, shownName);
    const bytes = Buffer.concat([Buffer.from(`${root}/`), name]);
    entries.push({ name: shownName, path: reachable(bytes) ?? shown, shown, bytes });
  }
  return entries;
}

/** `/proc/<pid>/fd/<n>` of the folder at `bytes`, or undefined when it is not a folder we can open. */
function reachable(bytes: Buffer): string | undefined {
  let fd: number;
  try {
    fd = fs.openSync(bytes, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  } catch {
    return undefined;
  }
  return `/proc/${process.pid}/fd/${fd}`;
}

/** `file` (inside an entry's `path`) as shown in messages. */
export function shownPath(entry: TreeEntry, file: string): string {
  return entry.path === entry.shown || !file.startsWith(entry.path) ? file : entry.shown + file.slice(entry.path.length);
}
