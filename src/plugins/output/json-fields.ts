/**
 * Adding dinit's fields to a JSON object line without parsing it (the hot path). Lines are
 * binary strings (one char per byte): every JSON structural char is ASCII, and UTF-8
 * continuation bytes are >= 0x80, so scanning them byte-wise is exact.
 *
 * - `{}` (and `{ }`) becomes `{"service":…}`: no leading comma (Go dinit writes `{,"service":…}`).
 * - Duplicate keys: if the program's object already has a top-level key the field profile
 *   adds (Go's `service`, `stage`, `logged`; json-profile.ts for the others), the program's key is renamed to `program_<key>` (repeated if that name is
 *   taken too) so the result has each key once, dinit's fields are authoritative, and the
 *   program's value is kept. Keys are matched as written (a key spelled with \u escapes is
 *   not recognised).
 * - A line that only looks like JSON (`{` … `}`) but is not is extended as Go dinit does.
 */
/** The top-level keys a field profile adds, and a quick test for whether a line may hold one. */
export interface ReservedKeys {
  names: readonly string[];
  test: RegExp;
}
const RESERVED = ['service', 'stage', 'logged'];
/** Go's fields (the `dinit` profile): a constant, so the default path is what it always was. */
export const DINIT_KEYS: ReservedKeys = { names: RESERVED, test: /"(?:service|stage|logged)"/ };

/** The ReservedKeys of a profile that adds `names` (made once, at start). */
export function reservedKeys(names: readonly string[]): ReservedKeys {
  const alternatives = names.map((name) => name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|');
  return { names, test: new RegExp(`"(?:${alternatives})"`) };
}
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

export function isJsonObjectLine(raw: string): boolean {
  return raw.length >= 2 && raw.charCodeAt(0) === 0x7b && raw.charCodeAt(raw.length - 1) === 0x7d;
}

/**
 * The parts of `raw` (a `{…}` line) with dinit's fields added and the object closed:
 * `[body, suffix]`, where `suffix` is `,"service":…}\n` and `emptySuffix` the same without
 * the comma (for `{}`), given in whatever form the caller writes (log-json: bytes). Parts,
 * not one string: a concatenation would be flattened (copied) once more per line.
 */
export function appendFields<S>(raw: string, suffix: S, emptySuffix: S, keys: ReservedKeys = DINIT_KEYS): [string, S] {
  let body = raw.slice(0, -1);
  if (keys.test.test(raw)) body = renameReservedKeys(body, keys.names);
  return [body, isEmptyObject(body) ? emptySuffix : suffix];
}

function isEmptyObject(body: string): boolean {
  for (let i = body.length - 1; i > 0; i--) {
    const c = body.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return false;
  }
  return true;
}

/** Renames the top-level reserved keys in `body` (an object without its closing brace). */
export function renameReservedKeys(body: string, reserved: readonly string[] = RESERVED): string {
  const keys = topLevelKeys(body);
  if (!keys) return body;
  const names = new Set(keys.map(([s, e]) => body.slice(s + 1, e - 1)));
  let out = '';
  let at = 0;
  for (const [start, end] of keys) {
    const name = body.slice(start + 1, end - 1);
    if (!reserved.includes(name)) continue;
    let renamed = `program_${name}`;
    while (names.has(renamed)) renamed = `program_${renamed}`;
    names.add(renamed);
    out += body.slice(at, start) + JSON.stringify(renamed);
    at = end;
  }
  return at === 0 ? body : out + body.slice(at);
}

/** [start, end) spans (quotes included) of the object's top-level keys; undefined if malformed. */
function topLevelKeys(body: string): Array<[number, number]> | undefined {
  const keys: Array<[number, number]> = [];
  let depth = 0;
  let expectKey = true;
  for (let i = 1; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(body, i);
      if (end < 0) return undefined;
      if (depth === 0 && expectKey) {
        keys.push([i, end]);
        expectKey = false;
      }
      i = end - 1;
    } else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) depth--;
    else if (c === 0x2c && depth === 0) expectKey = true;
    if (depth < 0) return undefined;
  }
  return keys;
}

/** Index just past the closing quote of the string starting at `start`, or -1. */
function stringEnd(body: string, start: number): number {
  for (let i = start + 1; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i + 1;
  }
  return -1;
}
