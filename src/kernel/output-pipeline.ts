import net = require('node:net');
import type { Readable } from 'node:stream';
import type { Hooks } from '../hooks/hooks';
import type { LineRecord } from '../hooks/types';
import { Line } from './line-record';
import { escapeControl } from './escape';
import { LineSplitter, toBinary } from './lines';
import { FdWriter } from './output';
import { timestamp } from './timestamp';

/** Where every pipe read lands (see attachFd): reads run one at a time on the main thread. */
const readBuffer = Buffer.allocUnsafe(64 * 1024);

/** How many service/stage/stream keys the ended streams' line totals keep (see addEnded). */
const MAX_COUNTED = 1000;

interface LineCounter {
  service: string;
  stage: string;
  stream: string;
  lines: number;
}

interface Feeder {
  push(chunk: Buffer, length: number): void;
  end(): void;
}

/**
 * Programs' pipes → line splitter → `line` hook → ordered writers for fd 1 and 2.
 * Applies backpressure: while a writer is backed up every pipe is paused (programs
 * then block in write), so memory stays bounded and no line is dropped.
 */
export class OutputPipeline {
  readonly stdout: FdWriter;
  readonly stderr: FdWriter;
  private readonly readables = new Set<Readable>();
  private pressured = new Set<number>();
  /** When a program's pipe last gave data (ms). */
  private lastData = Date.now();
  private onIdle: () => void = () => {};
  /** Line counters of open streams, and the totals of ended ones (bounded: see lineCounts). */
  private readonly counters = new Set<LineCounter>();
  private readonly endedCounts = new Map<string, LineCounter>();

  constructor(
    private readonly hooks: Hooks,
    private readonly maxLine: number,
    fds: { stdout: number; stderr: number },
    onBroken: (fd: number, error: Error) => void,
  ) {
    const pressure = (fd: number) => (on: boolean) => {
      const wasPaused = this.pressured.size > 0;
      if (on) this.pressured.add(fd);
      else this.pressured.delete(fd);
      const paused = this.pressured.size > 0;
      if (paused === wasPaused) return; // the other writer already holds the pipes paused
      // Pipes held paused by us were not quiet: count the silence from when they resume.
      if (!paused) this.lastData = Date.now();
      for (const readable of this.readables) paused ? readable.pause() : readable.resume();
    };
    this.stdout = new FdWriter(fds.stdout, pressure(fds.stdout), onBroken);
    this.stderr = new FdWriter(fds.stderr, pressure(fds.stderr), onBroken);
  }

  /** Called whenever the last open stream ends. */
  whenIdle(callback: () => void): void {
    this.onIdle = callback;
  }

  /**
   * How long the open pipes have been quiet: 0 while dinit itself holds them paused (its
   * output is backed up) or while data still flows. Only real silence may end the wait for EOF.
   */
  quietFor(): number {
    return this.pressured.size > 0 ? 0 : Date.now() - this.lastData;
  }

  /** Streams still open (not yet at EOF). */
  get open(): number {
    return this.readables.size;
  }

  /**
   * Reads a pipe's read end (an fd dinit owns; closed at EOF) line by line as
   * `<service>/<stage>` on `stream`; resolves at EOF. The fast path for programs' pipes:
   * every read lands in one shared buffer and is decoded at once, so a flood allocates no
   * Buffer per read (a stream's 64 KiB read buffers are freed only by a later GC, and
   * were half of dinit's peak memory under a flood).
   */
  attachFd(fd: number, service: string, stage: string, stream: 'stdout' | 'stderr'): Promise<void> {
    const feed = this.feeder(service, stage, stream);
    // `onread` is a documented constructor option (nodejs/node#54194) that this @types/node
    // version lists only for connect(). Its callback runs synchronously per read, and the bytes
    // are copied out (decoded) before it returns; pause() and resume() work as on any socket.
    const options = {
      fd,
      readable: true,
      writable: false,
      onread: { buffer: readBuffer, callback: (nread: number, buffer: Uint8Array) => void feed.push(buffer as Buffer, nread) },
    };
    const socket = new net.Socket(options as net.SocketConstructorOpts);
    return this.track(socket, feed);
  }

