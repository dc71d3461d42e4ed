import { check } from './check';
import { status } from './status';

/** Subcommands of the `dinit` binary; anything else (or nothing) runs the init. */
export const COMMANDS = ['check', 'status'] as const;

/**
 * Runs `dinit <command> [args]` (argv starts with the command name); resolves with the
 * exit status. Commands print to stdout/stderr and never start a program.
 */
export async function runCommand(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  try {
    switch (name) {
      case 'check':
        return await check(args);
      case 'status':
        return await status(args);
      default:
        process.stderr.write(`dinit: error: unknown command ${JSON.stringify(name)}; commands: ${COMMANDS.join(', ')}\n`);
        return 2;
    }
  } catch (error) {
    process.stderr.write(`dinit: error: ${name}: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
    return name === 'status' ? 2 : 1;
  }
}
