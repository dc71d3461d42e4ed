import { createHooks, STAGE, type Hooks } from '../hooks/hooks';
import type { ExitStatus, Program, ServiceSpec, SpawnRequest, StopReason } from '../hooks/types';
import type { Config } from './config';
import { describeError } from './errors';
import { ExitGate } from './exit-gate';
import { ExitRecord, failureStatus, type FailureExitCode } from './exit-status';
import { createLogger, type LogFormat, type Logger } from './log';
import { Children } from './children';
import { KernelPrimitives } from './kernel-primitives';
import { OutputPipeline } from './output-pipeline';
import { ProcessTable } from './process-table';
import { ReadinessTable } from './readiness-table';
import { Processes, type Stdio } from './processes';
import { Reruns } from './reruns';
import { startService } from './service-start';
import { signalProgram } from './signal-program';
import { reportWait } from './slow-stop';
import { describeExit, stopProgram } from './program-end';
import { Tasks } from './tasks';
import type { SysCalls } from '../sys';

/** Exit statuses, as Go dinit uses them. */
export const EXIT = Object.freeze({ SUCCESS: 0, DINIT_FAILURE: 1, SERVICE_FAILURE: 3 });
/** `run` exiting with this status means "disabled itself": nothing else happens. */
export { DISABLED_STATUS } from './program-end';

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
  /** `dinit [--] CMD [ARG…]`: the command line to run as one more program (CMD mode). */
  command?: readonly string[];
  /** How dinit's own messages are written (DINIT_LOG_FORMAT; default Go's text lines). */
  logFormat?: LogFormat;
}

/**
 * The kernel: owns the hooks, the process table, the output pipeline and the reaper;
 * decides the exit status. Every policy (what a service is, how lines look, what to do
 * with orphans, how to stop a program, what an exit means) lives in plugins.
 */
export class Kernel extends KernelPrimitives {
  readonly hooks: Hooks;
  readonly config: Readonly<Config>;
  readonly log: Logger;
  readonly STAGE = STAGE;
  readonly programs = new ProcessTable();
  /** Services' readiness as plugins report it; `isReady(service)` answers for any service. */
  readonly readiness: ReadinessTable;
  /** When the kernel was made (ms since epoch): dinit's uptime. */
  readonly startedAt = Date.now();
  readonly pid: number;
  services: ServiceSpec[] = [];
  /** CMD mode's command line (`dinit [--] CMD [ARG…]`), as given; undefined otherwise. A plugin (`cmd-mode`) runs it. */
  readonly command: readonly string[] | undefined;
  /**
   * The exit status a failing program gives dinit (the first cause wins, setExitCode):
   * Go's 3 unless a plugin (`exit-code`) decides otherwise.
   */
  failureExitCode: FailureExitCode = () => EXIT.SERVICE_FAILURE;
  protected readonly sys: SysCalls;
  protected readonly output: OutputPipeline;
  private readonly processes: Processes;
  /** Children that are not programs: the reaper and the reparenting policy's primitives (children.ts). */
  protected readonly children: Children;
  private readonly exitGate: ExitGate;
  private stopReason: StopReason | undefined;
  /** The exit status being decided (exit-status.ts). */
  private readonly exit = new ExitRecord();
  /** Starting a service's `run` again (reruns.ts): the seam of the built-in `restart`. */
  readonly reruns: Reruns;
  /** One-off tasks (tasks.ts): exit sets no status, fires no `exit` hook. The seam of the built-in `tasks`. */
  readonly tasks: Tasks;
  private finishing = false;
  private resolveDone: (code: number) => void = () => {};
  private readonly done = new Promise<number>((resolve) => (this.resolveDone = resolve));

