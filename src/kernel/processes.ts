import { spawn as spawnChild, type ChildProcess, type StdioOptions } from 'node:child_process';
import fs = require('node:fs');
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
  /** A plugin's helper (Program.probe): logged at debug, its exit never sets dinit's status. */
  probe?: boolean;
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
    /** pipe2(O_CLOEXEC): [read end, write end]. */
    private readonly pipe: () => [number, number],
  ) {}

  /** Starts a program; resolves with it, or rejects with a clear error (nothing is left running). */
  async spawn(request: SpawnRequest, stdio: Stdio, spec?: ServiceSpec): Promise<Program> {
    const final = await this.hooks.spawn.promise(request);
    const [file, ...args] = final.argv;
    if (!file) throw new Error(`${final.service}/${final.stage}: empty argv`);
    // dinit makes the pipes itself (close-on-exec read ends) so it can read them into one
    // shared buffer (OutputPipeline.attachFd); the child gets the write ends as fd 1 and 2.
    const out = stdio.stdout === 'pipe' ? this.pipe() : undefined;
    const err = stdio.stderr === 'pipe' ? this.pipe() : undefined;
    /** Closes dinit's read (0) or write (1) ends of the pipes made here. */
    const closeEnds = (end: 0 | 1): void => {
      for (const pair of [out, err]) if (pair) closeQuietly(pair[end]);
    };
    let child: ChildProcess;
    try {
      child = spawnChild(file, args, {
        cwd: final.cwd,
        env: final.env,
        stdio: [stdio.stdin, out ? out[1] : stdio.stdout, err ? err[1] : stdio.stderr] as StdioOptions,
        // setsid(): a process group and session of its own, so a terminal's signals (Ctrl-C
        // under `docker run -it`) reach dinit alone, which then stops programs its way; and no
        // program can take dinit's controlling terminal. dinit signals the pid, or the whole group
        // (pgid = pid) when a plugin marks the program `signalGroup` (DINIT_SIGNAL_GROUP=1).
        detached: true,
      });
    } catch (error) {
      closeEnds(1);
      closeEnds(0);
      throw new Error(`${file}: ${describeError(error)}`);
    }
    // The child has its copies now (or never will): only it may hold the write ends, so EOF
    // means it (and whoever inherited them) is done.
    closeEnds(1);
    if (child.pid === undefined) {
      closeEnds(0);
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
    if (stdio.probe) program.probe = true;
    this.table.add(program);
    (stdio.probe ? this.log.debug : this.log.info).call(this.log, `${program.service}/${program.stage}: running with PID ${program.pid}`);
    const streams: Array<Promise<void>> = [];
    if (out) streams.push(this.output.attachFd(out[0], program.service, stdio.stdoutStage ?? program.stage, 'stdout'));
    if (err) streams.push(this.output.attachFd(err[0], program.service, program.stage, 'stderr'));
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

/** close(2), ignoring an fd that is already closed. */
export function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // already closed
  }
}
