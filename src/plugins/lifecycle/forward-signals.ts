import type { Plugin } from '../../kernel/kernel';

/**
 * `forward-signals`: DINIT_FORWARD_SIGNALS (e.g. `HUP,USR1`) are passed on to every running
 * program's `run` process, so `docker kill -s HUP` can reach nginx (Go dinit forwards none).
 */
export const forwardSignals: Plugin = {
  name: 'forward-signals',
  apply(kernel) {
    const wanted = new Set(kernel.config.forwardSignals);
    if (wanted.size === 0) return;
    kernel.hooks.signal.tap('forward-signals', (signal) => {
      if (!wanted.has(signal)) return;
      const targets = kernel.programs.all().filter((p) => p.state === 'running' && p.stage === 'run' && p.origin === 'spawned');
      kernel.log.info(`got signal ${signal}, forwarding it to ${targets.length} program${targets.length === 1 ? '' : 's'}`);
      for (const program of targets) kernel.signal(program, signal);
    });
  },
};
