import type { Plugin } from '../../kernel/kernel';

/**
 * `reparent-adopt` (DINIT_REPARENTING_POLICY=adopt): a reparented process is waited for
 * like a program; its exit stops the container, and it gets SIGTERM when the container
 * stops. Taking over its output is a separate plugin on the `adopted` hook.
 */
export const reparentAdopt: Plugin = {
  name: 'reparent-adopt',
  apply(kernel) {
    if (kernel.config.reparentingPolicy !== 'adopt') return;
    kernel.hooks.reparent.tapPromise('reparent-adopt', async (orphan) => {
      kernel.adopt(orphan);
      return true;
    });
  },
};
