import { createHooks, STAGE, type Hooks } from '../hooks/hooks';
import type { ExitStatus, Orphan, Program, ServiceSpec, SpawnRequest, StopReason } from '../hooks/types';
import type { Config } from './config';
import { describeError } from './errors';
import { ExitGate } from './exit-gate';
import { createLogger, finishedText, type LogFormat, type Logger } from './log';
import { Orphans } from './orphans';
import { OutputPipeline } from './output-pipeline';
import { ProcessTable } from './process-table';
import { Processes, type Stdio } from './processes';
import { Reaper } from './reaper';
import { startService } from './service-start';
import { signalProgram } from './signal-program';
import { reportSlowStop, waitedProgram } from './slow-stop';
import type { SysCalls } from '../sys';

/** Exit statuses, as Go dinit uses them. */
export const EXIT = Object.freeze({ SUCCESS: 0, DINIT_FAILURE: 1, SERVICE_FAILURE: 3 });
/** `run` exiting with this status means "disabled itself": nothing else happens. */
export const DISABLED_STATUS = 115;

/** A plugin: a plain object. Built-ins and bundles alike. */
export interface Plugin<Options = unknown> {
  name: string;
  apply(kernel: Kernel, options: Options): void;
}

export interface KernelOptions {
  config: Config;
  sys: SysCalls;
  pid?: number;
  fds?: { stdout: number; stderr: number };
  /** How dinit's own messages are written (DINIT_LOG_FORMAT; default Go's text lines). */
  logFormat?: LogFormat;
}

/**
 * The kernel: owns the hooks, the process table, the output pipeline and the reaper;
 * decides the exit status. Every policy (what a service is, how lines look, what to do
 * with orphans, how to stop a program, what an exit means) lives in plugins.
 */
export class Kernel {
  readonly hooks: Hooks;
  readonly config: Readonly<Config>;
  readonly log: Logger;
  readonly STAGE = STAGE;
  readonly programs = new ProcessTable();
  readonly pid: number;
  services: ServiceSpec[] = [];
  private readonly sys: SysCalls;
  private readonly output: OutputPipeline;
  private readonly processes: Processes;
  private readonly reaper: Reaper;
  private readonly orphans: Orphans;
  private readonly exitGate: ExitGate;
  private stopReason: StopReason | undefined;
  private exitCode: number | undefined;
  private firstError: Error | undefined;
  private foreignChildren = 0;
  /** The services' program files (known once loaded): a process still naming one has not exec'd yet. */
  private programFiles = new Set<string>();
  private finishing = false;
  private resolveDone: (code: number) => void = () => {};
  private readonly done = new Promise<number>((resolve) => (this.resolveDone = resolve));

  constructor(options: KernelOptions) {
    this.config = Object.freeze({ ...options.config });
    this.pid = options.pid ?? process.pid;
    this.sys = options.sys;
    this.hooks = createHooks(() => this.log, this.config.hookTimeouts);
    const fds = options.fds ?? { stdout: 1, stderr: 2 };
    this.output = new OutputPipeline(this.hooks, this.config.maxLine, fds, (fd, error) => this.outputBroken(fd, error));
    this.log = createLogger(this.config.logLevel, (text) => this.output.stderr.write(text), options.logFormat);
    this.output.whenIdle(() => this.maybeFinish());
    this.processes = new Processes(
      this.hooks,
      this.programs,
      this.output,
      this.log,
      (p, s) => void this.programExited(p, s),
      () => this.sys.pipe(),
    );
    this.orphans = new Orphans(this);
    this.reaper = new Reaper(this.pid, options.sys, this.log, {
      isOwn: (pid) => this.programs.get(pid)?.origin === 'spawned',
      isProgramCopy: (cmdline) => this.isProgramCopy(cmdline),
      reparented: (orphan) => void this.orphans.decide(orphan),
      reaped: (pid, result) => this.orphans.reaped(pid, result),
      scanned: (foreign) => {
        this.foreignChildren = foreign;
        this.maybeFinish();
      },
    });
    this.orphans.attach(this.reaper);
    this.exitGate = new ExitGate(this.output, {
      busy: () => this.programs.size > 0 || this.foreignChildren > 0 || this.orphans.pending > 0,
      childrenNow: () => this.reaper.childrenNow(),
      requestScan: () => this.reaper.request(),
      finish: () => void this.finish(),
    });
  }

