import type { Program } from '../../hooks/types';
import type { Plugin } from '../../kernel/kernel';

/**
 * `adopt-output`: when a reparented process is adopted, its stdout and stderr — and those
 * of its descendants that share them — are moved onto new dinit pipes by ptrace syscall
 * injection, so its later lines are logged as `<name>/<pid>` with the usual JSON/text rules,
 * as Go dinit does. Any failure is a warning and adoption goes on without redirection.
 * The ptrace module (and koffi) is loaded on the first adoption only. The takeover never blocks
 * the event loop and has a deadline (TAKEOVER_DEADLINE_MS); takeovers run one at a time, since
 * two at once could trace the same descendant. See docs/adopt-output.md.
 */
export const adoptOutput: Plugin = {
  name: 'adopt-output',
  apply(kernel) {
    let queue: Promise<void> = Promise.resolve();
    kernel.hooks.adopted.tapPromise('adopt-output', (program) => {
      // Never rejects: the kernel does not wait for this hook, and PID 1 must not see an unhandled rejection.
      const turn = queue
        .then(() => takeOver(program))
        .catch((error: Error) => kernel.log.warn(`${program.service}/${program.stage}: error redirecting stdout and stderr: ${error.message}`));
      queue = turn;
      return turn;
    });
    const takeOver = async (program: Program): Promise<void> => {
      const label = `${program.service}/${program.stage}`;
      const { takeOverOutput, ProcessGoneError } = await import('../../sys/ptrace');
      // Ended while queued: the reaper has reported it already.
      if (program.state !== 'running') return;
      let result;
      try {
        result = await takeOverOutput(program.pid);
      } catch (error) {
        if (error instanceof ProcessGoneError) kernel.log.info(`${label}: PID ${program.pid} finished before adopting complete`);
        else kernel.log.warn(`${label}: error redirecting stdout and stderr: ${(error as Error).message}`);
        return;
      }
      for (const skipped of result.skipped ?? []) {
        kernel.log.warn(`${label}: error redirecting stdout and stderr of PID ${skipped.pid}: ${skipped.reason}`);
      }
      if (result.stdout >= 0) void kernel.attachOutput(result.stdout, program.service, program.stage, 'stdout');
      if (result.stderr >= 0) void kernel.attachOutput(result.stderr, program.service, program.stage, 'stderr');
      kernel.log.trace(`${label}: redirected stdout and stderr of PID ${result.processes.join(', ')}`);
    };
  },
};
