// @ts-check
'use strict';
/**
 * Converts a Go (RE2) regular expression into an equivalent JavaScript RegExp
 * (compiled with the `u` flag). Pure module.
 *
 * - `(?P<name>…)` and `(?<name>…)` become plain numbered groups; the names (which for
 *   regex2json are expressions, and may repeat) are returned in group order.
 * - Unnamed capturing groups are rejected, as regex2json does: use `(?:…)`.
 * - Leading flag groups `(?i)`, `(?m)`, `(?s)` become RegExp flags.
 * - `\A`, `\z`, `\Q…\E`, `\pL`, `\p{Greek}`, `\x{263a}`, octal `\123`, `\a`, POSIX
 *   classes `[[:alpha:]]`, Go's `\s` (`[\t\n\f\r ]`) and `.` (anything but `\n`) keep Go's
 *   meaning; a `{` that does not start a repeat is a literal as in Go.
 * Not supported (clear error): flags other than at the very start, `(?U)`, `\C`,
 * negated POSIX classes `[[:^alpha:]]`.
 */

const POSIX_CLASSES = Object.freeze({
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`\\{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
});

const GO_SPACE = '\\t\\n\\f\\r ';

/** @param {string} c */
function hexEscape(c) {
  const cp = /** @type {number} */ (c.codePointAt(0));
  return cp <= 0xff ? '\\x' + cp.toString(16).padStart(2, '0') : `\\u{${cp.toString(16)}}`;
}

/** @param {string} c */
function isAlnum(c) {
  return /^[0-9A-Za-z]$/.test(c);
}

/**
 * @typedef {{ source: string, flags: string, names: string[] }} Converted
 */

/**
 * @param {string} pattern Go regexp syntax
 * @returns {Converted}
 */
function convertGoRegexp(pattern) {
  const fail = (/** @type {string} */ msg) => new Error(`invalid pattern ${JSON.stringify(pattern)}: ${msg}`);
  let i = 0;
  const flags = new Set();
  // Leading flag groups: (?i), (?s), (?m), (?is-m) ...
  for (;;) {
    const m = /^\(\?([imsU]*)(?:-([imsU]*))?\)/.exec(pattern.slice(i));
    if (!m || m[0] === '(?)' || m[0] === '(?-)') break;
    for (const f of m[1]) {
      if (f === 'U') throw fail('flag U (ungreedy) is not supported');
      flags.add(f);
    }
    for (const f of m[2] || '') flags.delete(f);
    i += m[0].length;
  }
  const dotAll = flags.has('s');
  /** @type {string[]} */
  const names = [];
  let out = '';
  let depth = 0;

  /**
   * Converts the escape at pattern[i] === '\\'. Returns the JS text; advances i.
   * @param {boolean} inClass
   */
  const escape = (inClass) => {
    const c = pattern[i + 1];
    if (c === undefined) throw fail('trailing backslash at end of expression');
    i += 2;
    switch (c) {
      case 'd': case 'D': case 'w': case 'W': case 't': case 'n': case 'r': case 'f': case 'v':
        return '\\' + c;
      case 'b': case 'B':
        if (inClass) throw fail(`invalid escape \\${c} in character class`);
        return '\\' + c;
      case 's': return inClass ? GO_SPACE : `[${GO_SPACE}]`;
      case 'S': return inClass ? '\\S' : `[^${GO_SPACE}]`;
      case 'a': return '\\x07';
      case 'A':
        if (inClass) throw fail('invalid escape \\A in character class');
        return '(?<![\\s\\S])';
      case 'z':
        if (inClass) throw fail('invalid escape \\z in character class');
        return '(?![\\s\\S])';
      case 'C': throw fail('\\C (any byte) is not supported');
      case 'Q': {
        const end = pattern.indexOf('\\E', i);
        const lit = end < 0 ? pattern.slice(i) : pattern.slice(i, end);
        i = end < 0 ? pattern.length : end + 2;
        let s = '';
        for (const ch of lit) s += isAlnum(ch) || (ch.codePointAt(0) || 0) > 0x7f ? ch : hexEscape(ch);
        return s;
      }
      case 'x': {
        if (pattern[i] === '{') {
          const end = pattern.indexOf('}', i);
          const hex = end < 0 ? '' : pattern.slice(i + 1, end);
          if (!/^[0-9A-Fa-f]{1,6}$/.test(hex) || parseInt(hex, 16) > 0x10ffff) throw fail('invalid escape \\x{…}');
          i = end + 1;
          return `\\u{${hex}}`;
        }
        const hex = pattern.slice(i, i + 2);
        if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw fail('invalid escape \\x');
        i += 2;
        return '\\x' + hex;
      }
      case 'p': case 'P': {
        let name;
        if (pattern[i] === '{') {
          const end = pattern.indexOf('}', i);
          if (end < 0) throw fail('invalid character class range \\p{');
          name = pattern.slice(i + 1, end);
          i = end + 1;
        } else {
          name = pattern[i] || '';
          i += 1;
        }
        let neg = c === 'P';
        if (name.startsWith('^')) { neg = !neg; name = name.slice(1); }
        if (!/^[A-Za-z_]+$/.test(name)) throw fail(`invalid character class \\p{${name}}`);
        const body = name === 'Any' ? null : /^[A-Z][a-z]?$/.test(name) ? name : `Script=${name}`;
        if (body === null) return neg ? '[^\\s\\S]' : '[\\s\\S]';
        return `\\${neg ? 'P' : 'p'}{${body}}`;
      }
      case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
        // Go: \0 or \[1-7] followed by another octal digit is an octal escape; a lone \1 is a backreference.
        if (c !== '0' && !/[0-7]/.test(pattern[i] || '')) throw fail(`backreference \\${c} is not supported`);
        let digits = c;
        while (digits.length < 3 && /[0-7]/.test(pattern[i] || '')) { digits += pattern[i]; i++; }
        return hexEscape(String.fromCodePoint(parseInt(digits, 8)));
      }
      default:
        if ((c.codePointAt(0) || 0) < 0x80 && !isAlnum(c)) return hexEscape(c);
        throw fail(`invalid escape sequence \\${c}`);
    }
  };

  /** Converts a character class starting at pattern[i] === '['. */
  const charClass = () => {
    let s = '[';
    i += 1;
    if (pattern[i] === '^') { s += '^'; i++; }
    let first = true;
    for (;;) {
      if (i >= pattern.length) throw fail('missing closing ]');
      const c = pattern[i];
      if (c === ']' && !first) { i++; s += ']'; break; }
      first = false;
      if (c === '[' && pattern[i + 1] === ':') {
        const m = /^\[:(\^?)([a-z]+):\]/.exec(pattern.slice(i));
        if (m) {
          if (m[1]) throw fail(`negated POSIX class [:^${m[2]}:] is not supported`);
          const cls = POSIX_CLASSES[/** @type {keyof typeof POSIX_CLASSES} */ (m[2])];
          if (!cls) throw fail(`invalid character class range [:${m[2]}:]`);
          s += cls;
          i += m[0].length;
          continue;
        }
      }
      if (c === '\\') { s += escape(true); continue; }
      if (c === '[' || c === ']') { s += '\\' + c; i++; continue; }
      const cp = /** @type {number} */ (pattern.codePointAt(i));
      const ch = String.fromCodePoint(cp);
      s += ch;
      i += ch.length;
    }
    return s;
  };

  while (i < pattern.length) {
    const c = pattern[i];
    switch (c) {
      case '\\':
        out += escape(false);
        break;
      case '[':
        out += charClass();
        break;
      case '(': {
        const rest = pattern.slice(i);
        const named = /^\(\?P?<([^>]*)>/.exec(rest);
        if (named && !rest.startsWith('(?<=') && !rest.startsWith('(?<!')) {
          if (named[1] === '') throw fail('empty capture group name');
          names.push(named[1]);
          out += '(';
          i += named[0].length;
        } else if (rest.startsWith('(?:') || rest.startsWith('(?=') || rest.startsWith('(?!') || rest.startsWith('(?<=') || rest.startsWith('(?<!')) {
          const len = rest.startsWith('(?<') ? 4 : 3;
          out += rest.slice(0, len);
          i += len;
        } else if (rest.startsWith('(?P=')) {
          throw fail('named backreferences are not supported');
        } else if (rest.startsWith('(?')) {
          throw fail(`flag groups are only supported at the start of the pattern: ${rest.slice(0, 8)}…`);
        } else {
          throw fail(`capture group ${names.length + 1} has no name (expression); use (?:…) for a non-capturing group`);
        }
        depth++;
        break;
      }
      case ')':
        if (depth === 0) throw fail('unexpected )');
        depth--;
        out += ')';
        i++;
        break;
      case '{': {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
        if (m) {
          if (Number(m[1]) > 1000 || (m[3] && Number(m[3]) > 1000)) throw fail(`invalid repeat count ${m[0]}`);
          if (m[3] && Number(m[3]) < Number(m[1])) throw fail(`invalid repeat count ${m[0]}`);
          out += m[0];
          i += m[0].length;
        } else {
          out += '\\{';
          i++;
        }
        break;
      }
      case '}': case ']':
        out += '\\' + c;
        i++;
        break;
      case '.':
        out += dotAll ? '[\\s\\S]' : '[^\\n]';
        i++;
        break;
      default: {
        const cp = /** @type {number} */ (pattern.codePointAt(i));
        const ch = String.fromCodePoint(cp);
        out += ch;
        i += ch.length;
      }
    }
  }
  if (depth !== 0) throw fail('missing closing )');
  let jsFlags = 'u';
  if (flags.has('i')) jsFlags += 'i';
  if (flags.has('m')) jsFlags += 'm';
  return { source: out, flags: jsFlags, names };
}

/**
 * Converts and compiles; the RegExp has the `g` flag for successive matching.
 * @param {string} pattern
 * @returns {{ regexp: RegExp, names: string[] }}
 */
function compileGoRegexp(pattern) {
  const { source, flags, names } = convertGoRegexp(pattern);
  let regexp;
  try {
    regexp = new RegExp(source, flags + 'g');
  } catch (e) {
    throw new Error(`invalid pattern ${JSON.stringify(pattern)}: ${/** @type {Error} */ (e).message}`);
  }
  return { regexp, names };
}

/**
 * All non-overlapping matches, with Go's FindAll rules (an empty match right after the
 * previous match is skipped). Calls onMatch with the exec result.
 * @param {RegExp} regexp with the g flag
 * @param {string} s
 * @param {(m: RegExpExecArray) => void} onMatch
 * @returns {number} number of matches
 */
function forEachMatch(regexp, s, onMatch) {
  let pos = 0;
  let prevEnd = -1;
  let count = 0;
  while (pos <= s.length) {
    regexp.lastIndex = pos;
    const m = regexp.exec(s);
    if (m === null) break;
    const end = m.index + m[0].length;
    if (m[0].length === 0) {
      const code = s.charCodeAt(m.index);
      pos = m.index + (code >= 0xd800 && code <= 0xdbff ? 2 : 1);
      if (m.index === prevEnd) continue;
    } else {
      pos = end;
    }
    prevEnd = end;
    count++;
    onMatch(m);
  }
  return count;
}

module.exports = { convertGoRegexp, compileGoRegexp, forEachMatch };
