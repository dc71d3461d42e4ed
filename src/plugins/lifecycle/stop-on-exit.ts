import type { Plugin } from '../../kernel/kernel';
import { DISABLED_STATUS } from '../../kernel/kernel';

/** How long `run` may outlive its `log/run` before that counts as the log program failing. */
const LOG_EXIT_GRACE_MS = 10;

/**
 * `stop-on-exit`: when any program exits the whole container stops, so the orchestrator
 * decides what happens next — except a `run` exiting with 115 ("disabled itself"), and a
 * `term` program finishing. A `log/run` that exits while its `run` still runs 10 ms later
 * stops the container too. If every program has disabled itself, there is nothing left
 * to supervise and dinit stops (status 0).
 */
export const stopOnExit: Plugin = {
  name: 'stop-on-exit',
  apply(kernel) {
    kernel.hooks.exit.tapPromise('stop-on-exit', async (program, status) => {
      // A term program finishing, or a readiness check (a probe), says nothing about the container.
      if (program.stage === 'term' || program.stage === 'check' || program.probe) return true;
      if (program.origin === 'spawned' && program.stage === 'run' && status.code === DISABLED_STATUS) {
        const anyRunning = kernel.reruns.pending > 0 || kernel.programs.all().some((p) => p.stage === 'run' || p.origin === 'adopted');
        if (!anyRunning) kernel.stop({ kind: 'request', why: 'every program disabled itself' });
        return true;
      }
      if (program.origin === 'spawned' && program.stage === 'log') {
        setTimeout(() => {
          if (kernel.programs.find(program.service, 'run')) kernel.stop({ kind: 'exit', program });
        }, LOG_EXIT_GRACE_MS);
        return true;
      }
      kernel.stop({ kind: 'exit', program });
      return true;
    });
  },
};
