import type { Program, ServiceSpec, SpawnRequest } from '../hooks/types';
import type { Logger } from './log';
import { closeQuietly, type Stdio } from './processes';

/** What starting a service needs of the kernel. */
export interface ServiceStartHost {
  readonly log: Logger;
  stopping(): boolean;
  /** pipe2(O_CLOEXEC): [read end, write end]. */
  pipe(): [number, number];
  spawn(request: SpawnRequest, stdio: Stdio): Promise<Program>;
  /** A `run` that started while the stop began: stop it too. */
  stopRun(run: Program): void;
  /** `run` could not be started: a fatal error (status 1). */
  failRun(error: Error): void;
  /** `log/run` could not be started: status 1, stop. */
  failLog(error: Error): void;
  /** A restartable service's log pipe write end, kept for the next runs (reruns.ts). */
  keepWriter(fd: number): void;
}

/**
 * Starts one service: `run`, and `log/run` reading run's stdout when there is one. The pipe
 * between them is dinit's: `run` gets its write end as stdout, `log/run` its read end as
 * stdin, and dinit closes its own copies once both have theirs (dinit never copies those
 * bytes). `log/run`'s stdout is logged as stage `run`, its stderr as `log`.
 */
export async function startService(spec: ServiceSpec, host: ServiceStartHost): Promise<void> {
  const env = process.env;
  let logPipe: [number, number] | undefined;
  try {
    if (spec.log) logPipe = host.pipe();
    host.log.info(`${spec.name}/run: starting`);
    const runStdio: Stdio = { stdin: spec.stdin === 'inherit' ? 0 : 'ignore', stdout: logPipe ? logPipe[1] : 'pipe', stderr: 'pipe' };
    const run = await host.spawn({ service: spec.name, stage: 'run', argv: spec.run, cwd: spec.dir, env }, runStdio);
    if (host.stopping()) host.stopRun(run);
  } catch (error) {
    if (logPipe) logPipe.forEach(closeQuietly);
    host.failRun(new Error(`${spec.name}/run: error running: ${(error as Error).message}`));
    return;
  }
  if (!spec.log || !logPipe) return;
  if (spec.restartable) host.keepWriter(logPipe[1]);
  else closeQuietly(logPipe[1]);
  try {
    host.log.info(`${spec.name}/log: starting`);
    const logStdio: Stdio = { stdin: logPipe[0], stdout: 'pipe', stderr: 'pipe', stdoutStage: 'run' };
    await host.spawn({ service: spec.name, stage: 'log', argv: spec.log.argv, cwd: spec.log.cwd, env }, logStdio);
  } catch (error) {
    host.log.error(`${spec.name}/log: error running: ${(error as Error).message}`);
    host.failLog(error as Error);
  } finally {
    closeQuietly(logPipe[0]);
  }
}
