import { escapeControl } from './escape';

/**
 * Bounded quoting of values in messages. A message must stay short and cheap whatever it
 * quotes: a 1 MB variable, or a 1 KB YAML alias bomb whose JSON would be hundreds of millions
 * of nodes (JSON.stringify of it ran for seconds, then threw RangeError).
 */

/** The longest excerpt, in characters, before `…`. */
export const EXCERPT_CHARS = 120;
/** The most nodes (values, keys) a describer visits, whatever the shape. */
const MAX_NODES = 60;

/** `text` with control characters escaped, cut to EXCERPT_CHARS with `…` when longer. */
export function excerpt(text: string, max = EXCERPT_CHARS): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return escapeControl(cut);
}

/**
 * A JSON-like rendering of `value` that stops after EXCERPT_CHARS characters or MAX_NODES
 * nodes (`…` marks the cut). Never expands a shared object twice in a row without counting
 * it, never follows a cycle, never calls user code (no toJSON, no getters: own enumerable
 * data only, through Object.keys on plain values).
 */
export function describeValue(value: unknown, max = EXCERPT_CHARS): string {
  let out = '';
  let nodes = 0;
  let cut = false;
  const seen = new Set<object>();
  const put = (text: string): boolean => {
    if (cut) return false;
    if (out.length + text.length > max) {
      out += text.slice(0, Math.max(0, max - out.length));
      cut = true;
      return false;
    }
    out += text;
    return true;
  };
  const visit = (v: unknown): boolean => {
    if (cut) return false;
    if (++nodes > MAX_NODES) {
      cut = true;
      return false;
    }
    if (v === null || typeof v === 'number' || typeof v === 'boolean') return put(String(v));
    if (v === undefined) return put('undefined');
    if (typeof v === 'string') return put(JSON.stringify(v.length > max ? v.slice(0, max) : v));
    if (typeof v === 'bigint') return put(`${v}n`);
    if (typeof v === 'function') return put('[function]');
    if (typeof v !== 'object') return put(`[${typeof v}]`);
    if (seen.has(v)) return put('[circular]');
    seen.add(v);
    let ok: boolean;
    if (Array.isArray(v)) {
      ok = put('[');
      for (let i = 0; ok && i < v.length; i++) ok = (i === 0 || put(',')) && visit(v[i]);
      ok = ok && put(']');
    } else {
      ok = put('{');
      let first = true;
      for (const key of Object.keys(v)) {
        if (!ok) break;
        const descriptor = Object.getOwnPropertyDescriptor(v, key);
        ok = (first || put(',')) && put(`${JSON.stringify(key)}:`) && (descriptor && 'value' in descriptor ? visit(descriptor.value) : put('[getter]'));
        first = false;
      }
      ok = ok && put('}');
    }
    seen.delete(v);
    return ok;
  };
  visit(value);
  return escapeControl(cut ? `${out}…` : out);
}
