import { spawn as spawnChild, type ChildProcess, type StdioOptions } from 'node:child_process';
import { constants } from 'node:os';
import type { Hooks } from '../hooks/hooks';
import type { ExitStatus, Program, ServiceSpec, SpawnRequest } from '../hooks/types';
import { describeError } from './errors';
import type { Logger } from './log';
import type { OutputPipeline } from './output-pipeline';
import type { ProcessTable } from './process-table';

/** Where a new program's fds come from: a pipe to dinit, an fd dinit owns, or /dev/null. */
export interface Stdio {
  stdin: 'ignore' | number;
  stdout: 'pipe' | number;
  stderr: 'pipe' | number;
  /** Service and stage under which its stdout lines are logged (log/run logs as `run`). */
  stdoutStage?: string;
}

/** How long an exited program's pipes may stay open (a daemon kept them) before its exit is reported anyway. */
const EXIT_PIPE_GRACE_MS = 100;

/**
 * The one spawn path: runs the `spawn` hook, starts the process, records its pid in
 * the table in the same tick, wires its pipes into the output pipeline, and reports
 * its exit once its pipes are drained (or after a short grace if something keeps them open).
 */
export class Processes {
  constructor(
    private readonly hooks: Hooks,
    private readonly table: ProcessTable,
    private readonly output: OutputPipeline,
    private readonly log: Logger,
    private readonly onExit: (program: Program, status: ExitStatus) => void,
  ) {}

  /** Starts a program; resolves with it, or rejects with a clear error (nothing is left running). */
  async spawn(request: SpawnRequest, stdio: Stdio, spec?: ServiceSpec): Promise<Program> {
    const final = await this.hooks.spawn.promise(request);
    const [file, ...args] = final.argv;
    if (!file) throw new Error(`${final.service}/${final.stage}: empty argv`);
    let child: ChildProcess;
    try {
      child = spawnChild(file, args, {
        cwd: final.cwd,
        env: final.env,
        stdio: [stdio.stdin, stdio.stdout, stdio.stderr] as StdioOptions,
      });
    } catch (error) {
      throw new Error(`${file}: ${describeError(error)}`);
    }
    if (child.pid === undefined) {
      const error = await new Promise<Error>((resolve) => child.once('error', resolve));
      throw new Error(`${file}: ${describeError(error)}`);
    }
    const program: Program = {
      service: final.service,
      stage: final.stage,
      pid: child.pid,
      origin: 'spawned',
      startedAt: Date.now(),
      state: 'running',
      spec,
    };
    this.table.add(program);
    this.log.info(`${program.service}/${program.stage}: running with PID ${program.pid}`);
    const streams: Array<Promise<void>> = [];
    if (child.stdout) streams.push(this.output.attach(child.stdout, program.service, stdio.stdoutStage ?? program.stage, 'stdout'));
    if (child.stderr) streams.push(this.output.attach(child.stderr, program.service, program.stage, 'stderr'));
    this.watchExit(child, program, streams);
    this.hooks.started.call(program);
    return program;
  }

  private watchExit(child: ChildProcess, program: Program, streams: Array<Promise<void>>): void {
    child.once('exit', (code, signalName) => {
      // libuv has reaped it: its pid may be reused from now on, so nothing may signal it
      // (kernel.signal checks the state) even while its last lines are still being read.
      program.state = 'exited';
      const signal = signalName ? signalNumber(signalName) : null;
      const status: ExitStatus = { code: signal === null ? code : null, signal };
      // Report after the program's last lines: wait for its pipes, but not for a daemon that inherited them.
      let reported = false;
      const report = (): void => {
        if (reported) return;
        reported = true;
        clearTimeout(timer);
        this.onExit(program, status);
      };
      const timer = setTimeout(report, EXIT_PIPE_GRACE_MS);
      void Promise.all(streams).then(() => setImmediate(report));
    });
  }
}

function signalNumber(name: NodeJS.Signals): number {
  return constants.signals[name] ?? 0;
}
