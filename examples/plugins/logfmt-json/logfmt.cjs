// @ts-check
'use strict';
/**
 * logfmt parsing: `key=value key2="quoted value" flag` → { key: 'value', key2: 'quoted value', flag: true }.
 * Pure module.
 *
 * - Pairs are separated by spaces (runs of spaces/tabs allowed, leading/trailing ignored).
 * - A key is a run of characters other than space, tab, `=` and `"`.
 * - `key=` gives an empty string; a bare key gives `true`; values stay strings.
 * - Quoted values use JSON string escapes (\" \\ \/ \b \f \n \r \t \uXXXX).
 * - A later duplicate key replaces the earlier one.
 * A line is logfmt only if every token parses and at least one is a key=value pair,
 * so ordinary prose ("server started") is not turned into {"server":true,"started":true}.
 */

const ESCAPES = Object.freeze({ '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' });

/** @param {number} c */
function isSpace(c) {
  return c === 32 || c === 9;
}

/**
 * @param {string} line
 * @returns {Record<string, string | true> | null} null when the line is not logfmt
 */
function parseLogfmt(line) {
  /** @type {Record<string, string | true>} */
  const out = {};
  let pairs = 0;
  let i = 0;
  const n = line.length;
  while (i < n) {
    while (i < n && isSpace(line.charCodeAt(i))) i++;
    if (i >= n) break;
    const keyStart = i;
    while (i < n) {
      const c = line.charCodeAt(i);
      if (isSpace(c) || c === 61 /* = */ || c === 34 /* " */) break;
      if (c < 32 || c === 127) return null;
      i++;
    }
    if (i === keyStart) return null; // "=value" or a stray quote
    const key = line.slice(keyStart, i);
    if (i >= n || line.charCodeAt(i) !== 61) {
      if (i < n && line.charCodeAt(i) === 34) return null; // key"..."
      out[key] = true;
      continue;
    }
    i++; // '='
    pairs++;
    if (i < n && line.charCodeAt(i) === 34) {
      i++;
      let value = '';
      let closed = false;
      let chunk = i;
      while (i < n) {
        const c = line.charCodeAt(i);
        if (c === 34) { value += line.slice(chunk, i); i++; closed = true; break; }
        if (c === 92 /* \ */) {
          value += line.slice(chunk, i);
          const e = line[i + 1];
          if (e === 'u') {
            const hex = line.slice(i + 2, i + 6);
            if (!/^[0-9A-Fa-f]{4}$/.test(hex)) return null;
            value += String.fromCharCode(parseInt(hex, 16));
            i += 6;
          } else if (e !== undefined && Object.prototype.hasOwnProperty.call(ESCAPES, e)) {
            value += ESCAPES[/** @type {keyof typeof ESCAPES} */ (e)];
            i += 2;
          } else {
            return null;
          }
          chunk = i;
          continue;
        }
        i++;
      }
      if (!closed) return null;
      if (i < n && !isSpace(line.charCodeAt(i))) return null; // key="a"b
      out[key] = value;
    } else {
      const valueStart = i;
      while (i < n) {
        const c = line.charCodeAt(i);
        if (isSpace(c)) break;
        if (c === 61 || c === 34 || c < 32 || c === 127) return null;
        i++;
      }
      out[key] = line.slice(valueStart, i);
    }
  }
  return pairs > 0 ? out : null;
}

module.exports = { parseLogfmt };
