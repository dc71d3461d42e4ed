import net = require('node:net');
import type { ExitStatus, Program } from '../../hooks/types';
import { describeError } from '../../kernel/errors';
import type { Kernel } from '../../kernel/kernel';
import { closeQuietly } from '../../kernel/processes';

/** The output of a check kept for `dinit status` (its last bytes): never logged. */
export const CHECK_OUTPUT_LIMIT = 4096;
/** After a check exits, how long its pipe may stay open (a child kept it) before the output is taken as it is. */
const OUTPUT_GRACE_MS = 100;

interface ServiceCheck {
  service: string;
  file: string;
  dir: string;
  /** The `run` being checked; undefined while none runs. */
  run?: Program;
  /** The check running now (checks never overlap). */
  current?: { run: Program; program: Program; startedAt: number; tail: Buffer; timedOut: boolean; killTimer?: NodeJS.Timeout; output: Promise<void>; reader: net.Socket };
  next?: NodeJS.Timeout;
  /** The last result logged: only changes are logged. */
  logged?: boolean;
  /** A check that could not be started is warned about once until one starts again. */
  spawnFailing?: boolean;
  /** A check is being started (its spawn hook runs). */
  starting?: boolean;
}

/**
 * Runs each service's `check` (the `readiness` plugin loads this only when one exists): first
 * right after `run` starts, then DINIT_CHECK_INTERVAL seconds after the previous one started
 * (or at once when it ran longer), killed after DINIT_CHECK_TIMEOUT. A check never outlives its
 * run: it is killed when run ends or the stop begins. Checks go through the kernel's spawn path
 * (the reaper knows them) as probes: their exit is no program's exit, their output no log line.
 */
export class CheckRunner {
  private readonly checks = new Map<string, ServiceCheck>();
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  private stopped = false;

  constructor(
    private readonly kernel: Kernel,
    files: Map<string, { file: string; dir: string }>,
  ) {
    for (const [service, { file, dir }] of files) this.checks.set(service, { service, file, dir });
    this.intervalMs = kernel.config.checkInterval * 1000;
    this.timeoutMs = (kernel.config.checkTimeout ?? kernel.config.checkInterval) * 1000;
  }

  has(service: string): boolean {
    return this.checks.has(service);
  }

  runStarted(run: Program): void {
    const state = this.checks.get(run.service);
    if (!state || this.stopped) return;
    this.cancel(state);
    state.run = run;
    // A new run (a restart): its readiness is news again, whatever the last one's was.
    state.logged = undefined;
    this.kernel.readiness.set(run.service, false, 'waiting for the first check', '');
    void this.runCheck(state);
  }

  runEnded(service: string): void {
    const state = this.checks.get(service);
    if (!state) return;
    state.run = undefined;
    this.cancel(state);
  }

  stopAll(): void {
    this.stopped = true;
    for (const state of this.checks.values()) this.cancel(state);
  }

  /** A check exited (the exit hook): reads what it wrote, records the result, schedules the next. */
  async checkExited(program: Program, status: ExitStatus): Promise<void> {
    const state = this.checks.get(program.service);
    const current = state?.current;
    if (!state || !current || current.program !== program) return;
    clearTimeout(current.killTimer);
    await Promise.race([current.output, new Promise((resolve) => setTimeout(resolve, OUTPUT_GRACE_MS).unref())]);
    current.reader.destroy();
    state.current = undefined;
    // Killed because run ended or the stop began: no result to report.
    if (!state.run || state.run.state !== 'running' || this.stopped) return;
    // A new run started meanwhile (a restart): this result was about the old one; check the new one now.
    if (state.run !== current.run) return void this.runCheck(state);
    const output = current.tail.toString('utf8');
    const ready = status.code === 0;
    const why = current.timedOut
      ? `check timed out after ${this.timeoutMs / 1000} s`
      : status.code !== null
        ? `check exited with status ${status.code}`
        : `check was killed by signal ${status.signal}`;
    this.record(state, ready, why, output);
    this.schedule(state, current.startedAt);
  }

