/** Where a command writes and what it reads; tests pass their own. */
export interface CommandIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export function processIo(): CommandIo {
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
  };
}

/** Splits `--flag` options from positional arguments; unknown flags are returned for the usage error. */
export function parseArgs(args: string[], flags: readonly string[]): { flags: Set<string>; positional: string[]; unknown: string[] } {
  const result = { flags: new Set<string>(), positional: [] as string[], unknown: [] as string[] };
  let rest = false;
  for (const arg of args) {
    if (rest || !arg.startsWith('-') || arg === '-') result.positional.push(arg);
    else if (arg === '--') rest = true;
    else if (flags.includes(arg)) result.flags.add(arg);
    else result.unknown.push(arg);
  }
  return result;
}
