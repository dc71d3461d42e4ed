import type { Hooks } from '../hooks/hooks';
import type { ExitStatus, Program } from '../hooks/types';
import { finishedText, type Logger } from './log';
import { reportWait } from './slow-stop';

/** `run` exiting with this status means "disabled itself": nothing else happens. */
export const DISABLED_STATUS = 115;

/**
 * How a program's end is logged and whether it counts as a failure: Go's lines (`finished with
 * status N`, `finished and disabled itself`) at info; a plugin's helper (a probe) at debug. A
 * signal dinit did not send is a failure; one it sent during the stop is not.
 */
export function describeExit(program: Program, status: ExitStatus, stopping: boolean): { level: 'info' | 'debug'; line: string; failed: boolean } {
  const label = `${program.service}/${program.stage}`;
  if (program.probe) return { level: 'debug', line: `${label}: ${finishedText(program.pid, status)}`, failed: false };
  const disabled = program.stage === 'run' && program.origin === 'spawned' && status.code === DISABLED_STATUS;
  const line = disabled ? `${label}: PID ${program.pid} finished and disabled itself` : `${label}: ${finishedText(program.pid, status)}`;
  const failed = (status.code !== null && status.code !== 0 && !disabled) || (status.signal !== null && !stopping);
  return { level: 'info', line, failed };
}

export interface StopProgramHost {
  readonly log: Logger;
  readonly hooks: Pick<Hooks, 'shutdown'>;
  stopSignalOf(program: Program): NodeJS.Signals;
  signal(program: Program, signal: NodeJS.Signals): void;
}

/**
 * Asks one program to end: `shutdown` taps first (a terminate file, a delay), else its stop
 * signal; from then on the stop reports every 10 s that it still waits for it.
 */
export async function stopProgram(host: StopProgramHost, program: Program): Promise<void> {
  host.log.info(`${program.service}/${program.stage}: terminating`);
  const handled = program.origin === 'spawned' ? await host.hooks.shutdown.promise(program) : undefined;
  if (program.state !== 'running') return;
  const signal = host.stopSignalOf(program);
  if (!handled) host.signal(program, signal);
  reportWait(host.log, program, handled ? 'the stop began' : signal);
}