  private record(state: ServiceCheck, ready: boolean, why: string, output?: string): void {
    this.kernel.readiness.set(state.service, ready, ready ? 'check passed' : why, output ?? '');
    const label = `${state.service}/check`;
    if (ready && state.logged !== true) this.kernel.log.info(`${label}: ready`);
    else if (!ready && state.logged === true) this.kernel.log.warn(`${label}: not ready: ${why}`);
    else if (!ready && state.logged === undefined) this.kernel.log.debug(`${label}: not ready yet: ${why}`);
    // Not ready before the first success stays "not yet" (debug); after one, it is a change (warning).
    state.logged = ready ? true : state.logged === undefined ? undefined : false;
  }

  private schedule(state: ServiceCheck, lastStart: number): void {
    if (this.stopped || !state.run) return;
    const wait = Math.max(0, lastStart + this.intervalMs - Date.now());
    state.next = setTimeout(() => {
      state.next = undefined;
      void this.runCheck(state);
    }, wait);
    // The checks alone never keep dinit alive.
    state.next.unref();
  }

  private async runCheck(state: ServiceCheck): Promise<void> {
    const run = state.run;
    // One check at a time, counting one still being started (the spawn hook may take a while).
    if (!run || state.current || state.starting || this.stopped || this.kernel.stopping) return;
    const startedAt = Date.now();
    state.starting = true;
    let fds: [number, number] | undefined;
    let program: Program;
    try {
      fds = this.kernel.pipe();
      const env = { ...process.env, DINIT_PID: String(run.pid) };
      const stdio = { stdin: 'ignore' as const, stdout: fds[1], stderr: fds[1], probe: true };
      program = await this.kernel.spawn({ service: state.service, stage: 'check', argv: [state.file], cwd: state.dir, env }, stdio);
    } catch (error) {
      state.starting = false;
      if (fds) fds.forEach(closeQuietly);
      const why = `cannot run the check: ${describeError(error)}`;
      if (!state.spawnFailing) this.kernel.log.warn(`${state.service}/check: ${why}`);
      state.spawnFailing = true;
      if (state.run === run) {
        this.record(state, false, why);
        this.schedule(state, startedAt);
      } else if (state.run && !this.stopped) void this.runCheck(state);
      return;
    }
    state.starting = false;
    state.spawnFailing = false;
    closeQuietly(fds[1]);
    if (state.run !== run || this.stopped) {
      // Run ended (or was replaced) or the stop began while the check was being started: it
      // must not outlive them, and its result would be about nothing. A new run is checked now.
      closeQuietly(fds[0]);
      this.kill(program);
      if (state.run && !this.stopped) void this.runCheck(state);
      return;
    }
    const reader = new net.Socket({ fd: fds[0], readable: true, writable: false });
    reader.unref();
    const current = { run, program, startedAt, tail: Buffer.alloc(0), timedOut: false, reader, output: Promise.resolve(), killTimer: undefined as NodeJS.Timeout | undefined };
    current.output = new Promise<void>((resolve) => {
      reader.on('data', (chunk: Buffer) => {
        const all = current.tail.length + chunk.length;
        current.tail = all <= CHECK_OUTPUT_LIMIT ? Buffer.concat([current.tail, chunk]) : Buffer.concat([current.tail, chunk]).subarray(all - CHECK_OUTPUT_LIMIT);
      });
      reader.on('end', resolve);
      reader.on('close', resolve);
      reader.on('error', () => resolve());
    });
    state.current = current;
    current.killTimer = setTimeout(() => {
      current.timedOut = true;
      this.kill(program);
    }, this.timeoutMs);
    current.killTimer.unref();
  }

  /** Clears the next check and kills the running one. */
  private cancel(state: ServiceCheck): void {
    clearTimeout(state.next);
    state.next = undefined;
    if (state.current) {
      clearTimeout(state.current.killTimer);
      this.kill(state.current.program);
    }
  }

  /** SIGKILL cannot be ignored: once per check is enough (the stop and run's exit may both ask). */
  private readonly killed = new WeakSet<Program>();

  private kill(program: Program): void {
    if (program.state !== 'running' || this.killed.has(program)) return;
    this.killed.add(program);
    this.kernel.signal(program, 'SIGKILL');
  }
}
