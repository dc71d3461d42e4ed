import type { ExitStatus, Program, SpawnRequest } from '../hooks/types';
import type { Stdio } from './processes';

/** A one-off task dinit started (an init or finish task): the process, and its exit to come. */
export interface Task {
  program: Program;
  exited: Promise<ExitStatus>;
}

/**
 * One-off tasks (the built-in `tasks`: init and finish tasks) start through the one spawn
 * path like any program — recorded in the process table, reaped by libuv, their output
 * logged — but their exit is only reported to whoever started them: it sets no exit status
 * and fires no `exit` hook (a task is not a program whose end stops the container).
 */
export class Tasks {
  private readonly waiting = new Map<Program, (status: ExitStatus) => void>();

  constructor(private readonly spawn: (request: SpawnRequest, stdio: Stdio) => Promise<Program>) {}

  /** Starts a task: stdin /dev/null, its output logged as `<service>/<stage>`; `exited` settles with its status. */
  async run(request: SpawnRequest): Promise<Task> {
    const program = await this.spawn(request, { stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' });
    // Its exit is reported in a later event-loop turn (child 'exit', then its pipes): registered in time.
    const exited = new Promise<ExitStatus>((resolve) => this.waiting.set(program, resolve));
    return { program, exited };
  }

  /** A program ended: true (and its starter told) when it was a task. */
  exited(program: Program, status: ExitStatus): boolean {
    const resolve = this.waiting.get(program);
    if (!resolve) return false;
    this.waiting.delete(program);
    resolve(status);
    return true;
  }
}
