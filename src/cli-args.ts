/**
 * What the `dinit` command line asks for. Deliberately strict: a word that is neither a
 * command nor a program is a usage error (exit 2), so a typo (`dinit stauts`) never starts
 * a second init that would run every program again. CMD mode: `dinit -- CMD [ARG…]` always
 * runs CMD; `dinit CMD [ARG…]` only when CMD contains a `/` or is found in PATH (a program
 * named `check` or `status` needs the `--`). Everything after CMD is CMD's. Imports nothing
 * heavy: it runs on the start-up path (the PATH lookup loads `fs` only for such a word).
 */
import { findCommand } from './bootstrap/command-path';

export type CliRequest =
  | { kind: 'init'; command?: string[] }
  | { kind: 'command'; name: 'check' | 'status'; args: string[] }
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'usage-error'; message: string };

export const USAGE = `usage: dinit                 run as the init (PID 1) of a container: start /etc/service
       dinit check [-v] [dir]   check the config and the service tree, start nothing
       dinit status [--json]    ask the running dinit about its programs
       dinit [--] CMD [ARG...]  run as the init and run CMD too, as one more program named
                                after it, with dinit's stdin; /etc/service may be empty or
                                absent; dinit exits with CMD's status (a tini replacement)
       dinit -h | --help        print this help
       dinit --version          print the version

Without "--", CMD must contain a "/" or be found in PATH, else it is an unknown command.
Settings come from DINIT_* variables and the config file (DINIT_CONFIG, else /etc/dinit).
`;

export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): CliRequest {
  const [first, ...rest] = argv;
  if (first === undefined) return { kind: 'init' };
  if (first === '--') return rest.length === 0 ? { kind: 'usage-error', message: 'expected a command after "--"' } : { kind: 'init', command: rest };
  if (first === 'check' || first === 'status') return { kind: 'command', name: first, args: rest };
  if (first === '-h' || first === '--help') return { kind: 'help' };
  if (first === '--version') return rest.length === 0 ? { kind: 'version' } : unexpected(rest[0]);
  if (first.startsWith('-')) return { kind: 'usage-error', message: `unknown option ${JSON.stringify(first)}` };
  if (first.includes('/') || 'file' in findCommand(first, env)) return { kind: 'init', command: [...argv] };
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
