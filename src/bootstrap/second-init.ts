import fs = require('node:fs');
import { holdsSockets, listeningSockets, statusSocketName } from '../plugins/status/status-socket';

/**
 * `docker exec <c> dinit` (meant: `dinit status`) would start every program a second
 * time next to the ones the container's dinit already supervises. Says why another dinit
 * is already here, or undefined. A dinit that is PID 1 is the first by definition. Only
 * within PID 1's own container (same mount namespace, which `docker exec` shares): a
 * container that merely shares the PID namespace (`--pid=container:<c>`) brings its own
 * programs, and supervising them as a subreaper is what it is for.
 */
export function anotherDinit(env: NodeJS.ProcessEnv, pid = process.pid, self = process.argv[1]): string | undefined {
  if (pid === 1 || !sameMountNamespaceAsPid1()) return undefined;
  const init = pid1Command();
  if (init && isDinitProcess(init, self)) return `PID 1 of this PID namespace is dinit (${init.join(' ')})`;
  const name = statusSocketName(env);
  // The derived name claims PID 1: anyone may bind an abstract name, and a stranger's must not
  // keep the container's own dinit from starting. A configured name claims nobody.
  const inodes = listeningSockets(name).get(name);
  if (inodes && (env.DINIT_STATUS_SOCKET || holdsSockets(1, inodes) !== false)) return `the status socket @${name} of this PID namespace is listening`;
  return undefined;
}

/** Unreadable (another user's PID 1) counts as the same: refusing is the safe side. */
function sameMountNamespaceAsPid1(): boolean {
  try {
    return fs.readlinkSync('/proc/1/ns/mnt') === fs.readlinkSync('/proc/self/ns/mnt');
  } catch {
    return true;
  }
}

function pid1Command(): string[] | undefined {
  try {
    return fs.readFileSync('/proc/1/cmdline', 'latin1').split('\0').filter((arg) => arg !== '');
  } catch {
    return undefined;
  }
}

/**
 * Whether a command line is a Node running a dinit CLI as its script: the first argument after
 * Node's own options. Only the script counts: another PID 1 (a shell, perl, tini) that merely
 * names dinit's CLI among its arguments — because it started this very dinit — is not a dinit.
 */
function isDinitProcess([exe, ...args]: string[], self: string | undefined): boolean {
  if (!/(^|\/)node[^/]*$/.test(exe ?? '')) return false;
  const script = args.find((arg) => !arg.startsWith('-'));
  return script !== undefined && isDinitCli(script, self);
}

/** The same CLI file as ours, or any installed dinit's (…/dinit/dist/cli.js). */
function isDinitCli(arg: string, self: string | undefined): boolean {
  if (/(^|\/)dinit\/dist\/cli\.js$/.test(arg)) return true;
  if (!self || !arg.endsWith('.js')) return false;
  try {
    return fs.realpathSync(arg) === fs.realpathSync(self);
  } catch {
    return false;
  }
}
