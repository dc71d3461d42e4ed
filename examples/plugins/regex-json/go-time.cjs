// @ts-check
'use strict';
/**
 * Go time layouts ("Mon Jan 2 15:04:05 MST 2006" reference time) in JavaScript:
 * tokenizing a layout, parsing a value with it and formatting an instant with it,
 * with nanosecond precision. Pure module: no I/O, no state besides caches built at
 * compile time.
 *
 * Behaviour follows Go's time.Parse / Time.Format:
 * - a run of spaces in the layout matches a run of spaces in the value;
 * - a fractional second after the seconds field is accepted even if the layout has none;
 * - "_2" accepts a leading space, "01"/"02"/... need two digits, "1"/"2"/... one or two;
 * - "Z07:00" style zones accept "Z"; "MST" accepts 3-5 letter abbreviations, "UTC", "GMT+N".
 * Unlike Go, a layout without year, month or day fills them from the current date (as
 * regex2json >= 0.9 does), and zone abbreviations are resolved with a fixed table.
 */

const LONG_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const SHORT_MONTHS = LONG_MONTHS.map((m) => m.slice(0, 3));
const LONG_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const SHORT_DAYS = LONG_DAYS.map((d) => d.slice(0, 3));

/** Named layouts, as regex2json names them (Go's time constants plus a few log formats). */
const NAMED_LAYOUTS = Object.freeze({
  ANSIC: 'Mon Jan _2 15:04:05 2006',
  UnixDate: 'Mon Jan _2 15:04:05 MST 2006',
  RubyDate: 'Mon Jan 02 15:04:05 -0700 2006',
  RFC822: '02 Jan 06 15:04 MST',
  RFC822Z: '02 Jan 06 15:04 -0700',
  RFC850: 'Monday, 02-Jan-06 15:04:05 MST',
  RFC1123: 'Mon, 02 Jan 2006 15:04:05 MST',
  RFC1123Z: 'Mon, 02 Jan 2006 15:04:05 -0700',
  RFC3339: '2006-01-02T15:04:05Z07:00',
  RFC3339Milli: '2006-01-02T15:04:05.000Z07:00',
  RFC3339Micro: '2006-01-02T15:04:05.000000Z07:00',
  RFC3339Nano: '2006-01-02T15:04:05.999999999Z07:00',
  RFC3339NanoZeros: '2006-01-02T15:04:05.000000000Z07:00',
  ISO8601: '2006-01-02T15:04:05Z0700',
  ISO8601Milli: '2006-01-02T15:04:05.000Z0700',
  ISO8601Micro: '2006-01-02T15:04:05.000000Z0700',
  ISO8601Nano: '2006-01-02T15:04:05.999999999Z0700',
  ISO8601NanoZeros: '2006-01-02T15:04:05.000000000Z0700',
  Kitchen: '3:04PM',
  Stamp: 'Jan _2 15:04:05',
  StampMilli: 'Jan _2 15:04:05.000',
  StampMicro: 'Jan _2 15:04:05.000000',
  StampNano: 'Jan _2 15:04:05.000000000',
  DateTime: '2006-01-02 15:04:05',
  DateTimeMilli: '2006-01-02 15:04:05.000',
  DateOnly: '2006-01-02',
  TimeOnly: '15:04:05',
  Nginx: '02/Jan/2006:15:04:05 -0700',
  LogDateTime: '2006/01/02 15:04:05',
  LogDateOnly: '2006/01/02',
  LogDateTimeMicroseconds: '2006/01/02 15:04:05.000000',
  LogTimeMicroseconds: '15:04:05.000000',
  LogPostgreSQL: '2006-01-02 15:04:05.000 MST',
});

/** Zone abbreviations → offset in seconds (Go resolves these through the tz database). */
const ZONE_ABBREVIATIONS = Object.freeze({
  UTC: 0, GMT: 0, UT: 0, Z: 0, WET: 0, WEST: 3600, BST: 3600, IST: 3600,
  CET: 3600, CEST: 7200, MET: 3600, MEST: 7200, EET: 7200, EEST: 10800, MSK: 10800,
  EST: -18000, EDT: -14400, CST: -21600, CDT: -18000, MST: -25200, MDT: -21600,
  PST: -28800, PDT: -25200, AKST: -32400, AKDT: -28800, HST: -36000, AST: -14400, ADT: -10800,
  NST: -12600, NDT: -9000, JST: 32400, KST: 32400, HKT: 28800, SGT: 28800, AWST: 28800,
  ACST: 34200, ACDT: 37800, AEST: 36000, AEDT: 39600, NZST: 43200, NZDT: 46800, SAST: 7200,
  WAT: 3600, CAT: 7200, EAT: 10800, PKT: 18000, WIB: 25200, WITA: 28800, WIT: 32400,
});

