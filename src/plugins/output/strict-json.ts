import { isUtf8 } from 'node:buffer';

const HIGH_BYTE = /[\u0080-\u00ff]/;

/**
 * DINIT_JSON_STRICT: whether a `{…}` line (a binary string: one char per byte) is valid
 * JSON, i.e. RFC 8259 text in UTF-8. JSON.parse checks the syntax (bytes >= 0x80 are plain
 * chars to it, allowed only inside strings); UTF-8 is checked only when such a byte is
 * there, so an ASCII line costs one parse and no Buffer.
 */
export function isStrictJson(raw: string): boolean {
  try {
    JSON.parse(raw);
  } catch {
    // A SyntaxError, or a RangeError for nesting deeper than V8's parser takes: either way
    // not a line a backend could parse and extend safely.
    return false;
  }
  return !HIGH_BYTE.test(raw) || isUtf8(Buffer.from(raw, 'latin1'));
}
