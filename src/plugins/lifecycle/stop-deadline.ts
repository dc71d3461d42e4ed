import type { Program } from '../../hooks/types';
import type { Plugin } from '../../kernel/kernel';

/**
 * `stop-deadline`: with DINIT_STOP_TIMEOUT set, every process still running that many
 * seconds after the stop began gets SIGKILL — programs, log programs, term programs,
 * adopted and reparented processes alike (a reparented one at the earlier of this and its
 * DINIT_KILL_TIMEOUT; one that appears later at once) — so dinit exits with its logs
 * flushed before the orchestrator's own SIGKILL of PID 1 cuts everything. Unset (the
 * default) dinit waits like Go dinit. DINIT_STOP_DELAY waits before anything is stopped
 * (so a load balancer can drop the endpoint first); the deadline counts from after it.
 */
export const stopDeadline: Plugin = {
  name: 'stop-deadline',
  apply(kernel) {
    const { stopTimeout, stopDelay, hookTimeouts } = kernel.config;
    let delayed: Promise<void> | undefined;
    let passed = false;
    const warning = `still running ${stopTimeout} s after the stop began (DINIT_STOP_TIMEOUT)`;
    const kill = (program: Program): void => {
      if (program.state !== 'running') return;
      kernel.log.warn(`${program.service}/${program.stage}: ${warning}`);
      kernel.signal(program, 'SIGKILL');
    };
    const startDeadline = (): void => {
      if (stopTimeout === undefined) return;
      kernel.killReparentedBy(Date.now() + stopTimeout * 1000, warning);
      setTimeout(() => {
        passed = true;
        for (const program of kernel.programs.all()) kill(program);
      }, stopTimeout * 1000).unref();
    };
    // A program started once the deadline has passed (a term program, a late log) gets no grace either.
    kernel.hooks.started.tap('stop-deadline', (program) => {
      if (passed) kill(program);
    });
    kernel.hooks.stopping.tap('stop-deadline', () => {
      if (stopDelay <= 0) return startDeadline();
      kernel.log.info(`waiting ${stopDelay} s (DINIT_STOP_DELAY) before stopping programs`);
      delayed = new Promise((resolve) => setTimeout(resolve, stopDelay * 1000)).then(startDeadline);
    });
    // Runs before `terminate-file` and the kernel's SIGTERM: holds every program's stop until the
    // delay passed. It waits on purpose, so its deadline is the delay plus the hook's own.
    kernel.hooks.shutdown.tapPromise({ name: 'stop-deadline', stage: -10, timeout: stopDelay + hookTimeouts.shutdown }, async () => {
      if (delayed) await delayed;
      return undefined;
    });
  },
};
