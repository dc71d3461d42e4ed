import fs = require('node:fs');

/**
 * One reusable buffer for /proc reads. /proc files report size 0, so fs.readFileSync
 * allocates 64 KiB per read: in an orphan storm that allocation was the largest cost.
 */
let shared = Buffer.allocUnsafe(64 * 1024);

/** The whole content of a /proc file as latin1 (or utf8) text; throws like readFileSync. */
export function readProc(path: string, encoding: 'latin1' | 'utf8' = 'latin1'): string {
  const fd = fs.openSync(path, 'r');
  try {
    let length = 0;
    for (;;) {
      if (length === shared.length) {
        const bigger = Buffer.allocUnsafe(shared.length * 2);
        shared.copy(bigger, 0, 0, length);
        shared = bigger;
      }
      const n = fs.readSync(fd, shared, length, shared.length - length, null);
      if (n === 0) break;
      length += n;
    }
    return shared.toString(encoding, 0, length);
  } finally {
    fs.closeSync(fd);
  }
}
