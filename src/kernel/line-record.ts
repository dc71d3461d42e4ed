import type { LineRecord } from '../hooks/types';
import type { OutputData } from './output';

/**
 * The record the `line` hook passes along. The bytes live in `raw`, a binary string (one
 * char per byte); the `line` Buffer is made only when a plugin asks for it, so the common
 * path (built-in formatters) never allocates one. Assign `line` or `raw` to change the
 * bytes; mutating the Buffer in place is not seen.
 */
export class Line implements LineRecord {
  output?: { fd: 1 | 2; data: OutputData; encoding?: 'utf8' | 'latin1' } | null = undefined;
  private bytes: Buffer | undefined = undefined;

  constructor(
    public service: string,
    public stage: string,
    public stream: 'stdout' | 'stderr',
    private text: string,
    public time: number,
  ) {}

  get raw(): string {
    return this.text;
  }

  set raw(value: string) {
    this.text = value;
    this.bytes = undefined;
  }

  get line(): Buffer {
    return (this.bytes ??= Buffer.from(this.text, 'latin1'));
  }

  set line(value: Buffer) {
    this.bytes = value;
    this.text = value.toString('latin1');
  }
}