  /** Reads any readable stream line by line as `<service>/<stage>` on `stream`; resolves at EOF. */
  attach(readable: Readable, service: string, stage: string, stream: 'stdout' | 'stderr'): Promise<void> {
    const feed = this.feeder(service, stage, stream);
    readable.on('data', (chunk: Buffer) => feed.push(chunk, chunk.length));
    return this.track(readable, feed);
  }

  /** The splitter of one stream, fed with raw chunks. */
  private feeder(service: string, stage: string, stream: 'stdout' | 'stderr'): Feeder {
    let now = 0;
    // One increment per line on an object of this stream: the metrics cost nothing measurable.
    const counter: LineCounter = { service, stage, stream, lines: 0 };
    this.counters.add(counter);
    const splitter = new LineSplitter(this.maxLine, (raw) => {
      counter.lines++;
      this.emit(service, stage, stream, raw, now);
    });
    return {
      push: (chunk, length) => {
        // One clock read per chunk: its lines arrived together. One latin1 decode per chunk too.
        now = this.lastData = Date.now();
        splitter.push(chunk.toString('latin1', 0, length));
      },
      end: () => {
        splitter.end();
        this.counters.delete(counter);
        this.addEnded(counter);
      },
    };
  }

  /** Lines read so far per service, stage and stream, ended streams included. */
  lineCounts(): LineCounter[] {
    const totals = new Map<string, LineCounter>();
    for (const c of [...this.endedCounts.values(), ...this.counters]) {
      const key = `${c.service}\0${c.stage}\0${c.stream}`;
      const total = totals.get(key);
      if (total) total.lines += c.lines;
      else totals.set(key, { ...c });
    }
    return [...totals.values()];
  }

  /**
   * Folds an ended stream into the totals. Adopted processes log under their pid as stage, so
   * the keys are bounded: past MAX_COUNTED keys, a new one is counted under stage `other`.
   */
  private addEnded(c: LineCounter): void {
    let key = `${c.service}\0${c.stage}\0${c.stream}`;
    let total = this.endedCounts.get(key);
    if (!total && this.endedCounts.size >= MAX_COUNTED) {
      key = `\0other\0${c.stream}`;
      total = this.endedCounts.get(key) ?? { service: '', stage: 'other', stream: c.stream, lines: 0 };
      this.endedCounts.set(key, total);
    }
    if (total) total.lines += c.lines;
    else this.endedCounts.set(key, { ...c });
  }

  /** Pauses it with the others under backpressure; ends its lines and resolves at EOF, close or error. */
  private track(readable: Readable, feed: Feeder): Promise<void> {
    this.readables.add(readable);
    if (this.pressured.size > 0) readable.pause();
    return new Promise((resolve) => {
      let ended = false;
      const end = (): void => {
        if (ended) return;
        ended = true;
        feed.end();
        this.readables.delete(readable);
        resolve();
        if (this.readables.size === 0) this.onIdle();
      };
      readable.on('end', end);
      readable.on('close', end);
      // EIO and friends end the stream; the program's exit is reported separately.
      readable.on('error', end);
    });
  }

  /** Runs one line (a binary string) through the `line` hook and writes the result. */
  emit(service: string, stage: string, stream: 'stdout' | 'stderr', raw: string, time: number): void {
    const record: LineRecord = new Line(service, stage, stream, raw, time);
    const result = this.hooks.line.call(record) ?? record;
    const output = result.output;
    if (output === null) return;
    if (output) {
      (output.fd === 1 ? this.stdout : this.stderr).write(output.data, output.encoding);
      return;
    }
    // No formatter claimed it (none installed, or it failed): the plain text form, never lost.
    const writer = result.stream === 'stdout' ? this.stdout : this.stderr;
    writer.write(`${timestamp(result.time)} ${toBinary(`${escapeControl(result.service)}/${escapeControl(result.stage)}: `)}${result.raw}\n`, 'latin1');
  }

  /** Everything written so far reached the fds. */
  async drained(): Promise<void> {
    await Promise.all([this.stdout.drained(), this.stderr.drained()]);
  }
}
