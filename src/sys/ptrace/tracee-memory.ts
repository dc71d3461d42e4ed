// A parked tracee's memory through /proc/<tid>/mem: reads, and writes that remember what they
// overwrote so detaching can put every byte back (in reverse order, so overlapping loans unwind).
import fs from 'node:fs';

export class TraceeMemory {
  private fd = -1;
  private readonly borrowed: Array<{ addr: bigint; original: Buffer }> = [];

  constructor(
    private readonly pid: number,
    private readonly tid: number,
  ) {}

  /** Opened once the thread is parked (ptrace access rights are checked at open). */
  open(): void {
    this.fd = fs.openSync(`/proc/${this.tid}/mem`, 'r+');
  }

  read(addr: bigint, len: number): Buffer {
    const buf = Buffer.alloc(len);
    const n = fs.readSync(this.fd, buf, 0, len, Number(addr));
    if (n !== len) throw new Error(`short read of process ${this.pid} memory at 0x${addr.toString(16)}`);
    return buf;
  }

  /** Overwrites memory, keeping the original bytes for giveBack(). */
  borrow(addr: bigint, bytes: Buffer): void {
    const original = this.read(addr, bytes.length);
    this.borrowed.push({ addr, original });
    this.write(addr, bytes);
  }

  /** Puts back everything borrowed; never throws (a process going away has nothing to restore). */
  giveBack(): void {
    for (const { addr, original } of this.borrowed.reverse()) {
      try {
        this.write(addr, original);
      } catch {
        // the process is going away; nothing else to do
      }
    }
    this.borrowed.length = 0;
  }

  close(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
  }

  private write(addr: bigint, bytes: Buffer): void {
    const n = fs.writeSync(this.fd, bytes, 0, bytes.length, Number(addr));
    if (n !== bytes.length) throw new Error(`short write to process ${this.pid} memory at 0x${addr.toString(16)}`);
  }
}
