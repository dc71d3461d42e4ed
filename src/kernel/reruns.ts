import type { Program, ServiceSpec, SpawnRequest } from '../hooks/types';
import type { Logger } from './log';
import { closeQuietly, type Stdio } from './processes';

/** What starting a service's `run` again needs of the kernel. */
export interface RerunHost {
  readonly log: Logger;
  stopping(): boolean;
  spawn(request: SpawnRequest, stdio: Stdio, spec: ServiceSpec): Promise<Program>;
  /** A `run` that started while the stop began: stop it too. */
  stopRun(run: Program): void;
  /** `run` could not be started again: a fatal error (status 1), as at start-up. */
  fail(error: Error): void;
  /** A held `run`'s exit does not count toward dinit's exit status. */
  forgive(program: Program): void;
}

/**
 * The mechanism behind restarts ("start this service's `run` again"); when and whether is a
 * plugin's decision (the built-in `restart`). A service whose spec is `restartable` keeps
 * dinit's copy of its log pipe's write end (service-start.ts), so every new `run` writes into
 * the pipe the same `log/run` reads: log/run sees no EOF between runs. The copy is closed once
 * the service is done: its `run` exited and nobody held it, the held restart was released, or
 * the container stops. Without a restartable spec nothing here runs.
 */
export class Reruns {
  /** Service name → dinit's copy of the write end of its log pipe. */
  private readonly writers = new Map<string, number>();
  /** Services whose `run` exited and is held for a new start: service name → spec. */
  private readonly held = new Map<string, ServiceSpec>();

  constructor(private readonly host: RerunHost) {}

  /** How many services wait for their `run` to be started again. */
  get pending(): number {
    return this.held.size;
  }

  /** Keeps the write end of `spec`'s log pipe (startService hands it over instead of closing it). */
  keepWriter(spec: ServiceSpec, fd: number): void {
    this.writers.set(spec.name, fd);
  }

  /**
   * From an `exit` tap, for a `run` of a `restartable` service: it is to be started again
   * (start), so this exit does not end the service — its status does not count toward dinit's
   * exit status and log/run keeps reading the same pipe. False when it cannot be held (the
   * stop has begun, or the service is not restartable): the exit then counts as usual.
   */
  hold(program: Program): boolean {
    const spec = program.spec;
    if (this.host.stopping() || !spec?.restartable || program.stage !== 'run' || program.origin !== 'spawned') return false;
    this.held.set(spec.name, spec);
    this.host.forgive(program);
    return true;
  }

  /** Whether `service`'s run is held for a new start. */
  isHeld(service: string): boolean {
    return this.held.has(service);
  }

  /** After the `exit` hook: a `run` nobody held has ended its service, so log/run may see EOF. */
  exited(program: Program): void {
    if (program.stage !== 'run' || program.origin !== 'spawned' || this.held.has(program.service)) return;
    this.closeWriter(program.service);
  }

  /** Starts the held `run` of `service` again; undefined (and released) when stopping or not held. */
  async start(service: string): Promise<Program | undefined> {
    const spec = this.held.get(service);
    if (!spec) return undefined;
    if (this.host.stopping()) {
      this.release(service);
      return undefined;
    }
    this.held.delete(service);
    const writer = this.writers.get(service);
    try {
      this.host.log.info(`${spec.name}/run: starting`);
      const stdio: Stdio = { stdin: 'ignore', stdout: writer ?? 'pipe', stderr: 'pipe' };
      const run = await this.host.spawn({ service: spec.name, stage: 'run', argv: spec.run, cwd: spec.dir, env: process.env }, stdio, spec);
      if (this.host.stopping()) this.host.stopRun(run);
      return run;
    } catch (error) {
      this.closeWriter(service);
      this.host.fail(new Error(`${spec.name}/run: error running: ${(error as Error).message}`));
      return undefined;
    }
  }

  /** Gives up a held restart: the service is done (its log/run now sees EOF). */
  release(service: string): void {
    this.held.delete(service);
    this.closeWriter(service);
  }

  /** The container stops: no held `run` will start again. */
  releaseAll(): void {
    for (const service of [...this.held.keys()]) this.release(service);
  }

  private closeWriter(service: string): void {
    const fd = this.writers.get(service);
    if (fd === undefined) return;
    this.writers.delete(service);
    closeQuietly(fd);
  }
}
