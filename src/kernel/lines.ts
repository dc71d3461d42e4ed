/**
 * Byte-level line splitter for one stream. Lines are Buffers (no decoding: invalid
 * UTF-8 passes through byte-exact), without the newline and without a trailing `\r`.
 * Empty lines are skipped, as Go dinit does. A line longer than `maxLine` is emitted
 * in pieces of `maxLine` bytes, never dropped; a final line without newline is
 * emitted by `end()`.
 */
export class LineSplitter {
  private carry: Buffer[] = [];
  private carryLength = 0;

  constructor(
    private readonly maxLine: number,
    private readonly emit: (line: Buffer) => void,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl === -1) break;
      if (this.carryLength === 0) {
        this.emitLine(chunk.subarray(start, nl));
      } else {
        this.carry.push(chunk.subarray(start, nl));
        const line = Buffer.concat(this.carry, this.carryLength + nl - start);
        this.carry = [];
        this.carryLength = 0;
        this.emitLine(line);
      }
      start = nl + 1;
    }
    if (start < chunk.length) this.hold(chunk.subarray(start));
  }

  end(): void {
    if (this.carryLength === 0) return;
    const line = Buffer.concat(this.carry, this.carryLength);
    this.carry = [];
    this.carryLength = 0;
    this.emitLine(line);
  }

  private hold(rest: Buffer): void {
    // Copy: the chunk belongs to the stream and may be large; keep only the tail.
    this.carry.push(Buffer.from(rest));
    this.carryLength += rest.length;
    if (this.carryLength < this.maxLine) return;
    let pending = Buffer.concat(this.carry, this.carryLength);
    while (pending.length >= this.maxLine) {
      this.emit(pending.subarray(0, this.maxLine));
      pending = pending.subarray(this.maxLine);
    }
    this.carry = pending.length > 0 ? [Buffer.from(pending)] : [];
    this.carryLength = pending.length;
  }

  private emitLine(line: Buffer): void {
    let end = line.length;
    if (end > 0 && line[end - 1] === 13) end--;
    if (end === 0) return;
    if (end <= this.maxLine) {
      this.emit(end === line.length ? line : line.subarray(0, end));
      return;
    }
    for (let at = 0; at < end; at += this.maxLine) this.emit(line.subarray(at, Math.min(end, at + this.maxLine)));
  }
}
