import fs = require('node:fs');
import path = require('node:path');

/**
 * Config files and plugins are code that dinit runs as root. sshd's StrictModes rule:
 * when dinit runs as root, such a file, and every folder above it up to /, must be owned
 * by root and writable by nobody else (no group or other write bit). A sticky
 * world-writable folder such as /tmp fails too: anyone can create the file there before
 * the image author does, and nothing makes a config file belong in /tmp. Followed through
 * symbolic links: the folders holding each link are checked as well as the real file's.
 * Returns why `file` may not be loaded, or undefined when it may (always when not root).
 */
export function untrustedReason(file: string, uid: number | undefined = process.getuid?.()): string | undefined {
  if (uid !== 0) return undefined;
  const absolute = path.resolve(file);
  let real: string;
  try {
    real = fs.realpathSync(absolute);
  } catch (error) {
    return `cannot resolve ${absolute}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
  }
  const paths = [real, ...ancestors(real)];
  if (real !== absolute) paths.push(...ancestors(absolute));
  for (const p of new Set(paths)) {
    const problem = unsafe(p, uid);
    if (problem) return problem;
  }
  return undefined;
}

function ancestors(p: string): string[] {
  const list: string[] = [];
  for (let dir = path.dirname(p); ; dir = path.dirname(dir)) {
    list.push(dir);
    if (dir === path.dirname(dir)) return list;
  }
}

function unsafe(p: string, uid: number): string | undefined {
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch (error) {
    return `cannot stat ${p}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
  }
  const mode = (st.mode & 0o7777).toString(8).padStart(4, '0');
  const kind = st.isDirectory() ? 'folder' : 'file';
  if (st.uid !== 0 && st.uid !== uid) return `${kind} ${p} is owned by uid ${st.uid}, not root`;
  if (st.mode & 0o022) {
    const who = st.mode & 0o002 ? (st.mode & 0o020 ? 'group and others' : 'others') : 'its group';
    return `${kind} ${p} is writable by ${who} (mode ${mode}${st.mode & 0o1000 ? ', sticky does not help' : ''})`;
  }
  return undefined;
}

/** The one wording for a refusal: what was refused, why, and the rule. */
export function refusal(what: string, reason: string): string {
  return `${what} refused: ${reason}; as root, dinit loads only config files and plugins that no other user can change (docs/security.md)`;
}
