/**
 * Parses an integer the way Go's strconv.ParseInt(s, 0, 64) does, so DINIT_KILL_TIMEOUT
 * accepts exactly what the Go dinit accepts: optional sign, base prefixes 0x/0o/0b,
 * a leading 0 meaning octal, and `_` between digits. Returns undefined when Go would fail.
 */
export function parseGoInt(input: string): bigint | undefined {
  let s = input;
  let negative = false;
  if (s.startsWith('+') || s.startsWith('-')) {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '') return undefined;
  let base = 10;
  let digits = s;
  const prefix = s.length >= 2 && s[0] === '0' ? s[1].toLowerCase() : '';
  if (prefix === 'x' || prefix === 'o' || prefix === 'b') {
    base = prefix === 'x' ? 16 : prefix === 'o' ? 8 : 2;
    digits = s.slice(2);
  } else if (s.length > 1 && s[0] === '0') {
    base = 8;
    digits = s.slice(1);
  }
  if (!underscoresOk(s)) return undefined;
  digits = digits.replaceAll('_', '');
  if (digits === '') return undefined;
  let value = 0n;
  for (const ch of digits.toLowerCase()) {
    const d = ch >= '0' && ch <= '9' ? ch.charCodeAt(0) - 48 : ch >= 'a' && ch <= 'z' ? ch.charCodeAt(0) - 87 : 99;
    if (d >= base) return undefined;
    value = value * BigInt(base) + BigInt(d);
  }
  if (negative) value = -value;
  if (value > 9223372036854775807n || value < -9223372036854775808n) return undefined;
  return value;
}

/** Go's rule: an underscore must sit between digits, or between a base prefix and a digit. */
function underscoresOk(unsigned: string): boolean {
  let saw = '^';
  let i = 0;
  let hex = false;
  if (unsigned.length >= 2 && unsigned[0] === '0' && 'box'.includes(unsigned[1].toLowerCase())) {
    i = 2;
    saw = '0';
    hex = unsigned[1].toLowerCase() === 'x';
  }
  for (; i < unsigned.length; i++) {
    const c = unsigned[i];
    const lc = c.toLowerCase();
    if ((c >= '0' && c <= '9') || (hex && lc >= 'a' && lc <= 'f')) {
      saw = '0';
      continue;
    }
    if (c === '_') {
      if (saw !== '0') return false;
      saw = '_';
      continue;
    }
    if (saw === '_') return false;
    saw = '!';
  }
  return saw !== '_';
}