  /** Applies a plugin; a plugin that throws here is a configuration error. */
  use<O>(plugin: Plugin<O>, options: O): void {
    try {
      plugin.apply(this, options);
    } catch (error) {
      throw new Error(`plugin ${plugin.name} failed to apply: ${describeError(error)}`);
    }
  }

  /** Whether the container stop has begun. */
  get stopping(): boolean {
    return this.stopReason !== undefined;
  }

  /** Records the exit status; the first cause wins. */
  setExitCode(code: number, error?: Error): void {
    if (this.exitCode === undefined) this.exitCode = code;
    if (error && !this.firstError) this.firstError = error;
  }

  /** Loads the services, starts them and the reaper; resolves with the exit status. */
  async run(): Promise<number> {
    // Start-up ran without yielding to the event loop, so a SIGTERM that arrived meanwhile
    // still waits in libuv's signal pipe: one turn (poll, then check) lets it stop us first.
    await new Promise((resolve) => setImmediate(resolve));
    // A SIGTERM during start-up already stopped (and finished) the kernel: start nothing.
    if (this.stopping) return this.done;
    this.reaper.start();
    try {
      this.services = await this.hooks.load.promise([], this.config as Config);
      this.programFiles = new Set(this.services.flatMap((spec) => [spec.run[0], ...(spec.log ? [spec.log.argv[0]] : [])]));
    } catch (error) {
      this.fail(error);
      return this.done;
    }
    if (this.stopping) return this.done;
    if (this.services.length === 0) {
      this.log.warn('no services found, exiting');
      this.stop({ kind: 'request', why: 'no services' });
      return this.done;
    }
    await Promise.all(this.services.map((spec) => this.startService(spec)));
    return this.done;
  }

  /** The one way to start a process; see Processes.spawn. */
  async spawn(request: SpawnRequest, stdio: Stdio, spec?: ServiceSpec): Promise<Program> {
    const program = await this.processes.spawn(request, stdio, spec);
    // Started during the stop (a term program, a late log): the stop now waits for it too. A `run` is
    // reported from its SIGTERM on (stopProgram).
    if (this.stopping && program.stage !== 'run') this.reportWait(program, 'it started');
    return program;
  }

  /** Takes a reparented process over as a program: waited for, stopped with the others. */
  adopt(orphan: Orphan): Program {
    return this.orphans.adopt(orphan);
  }

  /** SIGTERM now, SIGKILL after DINIT_KILL_TIMEOUT if it is still alive. */
  terminate(orphan: Orphan): void {
    this.orphans.terminate(orphan);
  }

  /**
   * Reparented processes being terminated (now or later) get SIGKILL at `at` (ms since epoch)
   * at the latest instead of only after DINIT_KILL_TIMEOUT; `warning` is logged for each first.
   */
  killReparentedBy(at: number, warning: string): void {
    this.orphans.killBy(at, warning);
  }

  /**
   * Logs the lines of a stream under `<service>/<stage>` (e.g. an adopted process's new
   * stdout): a readable stream, or the read end of a pipe as an fd (which dinit then owns
   * and closes at EOF; the faster path).
   */
  attachOutput(source: NodeJS.ReadableStream | number, service: string, stage: string, stream: 'stdout' | 'stderr'): Promise<void> {
    if (typeof source === 'number') return this.output.attachFd(source, service, stage, stream);
    return this.output.attach(source as never, service, stage, stream);
  }

  /**
   * Whether `cmdline` still names one of the services' program files (`/bin/sh /etc/service/x/run`):
   * a fork of a run script that has not exec'd yet. Static: the program itself may have exec'd since.
   */
  private isProgramCopy(cmdline: string): boolean {
    return cmdline.split(' ').some((word) => this.programFiles.has(word));
  }

  /** Waits until everything logged so far has been written. */
  flush(): Promise<void> {
    return this.output.drained();
  }

  /** Starts one service (service-start.ts): `run`, and `log` reading run's stdout when there is one. */
  private startService(spec: ServiceSpec): Promise<void> {
    return startService(spec, {
      log: this.log,
      stopping: () => this.stopping,
      pipe: () => this.sys.pipe(),
      spawn: (request, stdio) => this.spawn(request, stdio, spec),
      stopRun: (run) => void this.stopProgram(run),
      failRun: (error) => this.fail(error),
      failLog: (error) => {
        this.setExitCode(EXIT.DINIT_FAILURE);
        this.stop({ kind: 'error', error });
      },
    });
  }