  constructor(options: KernelOptions) {
    super();
    this.config = Object.freeze({ ...options.config });
    this.pid = options.pid ?? process.pid;
    this.command = options.command;
    this.sys = options.sys;
    this.hooks = createHooks(() => this.log, this.config.hookTimeouts);
    this.readiness = new ReadinessTable(this.programs, (service, readiness) => this.hooks.ready.call(service, readiness));
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
    this.reruns = new Reruns({
      log: this.log,
      stopping: () => this.stopping,
      spawn: (request, stdio, spec) => this.spawn(request, stdio, spec),
      stopRun: (run) => void this.stopProgram(run),
      fail: (error) => this.fail(error),
      // A held run's exit does not end its service: the status it set is taken back.
      forgive: (program) => this.exit.forgive(program),
    });
    this.tasks = new Tasks((request, stdio) => this.spawn(request, stdio));
    this.children = new Children(this.pid, options.sys, this.log, this, () => this.maybeFinish());
    this.exitGate = new ExitGate(this.output, {
      busy: () => this.programs.size > 0 || this.children.busy,
      childrenNow: () => this.children.reaper.childrenNow(),
      requestScan: () => this.children.reaper.request(),
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
    this.exit.set(code, error);
  }

  /** Loads the services, starts them and the reaper; resolves with the exit status. */
  async run(): Promise<number> {
    // Start-up ran without yielding to the event loop, so a SIGTERM that arrived meanwhile
    // still waits in libuv's signal pipe: one turn (poll, then check) lets it stop us first.
    await new Promise((resolve) => setImmediate(resolve));
    // A SIGTERM during start-up already stopped (and finished) the kernel: start nothing.
    if (this.stopping) return this.done;
    this.children.reaper.start();
    try {
      this.services = await this.hooks.load.promise([], this.config as Config);
      this.children.knowPrograms(this.services);
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
      keepWriter: (fd) => this.reruns.keepWriter(spec, fd),
    });
  }

  /** Begins the container stop: every program's `run` and every adopted process is asked to end. */
  stop(reason: StopReason): void {
    if (this.stopReason) return;
    this.stopReason = reason;
    this.hooks.stopping.call(reason);
    this.children.reaper.hurry();
    for (const program of this.programs.all()) {
      if (program.state !== 'running') continue;
      if (program.stage === 'run' || program.origin === 'adopted') void this.stopProgram(program);
      // The others (log, term) are not signalled, but the stop waits for them: say so if it lasts.
      else this.reportWait(program, 'the stop began');
    }
    this.children.orphans.stopAll();
    this.reruns.releaseAll();
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
    this.children.reaper.childExited();
  }

  private stopProgram(program: Program): Promise<void> {
    return stopProgram(this, program);
  }

  /** The signal that stops a program: for a `run`, its service's `stopSignal` (set by a plugin), else SIGTERM. */
  stopSignalOf(program: Program): NodeJS.Signals {
    return (program.stage === 'run' ? program.spec?.stopSignal : undefined) ?? 'SIGTERM';
  }

  private reportWait(program: Program, how: string): void {
    reportWait(this.log, program, how);
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
    const ended = describeExit(program, status, this.stopping);
    this.log[ended.level](ended.line);
    // A plugin's helper (a readiness check): its exit is the plugin's business, not the container's.
    if (!program.probe) {
      if (this.tasks.exited(program, status)) return this.maybeFinish();
      if (ended.failed) this.exit.failed(program, failureStatus(this.log, this.failureExitCode, program, status, EXIT.SERVICE_FAILURE));
    }
    await this.hooks.exit.promise(program, status);
    if (!program.probe) this.reruns.exited(program);
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
    // Last tasks (finish tasks) run once everything else has ended; no tap, no wait.
    if (this.hooks.beforeExit.isUsed()) await this.hooks.beforeExit.promise();
    this.children.reaper.stop();
    const code = this.exit.final(EXIT.SUCCESS);
    if (this.exit.error) this.log.error(`exiting: ${this.exit.error.message}`);
    this.log.info(`dinit exiting with status ${code}`);
    await this.output.drained();
    this.resolveDone(code);
  }

  private outputBroken(fd: number, error: Error): void {
    // Keep supervising: a gone reader must not take the container's programs down.
    if (fd !== 2) this.log.warn(`error writing stdout: ${describeError(error)}; further stdout output is discarded`);
  }
}
