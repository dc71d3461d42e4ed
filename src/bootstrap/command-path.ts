/**
 * Finds CMD of `dinit [--] CMD [ARG…]` the way execvp and a shell do: a word with a `/` is a
 * path (relative to the working directory), any other is looked up in PATH (an empty entry
 * is the working directory). Loads `fs` only when called: cli-args.ts imports this on the
 * start-up path.
 */
export type CommandLookup = { file: string } | { missing: string } | { notExecutable: string };

export function findCommand(word: string, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): CommandLookup {
  const fs = require('node:fs') as typeof import('node:fs');
  const path = require('node:path') as typeof import('node:path');
  const usable = (file: string): 'yes' | 'no' | 'not-executable' => {
    try {
      if (!fs.statSync(file).isFile()) return 'no';
      fs.accessSync(file, fs.constants.X_OK);
      return 'yes';
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EACCES' ? 'not-executable' : 'no';
    }
  };
  if (word.includes('/')) {
    const file = path.resolve(cwd, word);
    const found = usable(file);
    if (found === 'yes') return { file };
    return found === 'not-executable' ? { notExecutable: file } : { missing: word };
  }
  let denied: string | undefined;
  for (const dir of (env.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(':')) {
    const file = path.resolve(cwd, dir, word);
    const found = usable(file);
    if (found === 'yes') return { file };
    if (found === 'not-executable') denied ??= file;
  }
  return denied ? { notExecutable: denied } : { missing: word };
}
