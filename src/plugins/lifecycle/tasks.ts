import path = require('node:path');
import { FatalError } from '../../hooks/guard';
import type { ExitStatus, Program } from '../../hooks/types';
import { MAX_HOOK_TIMEOUT } from '../../kernel/config';
import { escapeControl } from '../../kernel/escape';
import type { Kernel, Plugin } from '../../kernel/kernel';
import { formatProblem } from '../tree/service-checks';
import { scanTasks, type TaskFolder } from './task-folder';

/**
 * `tasks`: init and finish tasks (s6-overlay's cont-init.d / cont-finish.d). The executables of
 * DINIT_INIT_DIR (default /etc/dinit/init.d) run one at a time, in byte order, before any
 * program starts; those of DINIT_FINISH_DIR (default /etc/dinit/finish.d) once every program
 * has exited, before dinit exits. Each runs in its folder, stdin /dev/null, logged as
 * `<file>/init` or `<file>/finish`. An init task that fails stops dinit (status 1) before any
 * program starts; a SIGTERM during the init phase stops the running task and starts nothing.
 * A finish task's failure is a warning; finish tasks run within DINIT_STOP_TIMEOUT (one still
 * running when it passes gets SIGKILL from `stop-deadline`; later ones are not started).
 * Folders that do not exist mean no tasks; a bad folder stops dinit at start-up.
 */
export const tasks: Plugin = {
  name: 'tasks',
  apply(kernel) {
    let current: Program | undefined;
    let stopBegan: number | undefined;
    kernel.hooks.stopping.tap('tasks', () => {
      stopBegan = Date.now();
      // Only an init task can be running now: it is stopped like a program, the usual deadlines apply.
      if (current?.state === 'running') kernel.signal(current, 'SIGTERM');
    });
    // After `runit-dir` and `restart` (stage 0): a broken tree stops dinit before any task runs.
    // Init tasks may run long (migrations): the tap's deadline is the longest there is.
    kernel.hooks.load.tapPromise({ name: 'tasks', stage: 10, timeout: MAX_HOOK_TIMEOUT }, async (services, config) => {
      const init = scanTasks(config.initDir);
      const finish = scanTasks(config.finishDir);
      const problems = [...(init?.problems ?? []), ...(finish?.problems ?? [])];
      if (problems.length > 0) {
        const more = problems.length > 1 ? ` (and ${problems.length - 1} more: "dinit check" lists them all)` : '';
        throw new FatalError(`${formatProblem(problems[0])}${more}`);
      }
      if (finish && finish.names.length > 0) {
        kernel.hooks.beforeExit.tapPromise({ name: 'tasks', timeout: MAX_HOOK_TIMEOUT }, () => runFinish(kernel, finish, () => stopBegan));
      }
      for (const name of init?.names ?? []) {
        if (kernel.stopping) break;
        const task = await kernel.tasks.run(request(kernel, init!, name, 'init'));
        current = task.program;
        const status = await task.exited;
        current = undefined;
        if (kernel.stopping) break;
        if (failed(status)) throw new FatalError(`${task.program.service}/init: init task failed with ${how(status)}; no program was started`);
      }
      return services;
    });
  },
};

async function runFinish(kernel: Kernel, folder: TaskFolder, stopBegan: () => number | undefined): Promise<void> {
  const { stopTimeout, stopDelay } = kernel.config;
  for (const name of folder.names) {
    const began = stopBegan();
    if (stopTimeout !== undefined && began !== undefined && Date.now() >= began + (stopDelay + stopTimeout) * 1000) {
      kernel.log.warn(`${escapeControl(name)}/finish: not run: DINIT_STOP_TIMEOUT (${stopTimeout} s) has passed`);
      continue;
    }
    let task;
    try {
      task = await kernel.tasks.run(request(kernel, folder, name, 'finish'));
    } catch (error) {
      kernel.log.warn(`${escapeControl(name)}/finish: error running: ${(error as Error).message}`);
      continue;
    }
    const status = await task.exited;
    if (failed(status)) kernel.log.warn(`${task.program.service}/finish: finish task failed with ${how(status)}`);
  }
}

function request(kernel: Kernel, folder: TaskFolder, name: string, stage: 'init' | 'finish') {
  kernel.log.info(`${escapeControl(name)}/${stage}: starting`);
  return { service: escapeControl(name), stage, argv: [path.join(folder.dir, name)], cwd: folder.dir, env: process.env };
}

function failed(status: ExitStatus): boolean {
  return status.code !== 0;
}

function how(status: ExitStatus): string {
  return status.code !== null ? `status ${status.code}` : `signal ${status.signal}`;
}
