import fs = require('node:fs');

/**
 * Whether this thread blocks SIGUSR1: Node's --disable-sigusr1 (which bin/dinit passes
 * unless DINIT_FORWARD_SIGNALS names USR1) keeps the inspector shut by blocking it, so
 * a SIGUSR1 that only the config file asks to forward could never arrive.
 */
export function usr1Blocked(): boolean {
  try {
    const mask = /^SigBlk:\s*([0-9a-f]+)$/m.exec(fs.readFileSync('/proc/thread-self/status', 'utf8'))?.[1];
    return mask !== undefined && (BigInt(`0x${mask}`) & (1n << 9n)) !== 0n;
  } catch {
    return false;
  }
}
