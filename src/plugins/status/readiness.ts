import fs = require('node:fs');
import path = require('node:path');
import type { Plugin } from '../../kernel/kernel';
import type { CheckRunner } from './readiness-checks';

/**
 * `readiness`: a service is ready while its `run` runs, or, when its folder has an executable
 * `check`, once that check last exited 0 (readiness-checks.ts runs them). Reports through
 * kernel.readiness (the `ready` hook, `dinit status`, /healthz). With no check file in the
 * tree this costs one stat per service at start-up: the runner is not even loaded.
 */
export const readiness: Plugin = {
  name: 'readiness',
  apply(kernel) {
    let runner: CheckRunner | undefined;
    // After runit-dir (stage 0) has listed the services; not at apply (`dinit check` applies too).
    kernel.hooks.load.tapPromise({ name: 'readiness', stage: 50 }, async (services) => {
      const checks = new Map<string, { file: string; dir: string }>();
      for (const spec of services) {
        const file = path.join(spec.dir, 'check');
        if (isFile(file)) checks.set(spec.name, { file, dir: spec.dir });
      }
      if (checks.size > 0) {
        // Loaded only when some service has a check: no module, no timer otherwise.
        const { CheckRunner: Runner } = require('./readiness-checks') as typeof import('./readiness-checks');
        runner = new Runner(kernel, checks);
      }
      return services;
    });
    kernel.hooks.started.tap('readiness', (program) => {
      if (program.stage !== 'run' || program.origin !== 'spawned') return;
      if (runner?.has(program.service)) runner.runStarted(program);
      else kernel.readiness.set(program.service, true, 'run is running');
    });
    // Before stop-on-exit (which bails): checks are handled here and go no further.
    kernel.hooks.exit.tapPromise('readiness', async (program, status) => {
      if (program.probe && program.stage === 'check') {
        await runner?.checkExited(program, status);
        return true;
      }
      if (program.stage === 'run' && program.origin === 'spawned' && kernel.programs.find(program.service, 'run') === undefined) {
        runner?.runEnded(program.service);
        kernel.readiness.set(program.service, false, 'run is not running');
      }
      return undefined;
    });
    kernel.hooks.stopping.tap('readiness', () => runner?.stopAll());
  },
};

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