// Token kinds.
const T = Object.freeze({
  LIT: 0, LONG_MONTH: 1, MONTH: 2, NUM_MONTH: 3, ZERO_MONTH: 4, LONG_WEEKDAY: 5, WEEKDAY: 6,
  DAY: 7, UNDER_DAY: 8, ZERO_DAY: 9, UNDER_YDAY: 10, ZERO_YDAY: 11, HOUR: 12, HOUR12: 13,
  ZERO_HOUR12: 14, MINUTE: 15, ZERO_MINUTE: 16, SECOND: 17, ZERO_SECOND: 18, LONG_YEAR: 19,
  YEAR: 20, PM: 21, LOWER_PM: 22, TZ: 23,
  // Numeric zones; ISO variants print Z for UTC.
  NUM_TZ: 24, NUM_COLON_TZ: 25, NUM_SHORT_TZ: 26, NUM_SECONDS_TZ: 27, NUM_COLON_SECONDS_TZ: 28,
  ISO_TZ: 29, ISO_COLON_TZ: 30, ISO_SHORT_TZ: 31, ISO_SECONDS_TZ: 32, ISO_COLON_SECONDS_TZ: 33,
  FRAC0: 34, FRAC9: 35,
});

/**
 * @typedef {{ kind: number, text: string, digits?: number, sep?: string }} Token
 */

/** @param {string} s @param {number} i */
function isDigitAt(s, i) {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
}

/**
 * Splits a Go layout into literal and element tokens (Go's nextStdChunk rules).
 * @param {string} layout
 * @returns {Token[]}
 */
function tokenizeLayout(layout) {
  /** @type {Token[]} */
  const tokens = [];
  let lit = '';
  /** @param {number} kind @param {string} text @param {Partial<Token>} [extra] */
  const push = (kind, text, extra) => {
    if (lit) tokens.push({ kind: T.LIT, text: lit });
    lit = '';
    tokens.push({ kind, text, ...extra });
  };
  let i = 0;
  const at = (/** @type {string} */ s) => layout.startsWith(s, i);
  while (i < layout.length) {
    const c = layout[i];
    let m = '';
    switch (c) {
      case 'J':
        if (at('January')) { push(T.LONG_MONTH, m = 'January'); } else if (at('Jan')) { push(T.MONTH, m = 'Jan'); }
        break;
      case 'M':
        if (at('Monday')) { push(T.LONG_WEEKDAY, m = 'Monday'); } else if (at('Mon')) { push(T.WEEKDAY, m = 'Mon'); } else if (at('MST')) { push(T.TZ, m = 'MST'); }
        break;
      case '0':
        if (at('002')) { push(T.ZERO_YDAY, m = '002'); } else if (i + 1 < layout.length && layout[i + 1] >= '1' && layout[i + 1] <= '6') {
          m = layout.slice(i, i + 2);
          push([T.ZERO_MONTH, T.ZERO_DAY, T.ZERO_HOUR12, T.ZERO_MINUTE, T.ZERO_SECOND, T.YEAR][Number(layout[i + 1]) - 1], m);
        }
        break;
      case '1':
        if (at('15')) { push(T.HOUR, m = '15'); } else { push(T.NUM_MONTH, m = '1'); }
        break;
      case '2':
        if (at('2006')) { push(T.LONG_YEAR, m = '2006'); } else { push(T.DAY, m = '2'); }
        break;
      case '_':
        if (at('_2')) {
          // "_2006" is a literal underscore followed by the year.
          if (at('_2006')) { lit += '_'; i += 1; push(T.LONG_YEAR, m = '2006'); i += 4; continue; }
          push(T.UNDER_DAY, m = '_2');
        } else if (at('__2')) { push(T.UNDER_YDAY, m = '__2'); }
        break;
      case '3': push(T.HOUR12, m = '3'); break;
      case '4': push(T.MINUTE, m = '4'); break;
      case '5': push(T.SECOND, m = '5'); break;
      case 'P': if (at('PM')) push(T.PM, m = 'PM'); break;
      case 'p': if (at('pm')) push(T.LOWER_PM, m = 'pm'); break;
      case '-':
        if (at('-07:00:00')) push(T.NUM_COLON_SECONDS_TZ, m = '-07:00:00');
        else if (at('-070000')) push(T.NUM_SECONDS_TZ, m = '-070000');
        else if (at('-07:00')) push(T.NUM_COLON_TZ, m = '-07:00');
        else if (at('-0700')) push(T.NUM_TZ, m = '-0700');
        else if (at('-07')) push(T.NUM_SHORT_TZ, m = '-07');
        break;
      case 'Z':
        if (at('Z07:00:00')) push(T.ISO_COLON_SECONDS_TZ, m = 'Z07:00:00');
        else if (at('Z070000')) push(T.ISO_SECONDS_TZ, m = 'Z070000');
        else if (at('Z07:00')) push(T.ISO_COLON_TZ, m = 'Z07:00');
        else if (at('Z0700')) push(T.ISO_TZ, m = 'Z0700');
        else if (at('Z07')) push(T.ISO_SHORT_TZ, m = 'Z07');
        break;
      case '.': case ',': {
        const d = layout[i + 1];
        if (d === '0' || d === '9') {
          let j = i + 1;
          while (j < layout.length && layout[j] === d) j++;
          if (!isDigitAt(layout, j)) {
            m = layout.slice(i, j);
            push(d === '0' ? T.FRAC0 : T.FRAC9, m, { digits: j - i - 1, sep: c });
          }
        }
        break;
      }
      default:
        break;
    }
    if (m) { i += m.length; } else { lit += c; i += 1; }
  }
  if (lit) tokens.push({ kind: T.LIT, text: lit });
  return tokens;
}

