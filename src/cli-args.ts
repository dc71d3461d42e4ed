/**
 * What the `dinit` command line asks for. Deliberately strict: anything dinit does not
 * know is a usage error (exit 2), so a typo or a forgotten subcommand never starts a
 * second init that would run every program again. Imports nothing: it runs on the
 * start-up path. (A later `dinit [--] CMD` form belongs here.)
 */
export type CliRequest =
  | { kind: 'init' }
  | { kind: 'command'; name: 'check' | 'status'; args: string[] }
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'usage-error'; message: string };

export const USAGE = `usage: dinit                 run as the init (PID 1) of a container: start /etc/service
       dinit check [-v] [dir]   check the config and the service tree, start nothing
       dinit status [--json]    ask the running dinit about its programs
       dinit -h | --help        print this help
       dinit --version          print the version

Settings come from DINIT_* variables and the config file (DINIT_CONFIG, else /etc/dinit).
`;

export function parseCli(argv: readonly string[]): CliRequest {
  const [first, ...rest] = argv;
  if (first === undefined) return { kind: 'init' };
  if (first === 'check' || first === 'status') return { kind: 'command', name: first, args: rest };
  if (first === '-h' || first === '--help') return { kind: 'help' };
  if (first === '--version') return rest.length === 0 ? { kind: 'version' } : unexpected(rest[0]);
  if (first.startsWith('-')) return { kind: 'usage-error', message: `unknown option ${JSON.stringify(first)}` };
  return { kind: 'usage-error', message: `unknown command ${JSON.stringify(first)}; commands: check, status` };
}

function unexpected(arg: string): CliRequest {
  return { kind: 'usage-error', message: `unexpected ${JSON.stringify(arg)}` };
}

/** The version from package.json (dist/cli.js sits in dist/, next to it), read without any module. */
export function packageVersion(dirname: string): string {
  const fs = require('node:fs') as typeof import('node:fs');
  const path = require('node:path') as typeof import('node:path');
  try {
    return String((JSON.parse(fs.readFileSync(path.join(dirname, '..', 'package.json'), 'utf8')) as { version?: unknown }).version);
  } catch (error) {
    return `unknown (${(error as Error).message})`;
  }
}
