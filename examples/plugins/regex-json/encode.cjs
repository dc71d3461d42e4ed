// @ts-check
'use strict';
/**
 * JSON encoding as Go's encoding/json writes a map[string]any (what regex2json
 * prints): object keys sorted, BigInt integers written exactly, U+2028/U+2029
 * escaped, no HTML escaping. Pure module.
 */

const HAS_LINE_SEPARATOR = /[\u2028\u2029]/;
const LINE_SEPARATORS = /[\u2028\u2029]/g;

/** @param {string} s */
function encodeString(s) {
  const json = JSON.stringify(s);
  return HAS_LINE_SEPARATOR.test(json) ? json.replace(LINE_SEPARATORS, (c) => (c === '\u2028' ? '\\u2028' : '\\u2029')) : json;
}

/**
 * @param {unknown} value
 * @returns {string}
 */
function encodeJSON(value) {
  switch (typeof value) {
    case 'string': return encodeString(value);
    case 'bigint': return value.toString();
    case 'number': return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean': return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let s = '[';
        for (let k = 0; k < value.length; k++) s += (k ? ',' : '') + encodeJSON(value[k]);
        return s + ']';
      }
      const obj = /** @type {Record<string, unknown>} */ (value);
      const keys = Object.keys(obj).sort();
      let s = '{';
      for (let k = 0; k < keys.length; k++) s += (k ? ',' : '') + encodeString(keys[k]) + ':' + encodeJSON(obj[keys[k]]);
      return s + '}';
    }
    default: return 'null';
  }
}

module.exports = { encodeJSON };
