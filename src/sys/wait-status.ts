/** How a process ended, decoded from a raw wait status. */
export interface WaitResult {
  code: number | null;
  signal: number | null;
}

export function decodeWaitStatus(status: number): WaitResult {
  const termsig = status & 0x7f;
  if (termsig === 0) return { code: (status >> 8) & 0xff, signal: null };
  return { code: null, signal: termsig };
}
