// Small statistics helpers for the benchmark: summaries of repeated samples and ratios.

export interface Summary {
  n: number;
  median: number;
  min: number;
  max: number;
}

/** Median, min and max of the finite samples; undefined when there is none. */
export function summarize(samples: readonly number[]): Summary | undefined {
  const xs = samples.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (xs.length === 0) return undefined;
  const mid = Math.floor(xs.length / 2);
  const median = xs.length % 2 === 1 ? xs[mid]! : (xs[mid - 1]! + xs[mid]!) / 2;
  return { n: xs.length, median, min: xs[0]!, max: xs[xs.length - 1]! };
}

/** a / b of two medians; undefined when either is missing or b is zero. */
export function ratio(a: Summary | undefined, b: Summary | undefined): number | undefined {
  if (!a || !b || b.median === 0) return undefined;
  return a.median / b.median;
}

/** A number with about three significant digits, no exponent. */
export function num(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '–';
  const ax = Math.abs(x);
  if (ax >= 100) return x.toFixed(0);
  if (ax >= 10) return x.toFixed(1);
  if (ax >= 1) return x.toFixed(2);
  if (ax >= 0.01) return x.toFixed(3);
  if (ax === 0) return '0';
  return x.toPrecision(2);
}

/** "median (min–max)" with a unit, or "–" for no data. */
export function fmtSummary(s: Summary | undefined, unit: string): string {
  if (!s) return '–';
  if (s.n === 1 || s.min === s.max) return `${num(s.median)} ${unit}`;
  return `${num(s.median)} ${unit} (${num(s.min)}–${num(s.max)})`;
}

export function fmtRatio(r: number | undefined): string {
  return r === undefined ? '–' : `${num(r)}×`;
}
