import type { Logger } from '../kernel/log';

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
 * `check` (sync taps only) turns a wrong return value into such a failure too.
 */
export function guardHook(
  hookName: string,
  hook: Interceptable,
  log: () => Logger,
  fallback: (args: unknown[]) => unknown,
  check?: ResultCheck,
): void {
  hook.intercept({
    register(tap) {
      const original = tap.fn;
      let failures = 0;
      const report = (error: unknown): void => {
        failures++;
        if (failures <= 3 || (failures & (failures - 1)) === 0) {
          const message = error instanceof Error ? error.message : String(error);
          const times = failures > 1 ? ` (${failures} times so far)` : '';
          log().error(`plugin ${tap.name} failed in hook ${hookName}${times}: ${message}`);
        }
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
          return Promise.resolve(result).catch((error: unknown) => {
            if (isFatal(error)) throw error;
            report(error);
            return fallback(args);
          });
        };
      } else {
        tap.fn = (...argsAndCallback: unknown[]) => {
          const args = argsAndCallback.slice(0, -1);
          const callback = argsAndCallback[argsAndCallback.length - 1] as (error: unknown, result?: unknown) => void;
          const done = (error: unknown, result?: unknown): void => {
            if (error && !isFatal(error)) {
              report(error);
              callback(null, fallback(args));
            } else callback(error, result);
          };
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
