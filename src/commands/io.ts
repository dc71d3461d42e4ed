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
function parseArgs(args: string[], flags: readonly string[]): { flags: Set<string>; positional: string[]; unknown: string[] } {
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

type ParsedArgs = ReturnType<typeof parseArgs>;

/**
 * The argument handling every command shares: `-h`/`--help` prints the usage (exit 0), an
 * unknown flag or more than `maxPositional` arguments is a usage error (exit 2). Returns
 * the parsed arguments, or the exit status when the command has nothing more to do.
 */
export function commandArgs(
  command: string,
  args: string[],
  flags: readonly string[],
  maxPositional: number,
  usage: string,
  io: CommandIo,
): ParsedArgs | number {
  const parsed = parseArgs(args, [...flags, '-h', '--help']);
  if (parsed.flags.has('-h') || parsed.flags.has('--help')) {
    io.out(usage);
    return 0;
  }
  if (parsed.unknown.length > 0 || parsed.positional.length > maxPositional) {
    io.err(`dinit: error: ${command}: unexpected ${JSON.stringify(parsed.unknown[0] ?? parsed.positional[maxPositional])}\n${usage}`);
    return 2;
  }
  return parsed;
}
