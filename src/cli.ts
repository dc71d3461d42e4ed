#!/usr/bin/env node
/**
 * Entry point. The kernel drops a signal sent to PID 1 while no handler is installed,
 * and Node needs tens of milliseconds to start: so the very first thing is to listen
 * for TERM/INT/CHLD (and the signals to forward) and queue what arrives; everything
 * else is loaded after.
 */
// Tiny and side-effect free: safe to load before the listeners are installed.
import { parseSignalList } from './kernel/config';
import type { EarlySignals } from './main';
import { STOP_SIGNALS, STRAY_SIGNALS } from './signals';

// `dinit check` / `dinit status`: tools, not the init; they take no signal listeners.
const command = process.argv[2];
if (command === 'check' || command === 'status') {
  void import('./commands').then(async ({ runCommand }) => {
    const code = await runCommand(process.argv.slice(2));
    process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
  });
} else {
  const early: EarlySignals = { received: [], forward: undefined, listening: new Set() };
  const listen = (name: NodeJS.Signals): void => {
    if (early.listening.has(name)) return;
    early.listening.add(name);
    process.on(name, () => {
      if (early.forward) early.forward(name);
      else early.received.push(name);
    });
  };
  for (const name of [...STOP_SIGNALS, 'SIGCHLD', ...STRAY_SIGNALS] as const) listen(name);
  // Forwarded signals named in the environment are caught from the start too (an invalid
  // list stops dinit at start-up anyway, with the config error).
  for (const name of parseSignalList(process.env.DINIT_FORWARD_SIGNALS ?? '') ?? []) listen(name as NodeJS.Signals);
  void import('./main').then(({ main }) => main(process.argv.slice(2), early));
}
