import fs = require('node:fs');
import path = require('node:path');
import type { Program } from '../../hooks/types';
import type { Plugin } from '../../kernel/kernel';

/** Names of the stop program in a service folder, in order of preference. */
export const TERMINATE_FILES = ['terminate', 'finish'];
/**
 * How long `run` may outlive a `finish` that exited before it gets SIGTERM. runit runs
 * `finish` after `run` has exited (a clean-up script), so one brought over from runit
 * exits at once without stopping anything; `terminate` is dinit's own and is trusted to
 * have started the stop (dinit then waits, reporting it).
 */
export const FINISH_GRACE_MS = 2000;

/**
 * `terminate-file`: stops a program by running `<dir>/terminate` (or `finish`, the name
 * runit images use; `terminate` wins) with `DINIT_PID=<pid of run>`, logged as stage
 * `term`. Without such a file — or when it cannot be started — the kernel sends SIGTERM.
 *
 * A term program that fails (non-zero status or a signal) while `run` still runs falls
 * back to SIGTERM too: otherwise nothing would ever stop `run` and the container would
 * hang until the orchestrator's SIGKILL. A term program still running once its `run`
 * has ended has nothing left to stop: it gets SIGTERM, so it cannot hold the exit.
 * A `finish` that exited while `run` still runs FINISH_GRACE_MS later: `run` gets SIGTERM.
 * Each of these fallbacks sends the program's own stop signal (`down-signal`) instead when it has one.
 */
export const terminateFile: Plugin = {
  name: 'terminate-file',
  apply(kernel) {
    /** The `run` each running term program was started to stop, and which file it runs. */
    const stopping = new Map<Program, { run: Program; file: string }>();
    kernel.hooks.shutdown.tapPromise('terminate-file', async (program) => {
      if (program.stage !== 'run' || !program.spec || program.spec.fromCommandLine || program.state !== 'running') return undefined;
      const spec = program.spec;
      const file = TERMINATE_FILES.map((name) => path.join(spec.dir, name)).find((f) => fs.existsSync(f));
      if (!file) return undefined;
      try {
        const term = await kernel.spawn(
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
        stopping.set(term, { run: program, file: path.basename(file) });
        return true;
      } catch (error) {
        kernel.log.warn(`${program.service}/term: error running: ${(error as Error).message}; sending ${kernel.stopSignalOf(program)} instead`);
        return undefined;
      }
    });
    // Taps `exit` before `stop-on-exit` (applied earlier) and never bails: it only reacts.
    kernel.hooks.exit.tapPromise('terminate-file', async (program, status) => {
      if (program.origin !== 'spawned') return undefined;
      if (program.stage === 'term') {
        const entry = stopping.get(program);
        stopping.delete(program);
        if (!entry || entry.run.state !== 'running') return undefined;
        const { run, file } = entry;
        const failed = status.code !== 0;
        if (failed) {
          const how = status.code !== null ? `status ${status.code}` : `signal ${status.signal}`;
          kernel.log.warn(`${program.service}/term: failed with ${how}; sending ${kernel.stopSignalOf(run)} instead`);
          kernel.signal(run, kernel.stopSignalOf(run));
        } else if (file === 'finish') {
          setTimeout(() => {
            if (run.state !== 'running') return;
            kernel.log.warn(
              `${program.service}/term: ${program.service}/run is still running ${FINISH_GRACE_MS / 1000} s after finish exited ` +
                `(runit runs finish after run has stopped, so it does not stop run); sending ${kernel.stopSignalOf(run)}`,
            );
            kernel.signal(run, kernel.stopSignalOf(run));
          }, FINISH_GRACE_MS);
        }
      } else if (program.stage === 'run') {
        for (const [term, { run }] of stopping) {
          if (run !== program || term.state !== 'running') continue;
          kernel.log.trace(`${term.service}/term: ${run.service}/run has ended, stopping its terminate program`);
          kernel.signal(term, 'SIGTERM');
        }
      }
      return undefined;
    });
  },
};