/** True if the layout has at least one element (is not plain text). @param {string} layout */
function isLayout(layout) {
  return tokenizeLayout(layout).some((t) => t.kind !== T.LIT);
}

// ---------------------------------------------------------------------------
// Time zones ("locations").

/**
 * @typedef {{ name: string, utc: boolean, dtf?: Intl.DateTimeFormat, abbr?: Intl.DateTimeFormat }} Location
 */

/** @type {Map<string, Location>} */
const locationCache = new Map();

/**
 * A location by Go name: "UTC", "Local" or an IANA zone name ("Europe/Ljubljana").
 * Throws for unknown names.
 * @param {string} name
 * @returns {Location}
 */
function loadLocation(name) {
  let loc = locationCache.get(name);
  if (loc) return loc;
  let zone = name;
  if (name === '' || name === 'UTC') zone = 'UTC';
  else if (name === 'Local') zone = new Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  let dtf;
  try {
    dtf = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', era: 'short',
    });
  } catch {
    throw new Error(`unknown time zone ${name}`);
  }
  const resolved = dtf.resolvedOptions().timeZone;
  const utc = resolved === 'UTC' || resolved === 'Etc/UTC' || resolved === 'Etc/GMT' || resolved === 'GMT';
  loc = { name, utc, dtf: utc ? undefined : dtf };
  locationCache.set(name, loc);
  return loc;
}

/**
 * Offset of loc from UTC in seconds at the instant ms.
 * @param {Location} loc @param {number} ms
 */
function offsetAt(loc, ms) {
  if (loc.utc || !loc.dtf) return 0;
  const parts = loc.dtf.formatToParts(new Date(ms));
  let y = 0; let mo = 0; let d = 0; let h = 0; let mi = 0; let s = 0; let bc = false;
  for (const p of parts) {
    switch (p.type) {
      case 'year': y = Number(p.value); break;
      case 'month': mo = Number(p.value); break;
      case 'day': d = Number(p.value); break;
      case 'hour': h = Number(p.value); break;
      case 'minute': mi = Number(p.value); break;
      case 'second': s = Number(p.value); break;
      case 'era': bc = p.value === 'BC' || p.value === 'B'; break;
      default: break;
    }
  }
  if (bc) y = 1 - y;
  const wall = utcMs(y, mo, d, h % 24, mi, s);
  return Math.round((wall - Math.floor(ms / 1000) * 1000) / 1000);
}

