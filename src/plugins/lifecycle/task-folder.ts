import fs = require('node:fs');
import path = require('node:path');
import { untrustedReason } from '../../bootstrap/file-trust';
import { describeError } from '../../kernel/errors';
import { checkProgram, type Problem } from '../tree/service-checks';

/** The tasks of one folder (DINIT_INIT_DIR or DINIT_FINISH_DIR), in the order they run. */
export interface TaskFolder {
  /** The folder, absolute: each task's cwd. */
  dir: string;
  /** Task file names, in byte order, dot files left out. */
  names: string[];
  problems: Problem[];
}

/**
 * Lists and checks a task folder; undefined when it does not exist (no tasks). Every entry not
 * starting with `.` must be a program exec can run (the checks of `run`: executable, a `#!`
 * line naming an interpreter that exists, or an ELF binary for this machine): a README left in
 * init.d is a mistake to report, not something to skip quietly. Tasks run as root, so under
 * root every one must pass the StrictModes rule (file-trust.ts), its folders included.
 */
export function scanTasks(dir: string, uid: number | undefined = process.getuid?.()): TaskFolder | undefined {
  const root = path.resolve(dir);
  const folder: TaskFolder = { dir: root, names: [], problems: [] };
  let entries: string[];
  try {
    entries = fs.readdirSync(root);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    folder.problems.push({ path: root, reason: `cannot read task folder: ${describeError(error)}` });
    return folder;
  }
  folder.names = entries.filter((name) => !name.startsWith('.')).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  for (const name of folder.names) {
    const file = path.join(root, name);
    const before = folder.problems.length;
    checkProgram(file, folder.problems);
    if (folder.problems.length > before) continue;
    const untrusted = untrustedReason(file, uid);
    if (untrusted) folder.problems.push({ path: file, reason: `refused: ${untrusted}; as root, dinit runs only tasks that no other user can change (docs/security.md)` });
  }
  return folder;
}
