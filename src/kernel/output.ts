import fs = require('node:fs');
import { toBinary } from './lines';

import type { OutputData } from '../hooks/payloads';

export type { OutputData } from '../hooks/payloads';

const CHUNK = 256 * 1024;

/**
 * Buffer#latin1Write: copies a binary string's chars as bytes, without Buffer#write's
 * encoding dispatch and argument checks — about ten times faster per line than building
 * and flattening strings (measured). Present on Buffer.prototype in every Node version we support.
 */
type LatinBuffer = Buffer & { latin1Write(text: string, offset: number): number };
/** Above this many queued bytes programs' pipes are paused; below LOW they resume. */
const HIGH_WATER = 4 * 1024 * 1024;
const LOW_WATER = 1024 * 1024;
/**
 * Written chunks kept for reuse. Under a flood the batch in flight holds up to HIGH_WATER
 * of chunks while the next one fills: with fewer spares than that, every batch allocated
 * new 256 KiB chunks that V8 frees late (60 MB of garbage buffers at the flood's peak).
 */
const MAX_SPARE = (HIGH_WATER / CHUNK) * 1.5;
/** Spares kept once output has been idle a while: a flood's working set is not held forever. */
const IDLE_SPARE = 2;
const IDLE_TRIM_MS = 2000;

/**
 * An ordered, batching writer for one of dinit's own fds (1 or 2).
 *
 * Writes go through libuv's thread pool (fs.writev) with at most one in flight, so a
 * stalled reader blocks a pool thread, never the event loop: signals and child exits
 * are still handled while output backs up. Everything queued meanwhile is coalesced
 * into one write. Works the same whether the fd is a pipe, a file or a TTY, and never
 * changes the fd's flags (O_NONBLOCK is shared with whoever else holds the pipe).
 */
