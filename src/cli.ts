#!/usr/bin/env node
/**
 * Entry point, started by bin/dinit. In order: a SIGUSR1 listener (so Node's inspector
 * never opens), the environment the launcher saved put back for the programs, the command
 * line (help, version and usage errors end here), then for the init the TERM/INT/CHLD
 * listeners (and the signals to forward), queuing what arrives: the kernel drops a signal
 * sent to PID 1 while no handler is installed, and Node needs tens of milliseconds to
 * start. Everything else is loaded after. See docs/security.md.
 */
// Tiny and side-effect free: safe to load before the listeners are installed.
import { bypassWarning, launcherSignals, restoreLauncherEnv } from './bootstrap/launcher-env';
import { packageVersion, parseCli, USAGE } from './cli-args';
import { parseSignalList } from './kernel/config';
import { createLogger } from './kernel/log';
import { earlyLogFormat } from './bootstrap/early-log-format';
import type { EarlySignals } from './main';
import { STOP_SIGNALS, STRAY_SIGNALS } from './signals';

// Node's inspector opens on SIGUSR1 (root code execution in PID 1 for any local user)
// unless JavaScript listens for it: listen before anything else. The init forwards it only
// when DINIT_FORWARD_SIGNALS lists USR1 (src/main.ts); commands just ignore it.
const early: EarlySignals = { received: [], forward: undefined, listening: new Set(['SIGUSR1']) };
process.on('SIGUSR1', () => (early.forward ? early.forward('SIGUSR1') : early.received.push('SIGUSR1')));

// NODE_OPTIONS and friends are the programs': bin/dinit hid them from Node, put them back.
const bypassed = restoreLauncherEnv(process.env);
const caughtByLauncher = launcherSignals(process.env);
if (bypassed.length > 0 && !['none', 'error'].includes(process.env.DINIT_LOG_LEVEL ?? '')) {
  createLogger('warn', (text) => process.stderr.write(text), earlyLogFormat(process.env)).warn(bypassWarning(bypassed));
}

const request = parseCli(process.argv.slice(2));
const finish = (code: number): void => void process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
if (request.kind === 'help' || request.kind === 'version') {
  process.stdout.write(request.kind === 'help' ? USAGE : `dinit ${packageVersion(__dirname)}\n`);
  finish(0);
} else if (request.kind === 'usage-error') {
  process.stderr.write(`dinit: error: ${request.message}\n${USAGE}`);
  finish(2);
} else if (request.kind === 'command') {
  // `dinit check` / `dinit status`: tools, not the init; they take no other signal listeners.
  void import('./commands').then(async ({ runCommand }) => finish(await runCommand([request.name, ...request.args])));
} else {
  const listen = (name: NodeJS.Signals): void => {
    if (early.listening.has(name)) return;
    early.listening.add(name);
    process.on(name, () => {
      if (early.forward) early.forward(name);
      else early.received.push(name);
    });
  };
  for (const name of [...STOP_SIGNALS, 'SIGCHLD', ...STRAY_SIGNALS] as const) listen(name);
  early.received.push(...caughtByLauncher);
  // Forwarded signals named in the environment are caught from the start too (an invalid
  // list stops dinit at start-up anyway, with the config error). SIGUSR1 already is.
  for (const name of parseSignalList(process.env.DINIT_FORWARD_SIGNALS ?? '') ?? []) if (name !== 'SIGUSR1') listen(name as NodeJS.Signals);
  void import('./main').then(({ main }) => main(request.command, early));
}