/** Zone abbreviation of loc at ms, or '' if it has none (then Go prints -0700). @param {Location} loc @param {number} ms */
function abbreviationAt(loc, ms) {
  if (loc.utc) return 'UTC';
  if (!loc.abbr) loc.abbr = new Intl.DateTimeFormat('en-US', { timeZone: /** @type {Intl.DateTimeFormat} */ (loc.dtf).resolvedOptions().timeZone, timeZoneName: 'short' });
  const part = loc.abbr.formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName');
  const name = part ? part.value : '';
  return /^[A-Za-z]{3,5}$/.test(name) ? name : '';
}

/** Date.UTC that also works for years 0..99. @param {number} y @param {number} mo 1-based @param {number} d @param {number} h @param {number} mi @param {number} s */
function utcMs(y, mo, d, h, mi, s) {
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, 0);
  return date.getTime();
}

/** Epoch ms of a wall clock time in loc (Go's Date(..., loc)). @param {Location} loc @param {number} wallMs */
function wallToInstant(loc, wallMs) {
  if (loc.utc) return wallMs;
  const off1 = offsetAt(loc, wallMs);
  let t = wallMs - off1 * 1000;
  const off2 = offsetAt(loc, t);
  if (off2 !== off1) t = wallMs - off2 * 1000;
  return t;
}

// ---------------------------------------------------------------------------
// Parsing.

/**
 * A parsed instant: whole seconds since the epoch plus nanoseconds.
 * @typedef {{ sec: number, nsec: number }} Instant
 */

class LayoutError extends Error {}

/** @param {string} value @param {number} pos @param {number} min @param {number} max */
function readDigits(value, pos, min, max) {
  let n = 0;
  while (n < max && isDigitAt(value, pos + n)) n++;
  if (n < min) return -1;
  return n;
}

/** Case-insensitive prefix lookup of a name list; returns index or -1. @param {string[]} names @param {string} value @param {number} pos */
function lookupName(names, value, pos) {
  for (let k = 0; k < names.length; k++) {
    const name = names[k];
    if (value.length - pos >= name.length && value.substr(pos, name.length).toLowerCase() === name.toLowerCase()) return k;
  }
  return -1;
}

/** Length of a zone abbreviation at pos (Go's parseTimeZone), or 0. @param {string} value @param {number} pos */
function timeZoneLength(value, pos) {
  const rest = value.slice(pos);
  if (rest.length < 3) return 0;
  if (rest.startsWith('ChST') || rest.startsWith('MeST')) return 4;
  if (rest.startsWith('GMT')) {
    const m = /^GMT([+-]\d{1,2})?/.exec(rest);
    return m ? m[0].length : 3;
  }
  if (rest[0] === '+' || rest[0] === '-') {
    const m = /^[+-]\d{2}/.exec(rest);
    return m ? 3 : 0;
  }
  let n = 0;
  while (n < rest.length && rest.charCodeAt(n) >= 65 && rest.charCodeAt(n) <= 90) n++;
  if (n === 3) return 3;
  if (n === 4 && (rest[3] === 'T' || rest.startsWith('WIT'))) return 4;
  if (n === 5 && rest[4] === 'T') return 5;
  return 0;
}

/** Offset in seconds of a zone abbreviation, or null when unknown. @param {string} name */
function abbreviationOffset(name) {
  if (Object.prototype.hasOwnProperty.call(ZONE_ABBREVIATIONS, name)) return ZONE_ABBREVIATIONS[/** @type {keyof typeof ZONE_ABBREVIATIONS} */ (name)];
  const m = /^(?:GMT)?([+-])(\d{1,2})$/.exec(name);
  if (m) return (m[1] === '-' ? -1 : 1) * Number(m[2]) * 3600;
  return null;
}