export class FdWriter {
  /** The chunk being filled, and how much of it is. Binary strings are copied in with latin1Write. */
  private current: LatinBuffer = Buffer.allocUnsafe(CHUNK) as LatinBuffer;
  private used = 0;
  private sealed: Buffer[] = [];
  private sealedBytes = 0;
  private inFlight = false;
  private scheduled = false;
  private broken: Error | undefined;
  private drainWaiters: Array<() => void> = [];
  private pressured = false;
  /** Written chunks kept for reuse: a flood would otherwise allocate 256 KiB per batch for V8 to collect late. */
  private spare: ArrayBuffer[] = [];
  private trimTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly fd: number,
    private readonly onPressure: (pressured: boolean) => void = () => {},
    private readonly onBroken: (fd: number, error: Error) => void = () => {},
  ) {}

  /** Bytes accepted but not yet written. */
  get pending(): number {
    return this.sealedBytes + this.used;
  }

  /**
   * Queues `data`. Strings are UTF-8 text, or with `encoding` 'latin1' binary strings
   * (one char per byte, as lines are carried): those are appended without any conversion.
   */
  write(data: OutputData, encoding: 'utf8' | 'latin1' = 'utf8'): void {
    if (this.broken) return;
    if (typeof data === 'string') this.append(encoding === 'latin1' ? data : toBinary(data));
    else if (Buffer.isBuffer(data)) this.appendBytes(data);
    else {
      for (const part of data) {
        if (typeof part === 'string') this.append(encoding === 'latin1' ? part : toBinary(part));
        else this.appendBytes(part);
      }
    }
    this.schedule();
  }

  /** Resolves once everything written so far has reached the fd (or the fd broke). */
  drained(): Promise<void> {
    if (this.pending === 0 || this.broken) return Promise.resolve();
    this.schedule();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private append(binary: string): void {
    if (binary.length > CHUNK - this.used) {
      this.seal();
      if (binary.length > CHUNK / 2) {
        this.pushSealed(Buffer.from(binary, 'latin1'));
        return;
      }
    }
    this.used += this.current.latin1Write(binary, this.used);
  }

  private appendBytes(bytes: Buffer): void {
    if (bytes.length <= CHUNK / 2) {
      if (bytes.length > CHUNK - this.used) this.seal();
      // TypedArray#set: a builtin, no call into C++ (cheaper than latin1Write for short pieces).
      this.current.set(bytes, this.used);
      this.used += bytes.length;
      return;
    }
    // Large payloads are copied once, not through a string.
    this.seal();
    this.pushSealed(Buffer.from(bytes));
  }

  private seal(): void {
    if (this.used === 0) return;
    this.pushSealed(this.current.subarray(0, this.used));
    const reuse = this.spare.pop();
    this.current = (reuse ? Buffer.from(reuse, 0, CHUNK) : Buffer.allocUnsafe(CHUNK)) as LatinBuffer;
    this.used = 0;
  }

  private pushSealed(buffer: Buffer): void {
    this.sealed.push(buffer);
    this.sealedBytes += buffer.length;
  }

  private schedule(): void {
    if (!this.pressured && this.pending > HIGH_WATER) {
      this.pressured = true;
      this.onPressure(true);
    }
    if (this.inFlight || this.scheduled) return;
    this.scheduled = true;
    // Let the current event-loop turn add more before writing: one syscall per batch.
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    if (this.inFlight || this.broken) return;
    this.seal();
    if (this.sealed.length === 0) {
      this.settle();
      return;
    }
    const batch = this.sealed.splice(0, 1024); // IOV_MAX
    this.inFlight = true;
    fs.writev(this.fd, batch, (error, written) => {
      this.inFlight = false;
      if (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') {
          // The fd was left non-blocking by whoever gave it to us: retry shortly.
          this.sealed.unshift(...batch);
          setTimeout(() => this.flush(), 5);
          return;
        }
        this.breakWith(error);
        return;
      }
      this.sealedBytes -= written;
      const rest = unwritten(batch, written);
      this.recycle(batch, rest);
      if (rest.length > 0) this.sealed.unshift(...rest);
      this.flush();
    });
  }

  /** Keeps fully written chunk buffers (whole 256 KiB allocations of their own) for reuse. */
  private recycle(batch: Buffer[], rest: Buffer[]): void {
    const pending = new Set(rest.map((b) => b.buffer));
    for (const written of batch) {
      const whole = written.buffer;
      if (this.spare.length < MAX_SPARE && written.byteOffset === 0 && whole.byteLength === CHUNK && !pending.has(whole)) {
        this.spare.push(whole as ArrayBuffer);
      }
    }
  }

  /** Drops the spares beyond IDLE_SPARE once nothing was written for IDLE_TRIM_MS. */
  private trimLater(): void {
    if (this.trimTimer) {
      this.trimTimer.refresh();
      return;
    }
    this.trimTimer = setTimeout(() => {
      if (this.pending === 0) this.spare.length = Math.min(this.spare.length, IDLE_SPARE);
      else this.trimTimer?.refresh();
    }, IDLE_TRIM_MS);
    this.trimTimer.unref();
  }

  private breakWith(error: Error): void {
    this.broken = error;
    this.sealedBytes = 0;
    this.sealed = [];
    this.used = 0;
    this.settle();
    this.onBroken(this.fd, error);
  }

  private settle(): void {
    if (this.pressured && this.pending < LOW_WATER) {
      this.pressured = false;
      this.onPressure(false);
    }
    if (this.pending === 0 && this.spare.length > IDLE_SPARE) this.trimLater();
    if (this.pending === 0 || this.broken) {
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }
}

/** What is left of `batch` after a short write of `written` bytes. */
function unwritten(batch: Buffer[], written: number): Buffer[] {
  let skip = written;
  let i = 0;
  while (i < batch.length && skip >= batch[i].length) skip -= batch[i++].length;
  if (i === batch.length) return [];
  const rest = batch.slice(i);
  rest[0] = rest[0].subarray(skip);
  return rest;
}
