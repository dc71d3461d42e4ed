import { FatalError } from '../../hooks/guard';
import type { Plugin } from '../../kernel/kernel';
import { DISABLED_STATUS } from '../../kernel/kernel';
import { nextRestart, readRestart, type RestartCount, type RestartPolicy } from './restart-policy';

/**
 * `restart`: a service folder with a `restart` file (`on-failure [N]` or `always [N]`) gets
 * its `run` started again when it exits (on-failure: non-zero or killed by a signal; always:
 * at all), after 1 s, doubling up to 30 s, at most N times (default 5) in a row — a run up
 * 60 s starts the count over (restart-policy.ts). Exit 115 is never restarted, nothing is once
 * the stop began, and a pending restart is cancelled by it. The kernel keeps the log pipe
 * (kernel.reruns: hold, start), so log/run reads on across runs. A bad file stops dinit
 * at start-up. Without any such file nothing but one stat per service happens.
 */
export const restart: Plugin = {
  name: 'restart',
  apply(kernel) {
    const policies = new Map<string, { policy: RestartPolicy; state: RestartCount }>();
    const timers = new Map<string, NodeJS.Timeout>();
    // After `runit-dir` (same stage, applied earlier): reads the file of every service loaded.
    kernel.hooks.load.tapPromise('restart', async (services) => {
      const problems: string[] = [];
      for (const spec of services) {
        const found = readRestart(spec.dir);
        if (found === undefined) continue;
        if ('problem' in found) problems.push(found.problem);
        else {
          spec.restartable = true;
          policies.set(spec.name, { policy: found, state: { count: 0 } });
        }
      }
      if (problems.length > 0) {
        const more = problems.length > 1 ? ` (and ${problems.length - 1} more: "dinit check" lists them all)` : '';
        throw new FatalError(`${problems[0]}${more}`);
      }
      if (policies.size > 0) tapExits();
      return services;
    });

    const tapExits = (): void => {
      kernel.hooks.stopping.tap('restart', () => {
        for (const timer of timers.values()) clearTimeout(timer);
        timers.clear(); // the kernel releases the held runs itself
      });
      // Before `stop-on-exit` decides (stage 0): a restarted exit is handled here (bail).
      kernel.hooks.exit.tapPromise({ name: 'restart', stage: -10 }, async (program, status) => {
        const entry = program.origin === 'spawned' ? policies.get(program.service) : undefined;
        if (!entry || kernel.stopping) return undefined;
        if (program.stage === 'log') {
          // Its log/run is gone while a restart is pending: nothing would read the next run's output.
          const timer = timers.get(program.service);
          if (timer === undefined) return undefined;
          clearTimeout(timer);
          timers.delete(program.service);
          kernel.reruns.release(program.service);
          kernel.stop({ kind: 'exit', program });
          return true;
        }
        if (program.stage !== 'run') return undefined;
        const end = {
          failed: status.code !== 0,
          disabled: status.code === DISABLED_STATUS,
          upMs: Date.now() - program.startedAt,
        };
        const next = nextRestart(entry.policy, entry.state, end);
        if (!next || !kernel.reruns.hold(program)) return undefined;
        const seconds = next.delayMs / 1000;
        kernel.log.warn(`${program.service}/run: restarting in ${seconds} s (restart ${next.count} of ${entry.policy.limit})`);
        timers.set(
          program.service,
          setTimeout(() => {
            timers.delete(program.service);
            void kernel.reruns.start(program.service);
          }, next.delayMs),
        );
        return true;
      });
    };
  },
};
