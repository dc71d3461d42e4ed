import type { Program } from '../hooks/types';
import { describeError } from './errors';
import type { Logger } from './log';

/**
 * Sends a signal to a program still running, logging it as Go dinit does. SIGTERM is
 * followed by SIGCONT (logged at debug only: Go logs no such line), as systemd and s6 do:
 * a stopped program keeps a SIGTERM pending until continued, and the stop would wait for ever.
 * Every SIGTERM dinit sends is a stop's (SIGTERM cannot be forwarded).
 */
export function signalProgram(log: Logger, program: Program, signal: NodeJS.Signals): void {
  if (program.state !== 'running') return;
  const label = `${program.service}/${program.stage}`;
  log.info(`${label}: sending ${signal} to PID ${program.pid}`);
  if (!send(log, label, program.pid, signal) || signal !== 'SIGTERM') return;
  log.trace(`${label}: sending SIGCONT to PID ${program.pid}`);
  send(log, label, program.pid, 'SIGCONT');
}

function send(log: Logger, label: string, pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') log.warn(`${label}: ${describeError(error)}`);
    return false;
  }
}