  /** Begins the container stop: every program's `run` and every adopted process is asked to end. */
  stop(reason: StopReason): void {
    if (this.stopReason) return;
    this.stopReason = reason;
    this.hooks.stopping.call(reason);
    this.reaper.hurry();
    for (const program of this.programs.all()) {
      if (program.state !== 'running') continue;
      if (program.stage === 'run' || program.origin === 'adopted') void this.stopProgram(program);
      // The others (log, term) are not signalled, but the stop waits for them: say so if it lasts.
      else this.reportWait(program, 'the stop began');
    }
    this.orphans.stopAll();
    this.maybeFinish();
  }

  /** SIGTERM or SIGINT arrived. */
  onSignal(signal: number): void {
    if (this.stopping) {
      this.log.info(`got signal ${signal}, already terminating services`);
      return;
    }
    this.log.info(`got signal ${signal}, terminating services`);
    // Programs may complain about being stopped; a requested stop is still a success.
    this.setExitCode(EXIT.SUCCESS);
    this.stop({ kind: 'signal', signal });
  }

  /** A signal other than TERM/INT/CHLD arrived (one dinit was asked to forward). */
  onOtherSignal(signal: NodeJS.Signals): void {
    this.hooks.signal.call(signal);
  }

  /** A signal whose default action would kill or stop dinit arrived, and nobody asked to forward it. */
  onStraySignal(signal: NodeJS.Signals): void {
    this.log.info(`got signal ${signal}, ignoring it`);
  }

  /** SIGCHLD arrived: scan for orphans and zombies (coalesced). */
  onChildSignal(): void {
    this.reaper.childExited();
  }

  private async stopProgram(program: Program): Promise<void> {
    this.log.info(`${program.service}/${program.stage}: terminating`);
    const handled = program.origin === 'spawned' ? await this.hooks.shutdown.promise(program) : undefined;
    if (program.state !== 'running') return;
    if (!handled) this.signal(program, 'SIGTERM');
    this.reportWait(program, handled ? 'the stop began' : 'SIGTERM');
  }

  private reportWait(program: Program, how: string): void {
    reportSlowStop(this.log, program, waitedProgram(program), how);
  }

  /** Sends a signal to a program still running, logging it as Go dinit does (SIGTERM: then SIGCONT). */
  signal(program: Program, signal: 'SIGTERM' | 'SIGKILL' | NodeJS.Signals): void {
    signalProgram(this.log, program, signal);
  }

  /** A program (spawned or adopted) ended: log it, set the status, let `exit` taps decide. */
  async programExited(program: Program, status: ExitStatus): Promise<void> {
    program.state = 'exited';
    program.exit = status;
    this.programs.delete(program.pid);
    const label = `${program.service}/${program.stage}`;
    const disabled = program.stage === 'run' && program.origin === 'spawned' && status.code === DISABLED_STATUS;
    if (disabled) this.log.info(`${label}: PID ${program.pid} finished and disabled itself`);
    else this.log.info(`${label}: ${finishedText(program.pid, status)}`);
    if (status.code !== null && status.code !== 0 && !disabled) this.setExitCode(EXIT.SERVICE_FAILURE);
    if (status.signal !== null && !this.stopping) this.setExitCode(EXIT.SERVICE_FAILURE);
    await this.hooks.exit.promise(program, status);
    this.maybeFinish();
  }

  /** A fatal error: status 1, stop everything, report it at exit. */
  fail(error: unknown): void {
    const err = error instanceof Error ? error : new Error(String(error));
    this.setExitCode(EXIT.DINIT_FAILURE, err);
    this.stop({ kind: 'error', error: err });
  }

  /** Exits once stopping, with no program, no foreign child, and every pipe drained (exit-gate.ts). */
  private maybeFinish(): void {
    if (!this.stopReason || this.finishing) return;
    this.exitGate.check();
  }

  private async finish(): Promise<void> {
    if (this.finishing) return;
    this.finishing = true;
    this.exitGate.cancel();
    this.reaper.stop();
    const code = this.exitCode ?? EXIT.SUCCESS;
    if (this.firstError) this.log.error(`exiting: ${this.firstError.message}`);
    this.log.info(`dinit exiting with status ${code}`);
    await this.output.drained();
    this.resolveDone(code);
  }

  private outputBroken(fd: number, error: Error): void {
    // Keep supervising: a gone reader must not take the container's programs down.
    if (fd !== 2) this.log.warn(`error writing stdout: ${describeError(error)}; further stdout output is discarded`);
  }
}
