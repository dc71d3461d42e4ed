import type { Program } from '../hooks/types';
import { describeError } from './errors';
import type { Logger } from './log';

/**
 * Sends a signal to a program still running, logging it as Go dinit does. A stop signal
 * (SIGTERM, or the program's own `stopSignal`) is followed by SIGCONT (logged at debug only:
 * Go logs no such line), as systemd and s6 do: a stopped program keeps a SIGTERM pending until
 * continued, and the stop would wait for ever. Every SIGTERM dinit sends is a stop's (SIGTERM
 * cannot be forwarded). A program marked `signalGroup` is signalled as its whole process
 * group (it leads one: spawned detached); if that group is gone (it moved itself to
 * another), the pid alone.
 */
export function signalProgram(log: Logger, program: Program, signal: NodeJS.Signals): void {
  if (program.state !== 'running') return;
  const label = `${program.service}/${program.stage}`;
  log.info(`${label}: sending ${signal} to PID ${program.pid}`);
  const group = program.signalGroup === true;
  if (!send(log, label, program.pid, signal, group)) return;
  if (signal !== 'SIGTERM' && signal !== program.spec?.stopSignal) return;
  log.trace(`${label}: sending SIGCONT to PID ${program.pid}`);
  send(log, label, program.pid, 'SIGCONT', group);
}

function send(log: Logger, label: string, pid: number, signal: NodeJS.Signals, group: boolean): boolean {
  try {
    process.kill(group ? -pid : pid, signal);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (group && code === 'ESRCH') return send(log, label, pid, signal, false);
    if (code !== 'ESRCH') log.warn(`${label}: ${describeError(error)}`);
    return false;
  }
}
