import type { Plugin } from '../../kernel/kernel';

/**
 * `reparent-ignore` (DINIT_REPARENTING_POLICY=ignore): live reparented processes are left
 * alone until the container stops. Zombies are still reaped (by the kernel), unlike Go dinit.
 */
export const reparentIgnore: Plugin = {
  name: 'reparent-ignore',
  apply(kernel) {
    if (kernel.config.reparentingPolicy !== 'ignore') return;
    kernel.hooks.reparent.tapPromise('reparent-ignore', async () => true);
  },
};
