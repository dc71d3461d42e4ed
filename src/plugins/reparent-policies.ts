import type { Plugin } from '../kernel/kernel';

/**
 * The three DINIT_REPARENTING_POLICY values, one plugin each; each taps `reparent`
 * only when selected, so a bundle can replace or disable any of them by name.
 * Zombies are reaped under every policy, and once the container stops every
 * reparented process is terminated whatever the policy (both done by the kernel).
 */

/** `reparent-terminate` (default): SIGTERM, then SIGKILL after DINIT_KILL_TIMEOUT. */
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

/** `reparent-adopt`: waited for like a program; its exit stops the container. */
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

/** `reparent-ignore`: live processes are left alone until the container stops. */
export const reparentIgnore: Plugin = {
  name: 'reparent-ignore',
  apply(kernel) {
    if (kernel.config.reparentingPolicy !== 'ignore') return;
    kernel.hooks.reparent.tapPromise('reparent-ignore', async () => true);
  },
};
