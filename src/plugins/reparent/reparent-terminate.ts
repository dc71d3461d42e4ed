import type { Plugin } from '../../kernel/kernel';

/**
 * `reparent-terminate` (DINIT_REPARENTING_POLICY=terminate, the default): a reparented
 * process gets SIGTERM, then SIGKILL after DINIT_KILL_TIMEOUT. Each policy plugin taps
 * `reparent` only when selected, so a bundle can replace or disable any of them by name.
 */
export const reparentTerminate: Plugin = {
  name: 'reparent-terminate',
  apply(kernel) {
    if (kernel.config.reparentingPolicy !== 'terminate') return;
    kernel.hooks.reparent.tapPromise('reparent-terminate', async (orphan) => {
      kernel.terminate(orphan);
      return true;
    });
  },
};
