#!/usr/bin/env node
/**
 * Entry point. The kernel drops a signal sent to PID 1 while no handler is installed,
 * and Node needs tens of milliseconds to start: so the very first thing is to listen
 * for TERM/INT/CHLD and queue what arrives; everything else is loaded after.
 */
import type { EarlySignals } from './main';

const early: EarlySignals = { received: [], forward: undefined };
const onSignal = (name: 'SIGTERM' | 'SIGINT' | 'SIGCHLD') => () => {
  if (early.forward) early.forward(name);
  else early.received.push(name);
};
process.on('SIGTERM', onSignal('SIGTERM'));
process.on('SIGINT', onSignal('SIGINT'));
process.on('SIGCHLD', onSignal('SIGCHLD'));

void import('./main').then(({ main }) => main(process.argv.slice(2), early));
