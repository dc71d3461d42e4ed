import { parseGoInt } from './go-int';

/**
 * The limits every setting is checked against, in one place: later settings (a check
 * interval, hook deadlines, …) reuse them so the same value gets the same answer and message.
 */

/**
 * The longest wait in whole seconds: a Node timer holds at most 2^31-1 ms (about 24.8 days);
 * a longer delay does not wait long, it fires after 1 ms (with a TimeoutOverflowWarning).
 */
export const MAX_SECONDS = Math.floor((2 ** 31 - 1) / 1000);
export const SECONDS_RANGE = `whole seconds from 0 to ${MAX_SECONDS} (the longest a timer can wait, about 24 days)`;
/** For intervals, where 0 would be a busy loop. */
export const POSITIVE_SECONDS_RANGE = `whole seconds from 1 to ${MAX_SECONDS} (the longest a timer can wait, about 24 days)`;

/**
 * The longest DINIT_MAX_LINE: a line is held as one string while it grows (V8's limit is
 * ~512 MiB on 64-bit, 256 MiB on 32-bit) and formatters add a prefix or fields, so the cap
 * keeps a wide margin; a 64 MiB line passes whole with dinit's RSS under ~400 MB.
 */
export const MAX_LINE_LIMIT = 64 * 1024 * 1024;
export const LINE_RANGE = `an integer number of bytes from 1 to ${MAX_LINE_LIMIT} (64 MiB)`;

/** Why `value` (from a config file) is not a duration in seconds, or undefined when it is one. */
export function secondsProblem(value: unknown): string | undefined {
  return Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= MAX_SECONDS ? undefined : `must be ${SECONDS_RANGE}`;
}

/** Why `value` (from a config file) is not a duration of at least one second, or undefined when it is one. */
export function positiveSecondsProblem(value: unknown): string | undefined {
  return value === 0 ? `must be ${POSITIVE_SECONDS_RANGE}` : secondsProblem(value) && `must be ${POSITIVE_SECONDS_RANGE}`;
}

/** Why `value` (from a config file) is not a max line length, or undefined when it is one. */
export function maxLineProblem(value: unknown): string | undefined {
  return Number.isSafeInteger(value) && (value as number) >= 1 && (value as number) <= MAX_LINE_LIMIT ? undefined : `must be ${LINE_RANGE}`;
}

/**
 * A duration variable (Go integer syntax: `30`, `0x1e`, `1_000`) as seconds, or undefined when
 * it is not Go integer syntax. `outOfRange` is true when it parses but no timer can hold it.
 * `negative: 'zero'` keeps Go dinit's reading of DINIT_KILL_TIMEOUT (negative: SIGKILL at once).
 */
export function parseSeconds(text: string, negative: 'zero' | 'refuse'): { seconds: number } | { outOfRange: true } | undefined {
  const value = parseGoInt(text);
  if (value === undefined) return undefined;
  if (value < 0n && negative === 'zero') return { seconds: 0 };
  if (value < 0n || value > BigInt(MAX_SECONDS)) return { outOfRange: true };
  return { seconds: Number(value) };
}
