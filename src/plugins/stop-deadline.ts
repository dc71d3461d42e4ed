import type { Plugin } from '../kernel/kernel';

/**
 * `stop-deadline`: with DINIT_STOP_TIMEOUT set, programs (and adopted processes) still
 * running that many seconds after the stop began get SIGKILL, so dinit exits with its logs
 * flushed before the orchestrator's own SIGKILL of PID 1 cuts everything. Unset (the
 * default) dinit waits like Go dinit. DINIT_STOP_DELAY waits before anything is stopped
 * (so a load balancer can drop the endpoint first); the deadline counts from after it.
 */
export const stopDeadline: Plugin = {
  name: 'stop-deadline',
  apply(kernel) {
    const { stopTimeout, stopDelay } = kernel.config;
    let delayed: Promise<void> | undefined;
    const startDeadline = (): void => {
      if (stopTimeout === undefined) return;
      setTimeout(() => {
        for (const program of kernel.programs.all()) {
          if (program.state !== 'running') continue;
          kernel.log.warn(`${program.service}/${program.stage}: still running ${stopTimeout} s after the stop began (DINIT_STOP_TIMEOUT)`);
          kernel.signal(program, 'SIGKILL');
        }
      }, stopTimeout * 1000).unref();
    };
    kernel.hooks.stopping.tap('stop-deadline', () => {
      if (stopDelay <= 0) return startDeadline();
      kernel.log.info(`waiting ${stopDelay} s (DINIT_STOP_DELAY) before stopping programs`);
      delayed = new Promise((resolve) => setTimeout(resolve, stopDelay * 1000)).then(startDeadline);
    });
    // Runs before `terminate-file` and the kernel's SIGTERM: holds every program's stop until the delay passed.
    kernel.hooks.shutdown.tapPromise({ name: 'stop-deadline', stage: -10 }, async () => {
      if (delayed) await delayed;
      return undefined;
    });
  },
};
