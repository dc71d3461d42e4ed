import type { Plugin } from '../../kernel/kernel';

/**
 * `signal-group`: with DINIT_SIGNAL_GROUP=1 (config key `signalGroup`), every signal dinit
 * sends a program it started — the stop signal, forwarded signals, the stop deadline's
 * SIGKILL — goes to the program's whole process group (each leads its own: spawned
 * detached), as `tini -g` does. A child of a `run` shell that does not `exec` then gets the
 * stop signal itself instead of being orphaned when the shell exits and terminated later as
 * a reparented process. Off (the default), only the program's own pid is signalled.
 */
export const signalGroup: Plugin = {
  name: 'signal-group',
  apply(kernel) {
    if (!kernel.config.signalGroup) return;
    kernel.hooks.started.tap('signal-group', (program) => {
      if (program.origin === 'spawned') program.signalGroup = true;
    });
  },
};
