/**
 * RFC 3339 UTC with milliseconds (`2026-11-29T18:51:09.123Z`), the format of every
 * timestamp dinit writes. Cached per millisecond: a flood formats the same value
 * thousands of times.
 */
let lastMs = -1;
let lastText = '';

export function timestamp(ms: number = Date.now()): string {
  if (ms !== lastMs) {
    lastMs = ms;
    lastText = new Date(ms).toISOString();
  }
  return lastText;
}
