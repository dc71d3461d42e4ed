/**
 * C-style escaping of text that comes from outside dinit (command lines, comm, file names,
 * plugin-supplied names and messages): whatever it holds, it stays on one line and cannot
 * drive a terminal. `\n`, `\r`, `\t` keep their short forms; other C0 controls and DEL are
 * `\xNN`; C1 controls (U+0080–U+009F, e.g. the one-byte CSI U+009B) are `\u00NN`. Backslashes
 * are not doubled: the escaped text is already escaped text (the logger escapes every message
 * again, and doubling would corrupt names escaped at their source).
 */

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;
const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

function escapeOne(c: string): string {
  const code = c.charCodeAt(0);
  return SHORT[c] ?? (code >= 0x80 ? `\\u00${hex2(code)}` : `\\x${hex2(code)}`);
}

/** `text` with control characters escaped; the same string (no copy) when it has none. */
export function escapeControl(text: string): string {
  return CONTROL.test(text) ? text.replace(CONTROLS, escapeOne) : text;
}

/**
 * Bytes (a binary string: one char per byte, as `Buffer#toString('latin1')` gives) as text:
 * valid UTF-8 is decoded, every byte that is not part of a valid UTF-8 sequence becomes
 * `\xNN` (never U+FFFD: the reader sees the real bytes), and control characters are escaped
 * as escapeControl does. Plain printable ASCII is returned as it is.
 */
export function escapeBytes(binary: string): string {
  let plain = true;
  for (let i = 0; i < binary.length; i++) {
    const c = binary.charCodeAt(i);
    if (c < 0x20 || c >= 0x7f) {
      plain = false;
      break;
    }
  }
  if (plain) return binary;
  let out = '';
  let i = 0;
  while (i < binary.length) {
    const c = binary.charCodeAt(i);
    if (c < 0x80) {
      out += c < 0x20 || c === 0x7f ? escapeOne(binary[i]) : binary[i];
      i++;
      continue;
    }
    const length = sequenceLength(binary, i);
    if (length === 0) {
      out += `\\x${hex2(c)}`;
      i++;
      continue;
    }
    const decoded = Buffer.from(binary.slice(i, i + length), 'latin1').toString('utf8');
    out += escapeControl(decoded);
    i += length;
  }
  return out;
}

/** The length of the valid UTF-8 sequence starting at `i` (2–4), or 0 when it is not one (RFC 3629 table). */
function sequenceLength(s: string, i: number): number {
  const b0 = s.charCodeAt(i);
  const at = (k: number): number => (i + k < s.length ? s.charCodeAt(i + k) : -1);
  const cont = (b: number): boolean => b >= 0x80 && b <= 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(at(1)) ? 2 : 0;
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const b1 = at(1);
    // E0: no overlongs (A0..BF); ED: no UTF-16 surrogates (80..9F).
    const ok = b0 === 0xe0 ? b1 >= 0xa0 && b1 <= 0xbf : b0 === 0xed ? b1 >= 0x80 && b1 <= 0x9f : cont(b1);
    return ok && cont(at(2)) ? 3 : 0;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const b1 = at(1);
    // F0: no overlongs (90..BF); F4: nothing above U+10FFFF (80..8F).
    const ok = b0 === 0xf0 ? b1 >= 0x90 && b1 <= 0xbf : b0 === 0xf4 ? b1 >= 0x80 && b1 <= 0x8f : cont(b1);
    return ok && cont(at(2)) && cont(at(3)) ? 4 : 0;
  }
  return 0;
}
