/**
 * Adding dinit's fields to a JSON object line without parsing it (the hot path).
 *
 * - `{}` (and `{ }`) becomes `{"service":…}`: no leading comma (Go dinit writes `{,"service":…}`).
 * - Duplicate keys: if the program's object already has a top-level `service`, `stage`
 *   or `logged` key, the program's key is renamed to `program_<key>` (repeated if that
 *   name is taken too) so the result has each key once, dinit's fields are
 *   authoritative, and the program's value is kept. Keys are matched byte-exactly
 *   (a key spelled with \u escapes is not recognised).
 * - A line that only looks like JSON (`{` … `}`) but is not is extended as Go dinit does.
 */
const RESERVED = ['service', 'stage', 'logged'];
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

export function isJsonObjectLine(line: Buffer): boolean {
  return line.length >= 2 && line[0] === 0x7b && line[line.length - 1] === 0x7d;
}

/** The output parts for `line` (a `{…}` line) with `fields` (`"service":…,"logged":"…"`) appended. */
export function appendFields(line: Buffer, fields: string): Array<string | Buffer> {
  let body = line.subarray(0, line.length - 1);
  if (mayHaveReserved(line)) body = renameReservedKeys(body);
  return isEmptyObject(body) ? [body, fields, '}\n'] : [body, ',', fields, '}\n'];
}

function isEmptyObject(body: Buffer): boolean {
  for (let i = body.length - 1; i > 0; i--) {
    const c = body[i];
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return false;
  }
  return true;
}

function mayHaveReserved(line: Buffer): boolean {
  return line.includes('"service"') || line.includes('"stage"') || line.includes('"logged"');
}

/** Renames the top-level reserved keys in `body` (an object without its closing brace). */
export function renameReservedKeys(body: Buffer): Buffer {
  const keys = topLevelKeys(body);
  if (!keys) return body;
  const names = new Set(keys.map(([s, e]) => body.toString('utf8', s + 1, e - 1)));
  const parts: Buffer[] = [];
  let at = 0;
  for (const [start, end] of keys) {
    const name = body.toString('utf8', start + 1, end - 1);
    if (!RESERVED.includes(name)) continue;
    let renamed = `program_${name}`;
    while (names.has(renamed)) renamed = `program_${renamed}`;
    names.add(renamed);
    parts.push(body.subarray(at, start), Buffer.from(JSON.stringify(renamed)));
    at = end;
  }
  if (parts.length === 0) return body;
  parts.push(body.subarray(at));
  return Buffer.concat(parts);
}

/** [start, end) spans (quotes included) of the object's top-level keys; undefined if malformed. */
function topLevelKeys(body: Buffer): Array<[number, number]> | undefined {
  const keys: Array<[number, number]> = [];
  let depth = 0;
  let expectKey = true;
  for (let i = 1; i < body.length; i++) {
    const c = body[i];
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
function stringEnd(body: Buffer, start: number): number {
  for (let i = start + 1; i < body.length; i++) {
    const c = body[i];
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i + 1;
  }
  return -1;
}