/** @param {number} year */
function isLeap(year) {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}
/** @param {number} month 1-based @param {number} year */
function daysIn(month, year) {
  if (month === 2) return isLeap(year) ? 29 : 28;
  return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

/**
 * A compiled layout for parsing.
 * @typedef {{ layout: string, tokens: Token[], hasYear: boolean, hasMonth: boolean, hasDay: boolean }} Parser
 */

/** @param {string} layout @returns {Parser} */
function compileParser(layout) {
  const tokens = tokenizeLayout(layout);
  const kinds = new Set(tokens.map((t) => t.kind));
  const any = (/** @type {number[]} */ ks) => ks.some((k) => kinds.has(k));
  return {
    layout,
    tokens,
    hasYear: any([T.LONG_YEAR, T.YEAR]),
    hasMonth: any([T.LONG_MONTH, T.MONTH, T.NUM_MONTH, T.ZERO_MONTH, T.UNDER_YDAY, T.ZERO_YDAY]),
    hasDay: any([T.DAY, T.UNDER_DAY, T.ZERO_DAY, T.UNDER_YDAY, T.ZERO_YDAY]),
  };
}

/**
 * Parses value with a compiled layout. Wall times without a zone are taken in loc.
 * Missing year/month/day come from now (in loc). Throws an Error on mismatch.
 * @param {Parser} parser @param {string} value @param {Location} loc @param {number} [now] ms
 * @returns {Instant}
 */
function parseTime(parser, value, loc, now) {
  const { tokens, layout } = parser;
  let pos = 0;
  let year = -1; let month = -1; let day = -1; let yday = -1;
  let hour = 0; let minute = 0; let second = 0; let nsec = 0;
  let pm = false; let am = false;
  /** @type {number | null} */
  let zoneOffset = null;
  let zoneName = '';
  const fail = (/** @type {string} */ elem, /** @type {string} */ why = '') => new LayoutError(
    `parsing time ${JSON.stringify(value)} as ${JSON.stringify(layout)}: cannot parse ${JSON.stringify(value.slice(pos))} as ${JSON.stringify(elem)}${why}`,
  );
  const range = (/** @type {string} */ what) => new LayoutError(`parsing time ${JSON.stringify(value)}: ${what} out of range`);
  /** @param {boolean} fixed */
  const num2 = (fixed, /** @type {string} */ elem) => {
    const n = readDigits(value, pos, fixed ? 2 : 1, 2);
    if (n < 0) throw fail(elem);
    const v = Number(value.substr(pos, n));
    pos += n;
    return v;
  };
  /** Fractional seconds at pos: separator then ndigit digits (ndigit may be larger than 9). */
  const frac = (/** @type {number} */ ndigit, /** @type {string} */ elem) => {
    if (value[pos] !== '.' && value[pos] !== ',') throw fail(elem);
    let digits = value.substr(pos + 1, ndigit);
    if (digits.length < ndigit || !/^\d*$/.test(digits)) throw fail(elem);
    pos += 1 + ndigit;
    digits = digits.slice(0, 9).padEnd(9, '0');
    return Number(digits);
  };

  for (let k = 0; k < tokens.length; k++) {
    const tok = tokens[k];
    const elem = tok.text;
    switch (tok.kind) {
      case T.LIT: {
        // Go's skip(): a space in the layout matches one or more spaces in the value.
        const text = tok.text;
        let j = 0;
        while (j < text.length) {
          if (text[j] === ' ') {
            if (pos < value.length && value[pos] !== ' ') throw fail(text.slice(j));
            while (j < text.length && text[j] === ' ') j++;
            while (pos < value.length && value[pos] === ' ') pos++;
            continue;
          }
          if (pos >= value.length || value[pos] !== text[j]) throw fail(text.slice(j));
          j++; pos++;
        }
        break;
      }
      case T.LONG_YEAR: {
        if (readDigits(value, pos, 4, 4) < 0) throw fail(elem);
        year = Number(value.substr(pos, 4)); pos += 4;
        break;
      }
      case T.YEAR: {
        if (readDigits(value, pos, 2, 2) < 0) throw fail(elem);
        const y = Number(value.substr(pos, 2)); pos += 2;
        year = y >= 69 ? 1900 + y : 2000 + y;
        break;
      }
      case T.LONG_MONTH: case T.MONTH: {
        const idx = lookupName(tok.kind === T.LONG_MONTH ? LONG_MONTHS : SHORT_MONTHS, value, pos);
        if (idx < 0) throw fail(elem);
        pos += (tok.kind === T.LONG_MONTH ? LONG_MONTHS : SHORT_MONTHS)[idx].length;
        month = idx + 1;
        break;
      }
      case T.LONG_WEEKDAY: case T.WEEKDAY: {
        const names = tok.kind === T.LONG_WEEKDAY ? LONG_DAYS : SHORT_DAYS;
        const idx = lookupName(names, value, pos);
        if (idx < 0) throw fail(elem);
        pos += names[idx].length;
        break;
      }
      case T.NUM_MONTH: case T.ZERO_MONTH:
        month = num2(tok.kind === T.ZERO_MONTH, elem);
        if (month < 1 || month > 12) throw range('month');
        break;
      case T.DAY: case T.UNDER_DAY: case T.ZERO_DAY:
        if (tok.kind === T.UNDER_DAY && value[pos] === ' ') pos++;
        day = num2(tok.kind === T.ZERO_DAY, elem);
        break;
      case T.UNDER_YDAY: case T.ZERO_YDAY: {
        if (tok.kind === T.UNDER_YDAY) { for (let s = 0; s < 2 && value[pos] === ' '; s++) pos++; }
        const n = readDigits(value, pos, tok.kind === T.ZERO_YDAY ? 3 : 1, 3);
        if (n < 0) throw fail(elem);
        yday = Number(value.substr(pos, n)); pos += n;
        if (yday < 1 || yday > 366) throw range('day-of-year');
        break;
      }
      case T.HOUR:
        hour = num2(false, elem);
        if (hour > 23) throw range('hour');
        break;
      case T.HOUR12: case T.ZERO_HOUR12:
        hour = num2(tok.kind === T.ZERO_HOUR12, elem);
        if (hour > 12) throw range('hour');
        break;
      case T.MINUTE: case T.ZERO_MINUTE:
        minute = num2(tok.kind === T.ZERO_MINUTE, elem);
        if (minute > 59) throw range('minute');
        break;
      case T.SECOND: case T.ZERO_SECOND: {
        second = num2(tok.kind === T.ZERO_SECOND, elem);
        if (second > 59) throw range('second');
        // A fractional second in the value is accepted even when the layout has none,
        // unless the next element of the layout is the fractional second.
        if ((value[pos] === '.' || value[pos] === ',') && isDigitAt(value, pos + 1)) {
          let next = k + 1;
          while (next < tokens.length && tokens[next].kind === T.LIT) next++;
          const nk = next < tokens.length ? tokens[next].kind : -1;
          if (nk !== T.FRAC0 && nk !== T.FRAC9) {
            let n = 1;
            while (isDigitAt(value, pos + n)) n++;
            nsec = frac(n - 1, elem);
          }
        }
        break;
      }
      case T.PM: case T.LOWER_PM: {
        const s = value.substr(pos, 2);
        const [p, a] = tok.kind === T.PM ? ['PM', 'AM'] : ['pm', 'am'];
        if (s === p) pm = true; else if (s === a) am = true; else throw fail(elem);
        pos += 2;
        break;
      }
      case T.TZ: {
        if (value.startsWith('UTC', pos)) { zoneOffset = 0; pos += 3; break; }
        const n = timeZoneLength(value, pos);
        if (n === 0) throw fail(elem);
        zoneName = value.substr(pos, n); pos += n;
        break;
      }
      case T.ISO_TZ: case T.ISO_COLON_TZ: case T.ISO_SHORT_TZ: case T.ISO_SECONDS_TZ: case T.ISO_COLON_SECONDS_TZ:
        if (value[pos] === 'Z') { zoneOffset = 0; pos++; break; }
      // falls through
      case T.NUM_TZ: case T.NUM_COLON_TZ: case T.NUM_SHORT_TZ: case T.NUM_SECONDS_TZ: case T.NUM_COLON_SECONDS_TZ: {
        const shape = elem.replace(/^Z/, '-');
        // shape is one of -0700, -07:00, -07, -070000, -07:00:00: digits and colons by position.
        const piece = value.substr(pos, shape.length);
        if (piece.length < shape.length || (piece[0] !== '+' && piece[0] !== '-')) throw fail(elem);
        for (let j = 1; j < shape.length; j++) {
          if (shape[j] === ':' ? piece[j] !== ':' : !isDigitAt(piece, j)) throw fail(elem);
        }
        const digits = piece.slice(1).replace(/:/g, '');
        const hh = Number(digits.slice(0, 2)); const mm = Number(digits.slice(2, 4) || '0'); const ss = Number(digits.slice(4, 6) || '0');
        if (hh > 24 || mm > 59 || ss > 59) throw range('time zone offset');
        zoneOffset = (piece[0] === '-' ? -1 : 1) * (hh * 3600 + mm * 60 + ss);
        pos += shape.length;
        break;
      }
      case T.FRAC0:
        nsec = frac(/** @type {number} */ (tok.digits), elem);
        break;
      case T.FRAC9: {
        if ((value[pos] !== '.' && value[pos] !== ',') || !isDigitAt(value, pos + 1)) break; // omitted
        let n = 1;
        while (isDigitAt(value, pos + n)) n++;
        nsec = frac(n - 1, elem);
        break;
      }
      default:
        break;
    }
  }
  if (pos < value.length) {
    throw new LayoutError(`parsing time ${JSON.stringify(value)}: extra text: ${JSON.stringify(value.slice(pos))}`);
  }

  if (pm && hour < 12) hour += 12;
  else if (am && hour === 12) hour = 0;

  // Fill what the layout does not parse from the current date in loc.
  if (!parser.hasYear || !parser.hasMonth || !parser.hasDay) {
    const nowMs = now === undefined ? Date.now() : now;
    const shifted = new Date(nowMs + offsetAt(loc, nowMs) * 1000);
    if (year < 0) year = shifted.getUTCFullYear();
    if (yday < 0) {
      if (month < 0) month = shifted.getUTCMonth() + 1;
      if (day < 0) day = shifted.getUTCDate();
    }
  }
  if (yday >= 0) {
    if (yday > (isLeap(year) ? 366 : 365)) throw range('day-of-year');
    let m = 1; let d = yday;
    while (d > daysIn(m, year)) { d -= daysIn(m, year); m++; }
    if ((month >= 0 && month !== m) || (day >= 0 && day !== d)) {
      throw new LayoutError(`parsing time ${JSON.stringify(value)}: day-of-year does not match ${month >= 0 && month !== m ? 'month' : 'day'}`);
    }
    month = m; day = d;
  }
  if (day < 1 || day > daysIn(month, year)) throw range('day');

  const wall = utcMs(year, month, day, hour, minute, second);
  let ms;
  if (zoneOffset !== null) {
    ms = wall - zoneOffset * 1000;
  } else if (zoneName) {
    const off = abbreviationOffset(zoneName);
    if (off === null) throw new LayoutError(`parsing time ${JSON.stringify(value)}: unknown time zone abbreviation ${JSON.stringify(zoneName)}`);
    ms = wall - off * 1000;
  } else {
    ms = wallToInstant(loc, wall);
  }
  return { sec: Math.floor(ms / 1000), nsec };
}

// ---------------------------------------------------------------------------
// Formatting.

/** @param {number} n @param {number} width */
function pad(n, width) {
  const s = String(n);
  return s.length >= width ? s : '0'.repeat(width - s.length) + s;
}

/** @param {number} offset seconds @param {string} elem */
function formatOffset(offset, elem) {
  const iso = elem[0] === 'Z';
  if (iso && offset === 0) return 'Z';
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const hh = pad(Math.floor(abs / 3600), 2); const mm = pad(Math.floor((abs % 3600) / 60), 2); const ss = pad(abs % 60, 2);
  const shape = elem.slice(1);
  switch (shape) {
    case '07': return sign + hh;
    case '0700': return sign + hh + mm;
    case '07:00': return sign + hh + ':' + mm;
    case '070000': return sign + hh + mm + ss;
    default: return sign + hh + ':' + mm + ':' + ss;
  }
}

/**
 * Formats an instant with a tokenized layout in loc.
 * @param {Token[]} tokens @param {Instant} t @param {Location} loc
 */
function formatTime(tokens, t, loc) {
  const ms = t.sec * 1000;
  const offset = offsetAt(loc, ms);
  const d = new Date(ms + offset * 1000);
  const year = d.getUTCFullYear(); const month = d.getUTCMonth() + 1; const day = d.getUTCDate();
  const hour = d.getUTCHours(); const minute = d.getUTCMinutes(); const second = d.getUTCSeconds();
  let out = '';
  for (const tok of tokens) {
    switch (tok.kind) {
      case T.LIT: out += tok.text; break;
      case T.LONG_YEAR: out += year < 0 ? '-' + pad(-year, 4) : pad(year, 4); break;
      case T.YEAR: out += pad(((year % 100) + 100) % 100, 2); break;
      case T.LONG_MONTH: out += LONG_MONTHS[month - 1]; break;
      case T.MONTH: out += SHORT_MONTHS[month - 1]; break;
      case T.NUM_MONTH: out += month; break;
      case T.ZERO_MONTH: out += pad(month, 2); break;
      case T.LONG_WEEKDAY: out += LONG_DAYS[d.getUTCDay()]; break;
      case T.WEEKDAY: out += SHORT_DAYS[d.getUTCDay()]; break;
      case T.DAY: out += day; break;
      case T.UNDER_DAY: out += day < 10 ? ' ' + day : String(day); break;
      case T.ZERO_DAY: out += pad(day, 2); break;
      case T.UNDER_YDAY: case T.ZERO_YDAY: {
        const yd = Math.round((Date.UTC(year, month - 1, day) - Date.UTC(year, 0, 1)) / 86400000) + 1;
        out += tok.kind === T.ZERO_YDAY ? pad(yd, 3) : String(yd).padStart(3, ' ');
        break;
      }
      case T.HOUR: out += pad(hour, 2); break;
      case T.HOUR12: out += (hour % 12 === 0 ? 12 : hour % 12); break;
      case T.ZERO_HOUR12: out += pad(hour % 12 === 0 ? 12 : hour % 12, 2); break;
      case T.MINUTE: out += minute; break;
      case T.ZERO_MINUTE: out += pad(minute, 2); break;
      case T.SECOND: out += second; break;
      case T.ZERO_SECOND: out += pad(second, 2); break;
      case T.PM: out += hour >= 12 ? 'PM' : 'AM'; break;
      case T.LOWER_PM: out += hour >= 12 ? 'pm' : 'am'; break;
      case T.TZ: {
        const name = abbreviationAt(loc, ms);
        out += name || formatOffset(offset, '-0700');
        break;
      }
      case T.FRAC0: {
        const digits = /** @type {number} */ (tok.digits);
        out += tok.sep + pad(t.nsec, 9).slice(0, Math.min(digits, 9)) + (digits > 9 ? '0'.repeat(digits - 9) : '');
        break;
      }
      case T.FRAC9: {
        if (t.nsec === 0) break;
        const digits = Math.min(/** @type {number} */ (tok.digits), 9);
        const s = pad(t.nsec, 9).slice(0, digits).replace(/0+$/, '');
        if (s) out += tok.sep + s;
        break;
      }
      default:
        out += formatOffset(offset, tok.text);
        break;
    }
  }
  return out;
}

/**
 * Resolves a layout argument: a regex2json/Go layout name or a raw Go layout.
 * @param {string} nameOrLayout
 * @returns {string | null} the layout, or null when it is neither
 */
function resolveLayout(nameOrLayout) {
  if (Object.prototype.hasOwnProperty.call(NAMED_LAYOUTS, nameOrLayout)) {
    return NAMED_LAYOUTS[/** @type {keyof typeof NAMED_LAYOUTS} */ (nameOrLayout)];
  }
  return isLayout(nameOrLayout) ? nameOrLayout : null;
}

/**
 * Compiles a converter "parse with one layout, format with another".
 * @param {{ parse: string, format?: string, formatLocation?: string, parseLocation?: string, now?: () => number }} spec
 *   parse/format: layout names or raw layouts; locations: "UTC", "Local" or IANA names.
 * @returns {(value: string) => string} throws on values that do not parse
 */
function compileTimeConverter(spec) {
  const parseLayout = resolveLayout(spec.parse);
  if (parseLayout === null) throw new Error(`unknown parse layout: ${spec.parse}`);
  const formatName = spec.format === undefined ? 'RFC3339Milli' : spec.format;
  const formatLayout = resolveLayout(formatName);
  if (formatLayout === null) throw new Error(`unknown format layout: ${formatName}`);
  const formatLoc = loadLocation(spec.formatLocation === undefined ? 'UTC' : spec.formatLocation);
  const parseLoc = loadLocation(spec.parseLocation === undefined ? 'Local' : spec.parseLocation);
  const parser = compileParser(parseLayout);
  const formatTokens = tokenizeLayout(formatLayout);
  const now = spec.now;
  return (value) => formatTime(formatTokens, parseTime(parser, value, parseLoc, now ? now() : undefined), formatLoc);
}

module.exports = {
  NAMED_LAYOUTS,
  ZONE_ABBREVIATIONS,
  tokenizeLayout,
  isLayout,
  resolveLayout,
  loadLocation,
  compileParser,
  parseTime,
  formatTime,
  compileTimeConverter,
};
