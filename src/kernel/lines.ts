/**
 * Line splitter for one stream, over *binary strings*: each chunk is decoded once as
 * latin1 (one char per byte, U+0000–U+00FF), which is byte-exact in both directions and
 * lets V8's fast string search and substring views do the splitting. No UTF-8 decoding:
 * invalid UTF-8 passes through untouched.
 *
 * Lines come without the newline and without a trailing `\r`; empty lines are skipped, as
 * Go dinit does. A line longer than `maxLine` bytes is emitted in pieces of `maxLine`,
 * never dropped; a final line without newline is emitted by `end()`.
 *
 * The `\r` rule: a line is measured without its `\r\n` (or `\n`), so one of up to `maxLine`
 * bytes passes whole and loses its `\r`, whatever the read boundaries. That is why a growing
 * line is cut only once more than `maxLine` bytes are held: byte `maxLine + 1` may be the `\r`
 * of a `\r\n` whose `\n` has not arrived yet.
 */
export class LineSplitter {
  private carry = '';

  constructor(
    private readonly maxLine: number,
    private readonly emit: (raw: string) => void,
  ) {}

  /** `chunk` is a binary string (Buffer#toString('latin1')). */
  push(chunk: string): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf('\n', start);
      if (nl === -1) break;
      if (this.carry === '') this.emitLine(chunk.slice(start, nl));
      else {
        const line = this.carry + chunk.slice(start, nl);
        this.carry = '';
        this.emitLine(line);
      }
      start = nl + 1;
    }
    if (start < chunk.length) this.hold(start === 0 ? chunk : chunk.slice(start));
  }

  end(): void {
    if (this.carry === '') return;
    const line = this.carry;
    this.carry = '';
    this.emitLine(line);
  }

  private hold(rest: string): void {
    this.carry += rest;
    if (this.carry.length <= this.maxLine) return;
    // A line still growing past the limit: emit full pieces now, keep the tail (at least one byte, see the \r rule).
    let at = 0;
    while (this.carry.length - at > this.maxLine) {
      this.emit(this.carry.slice(at, at + this.maxLine));
      at += this.maxLine;
    }
    this.carry = this.carry.slice(at);
  }

  private emitLine(line: string): void {
    let end = line.length;
    if (end > 0 && line.charCodeAt(end - 1) === 13) end--;
    if (end === 0) return;
    if (end <= this.maxLine) {
      this.emit(end === line.length ? line : line.slice(0, end));
      return;
    }
    for (let at = 0; at < end; at += this.maxLine) this.emit(line.slice(at, Math.min(end, at + this.maxLine)));
  }
}

/** A UTF-8 string as a binary string (its bytes as latin1 chars), for writing next to raw lines. */
export function toBinary(text: string): string {
  // ASCII, the common case, is its own binary form.
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return Buffer.from(text, 'utf8').toString('latin1');
  return text;
}
