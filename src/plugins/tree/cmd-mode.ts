import path = require('node:path');
import { findCommand } from '../../bootstrap/command-path';
import { FatalError } from '../../hooks/guard';
import type { ServiceSpec } from '../../hooks/types';
import type { Plugin } from '../../kernel/kernel';
import { escapeControl } from '../../kernel/escape';

/** A shell's statuses for a command that cannot be run (and Docker's for a missing one). */
export const NOT_FOUND_STATUS = 127;
export const NOT_EXECUTABLE_STATUS = 126;

/**
 * `cmd-mode`: `dinit [--] CMD [ARG…]` runs CMD (found as execvp would, in PATH unless it
 * contains a `/`) as one more program named after CMD's basename, stage `run`, in dinit's
 * working directory, reading dinit's own stdin, its lines logged like any program's. It is
 * added after the service tree (runit-dir tolerates a missing tree in this mode), so the two
 * run side by side; its exit stops the container like any program's. A CMD that cannot be
 * found (127) or run (126) stops dinit before anything starts, with that status (shell and
 * Docker convention) unless DINIT_EXIT_CODE=dinit (then 1). Without a CMD it does nothing.
 */
export const cmdMode: Plugin = {
  name: 'cmd-mode',
  apply(kernel) {
    const command = kernel.command;
    if (!command || command.length === 0) return;
    kernel.hooks.load.tapPromise('cmd-mode', async (services) => {
      const [word, ...args] = command;
      const name = escapeControl(path.basename(word));
      const found = findCommand(word);
      if (!('file' in found)) {
        const own = kernel.config.exitCode !== 'dinit';
        if ('missing' in found) {
          if (own) kernel.setExitCode(NOT_FOUND_STATUS);
          throw new FatalError(`${name}/run: ${JSON.stringify(word)} not found${word.includes('/') ? '' : ` in PATH (${process.env.PATH ?? ''})`}`);
        }
        if (own) kernel.setExitCode(NOT_EXECUTABLE_STATUS);
        throw new FatalError(`${name}/run: ${found.notExecutable} is not executable`);
      }
      if (services.some((spec) => spec.name === name)) {
        throw new FatalError(`${name}/run: the command ${JSON.stringify(word)} has the name of a service in ${kernel.config.dir}; its log lines could not be told apart`);
      }
      const spec: ServiceSpec = { name, dir: process.cwd(), run: [found.file, ...args], stdin: 'inherit', fromCommandLine: true };
      return [...services, spec];
    });
  },
};
