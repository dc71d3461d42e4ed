import type { Program } from '../hooks/types';
import type { Logger } from './log';

/** How often a program that outlives its stop request is reported. */
const SLOW_STOP_REPORT_MS = 10_000;

/**
 * dinit never SIGKILLs its programs (the orchestrator does, after its own timeout), so
 * a program ignoring SIGTERM keeps the container up: say so every 10 s, so whoever reads
 * the logs knows why the stop takes long and which program holds it.
 */
export function reportSlowStop(log: Logger, program: Program, how: string): void {
  const since = Date.now();
  const timer = setInterval(() => {
    if (program.state !== 'running') {
      clearInterval(timer);
      return;
    }
    const seconds = Math.round((Date.now() - since) / 1000);
    log.warn(`${program.service}/${program.stage}: still running ${seconds} s after ${how}, waiting`);
  }, SLOW_STOP_REPORT_MS);
  // The reaper's timer keeps PID 1 alive while anything runs; this one must not delay the exit.
  timer.unref();
}
