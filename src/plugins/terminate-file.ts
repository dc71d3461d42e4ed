import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Plugin } from '../kernel/kernel';

/** Names of the stop program in a service folder, in order of preference. */
export const TERMINATE_FILES = ['terminate', 'finish'];

/**
 * `terminate-file`: stops a program by running `<dir>/terminate` (or `finish`, the name
 * runit images use; `terminate` wins) with `DINIT_PID=<pid of run>`, logged as stage
 * `term`. Without such a file — or when it cannot be started — the kernel sends SIGTERM.
 */
export const terminateFile: Plugin = {
  name: 'terminate-file',
  apply(kernel) {
    kernel.hooks.shutdown.tapPromise('terminate-file', async (program) => {
      if (program.stage !== 'run' || !program.spec) return undefined;
      const spec = program.spec;
      const file = TERMINATE_FILES.map((name) => path.join(spec.dir, name)).find((f) => fs.existsSync(f));
      if (!file) return undefined;
      try {
        await kernel.spawn(
          {
            service: program.service,
            stage: 'term',
            argv: [file],
            cwd: spec.dir,
            env: { ...process.env, DINIT_PID: String(program.pid) },
          },
          { stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' },
          spec,
        );
        return true;
      } catch (error) {
        kernel.log.warn(`${program.service}/term: error running: ${(error as Error).message}; sending SIGTERM instead`);
        return undefined;
      }
    });
  },
};
