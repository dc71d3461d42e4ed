import type { Logger } from './payloads';

/** An error a tap throws on purpose to stop dinit (bad config, unreadable service dir). */
export class FatalError extends Error {
  readonly fatal = true;
}

export function isFatal(error: unknown): error is FatalError {
  return Boolean(error && typeof error === 'object' && (error as { fatal?: unknown }).fatal === true);
}

interface TapInfo {
  type: 'sync' | 'async' | 'promise';
  name: string;
  fn: (...args: unknown[]) => unknown;
  /** A tap's own deadline in seconds (tap option `timeout`), replacing the hook's; for taps that wait on purpose. */
  timeout?: unknown;
}

interface Interceptable {
  intercept(interceptor: { register: (tap: TapInfo) => TapInfo }): void;
}

/**
 * Checks what a sync tap returned when it is neither its first argument nor undefined (those
 * are always fine, tested inline): undefined when acceptable, else why not (a failing tap).
 */
export type ResultCheck = (result: unknown, input: unknown) => string | undefined;

/**
 * Wraps every tap of `hook` so a throwing or rejecting plugin never takes PID 1 down:
 * the error is logged with plugin and hook names and the tap counts as having
 * returned `fallback(args)` (the input unchanged for waterfalls, undefined for bails),
 * so later taps and the kernel's built-in behaviour carry on. FatalErrors pass through.
 * Repeated failures of one tap are logged a few times, then counted, never per line.
 *
 * With `deadlineSeconds` (every async hook has one), an async tap that has not settled by
 * then is treated the same way: logged as missing its deadline, its fallback used, and
 * whatever it settles with later is ignored (a hook's callback is never called twice).
 *
 * `check` (sync taps only) turns a wrong return value into such a failure too.
 */
export function guardHook(
  hookName: string,
  hook: Interceptable,
  log: () => Logger,
  fallback: (args: unknown[]) => unknown,
  deadlineSeconds?: number,
  check?: ResultCheck,
): void {
  hook.intercept({
    register(tap) {
      const original = tap.fn;
      let failures = 0;
      let misses = 0;
      /** Logs the first few, then at powers of two: a tap that fails on every event must not flood the log. */
      const often = (n: number): boolean => n <= 3 || (n & (n - 1)) === 0;
      const report = (error: unknown): void => {
        failures++;
        if (often(failures)) {
          const message = error instanceof Error ? error.message : String(error);
          const times = failures > 1 ? ` (${failures} times so far)` : '';
          log().error(`plugin ${tap.name} failed in hook ${hookName}${times}: ${message}`);
        }
      };
      const seconds = typeof tap.timeout === 'number' && tap.timeout > 0 ? tap.timeout : deadlineSeconds;
      const missed = (): void => {
        misses++;
        if (!often(misses)) return;
        const times = misses > 1 ? ` (${misses} times so far)` : '';
        log().error(`plugin ${tap.name} did not settle in hook ${hookName} within ${seconds} s${times}; going on without it`);
      };
      /**
       * Calls `settle` once: with the tap's own outcome, or with the fallback when the
       * deadline passes first. Returns the function the tap's outcome must go through.
       */
      const withDeadline = (args: unknown[], settle: (error: unknown, result?: unknown) => void) => {
        let done = false;
        const timer =
          seconds === undefined
            ? undefined
            : setTimeout(() => {
                done = true;
                missed();
                settle(null, fallback(args));
              }, seconds * 1000);
        return (error: unknown, result?: unknown): void => {
          if (done) return; // late: the hook has gone on already
          done = true;
          clearTimeout(timer);
          if (error && !isFatal(error)) {
            report(error);
            settle(null, fallback(args));
          } else settle(error, result);
        };
      };
      if (tap.type === 'sync') {
        // Fixed arity (every hook has at most two arguments): no rest array on the hot path.
        tap.fn = (a: unknown, b: unknown) => {
          let result: unknown;
          try {
            result = original(a, b);
          } catch (error) {
            if (isFatal(error)) throw error;
            report(error);
            return fallback([a, b]);
          }
          // Identity first: the common case costs two comparisons, no call.
          if (result === a || result === undefined || check === undefined) return result;
          const wrong = check(result, a);
          if (wrong === undefined) return result;
          report(new Error(wrong));
          return fallback([a, b]);
        };
      } else if (tap.type === 'promise') {
        tap.fn = (...args: unknown[]) => {
          let result: unknown;
          try {
            result = original(...args);
          } catch (error) {
            if (isFatal(error)) throw error;
            report(error);
            return Promise.resolve(fallback(args));
          }
          return new Promise((resolve, reject) => {
            const done = withDeadline(args, (error, value) => (error ? reject(error) : resolve(value)));
            Promise.resolve(result).then(
              (value) => done(null, value),
              (error: unknown) => done(error || new Error(`rejected with ${String(error)}`)),
            );
          });
        };
      } else {
        tap.fn = (...argsAndCallback: unknown[]) => {
          const args = argsAndCallback.slice(0, -1);
          const callback = argsAndCallback[argsAndCallback.length - 1] as (error: unknown, result?: unknown) => void;
          const done = withDeadline(args, callback);
          try {
            original(...args, done);
          } catch (error) {
            done(error);
          }
        };
      }
      return tap;
    },
  });
}
