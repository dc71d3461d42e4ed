/**
 * `host:port` (DINIT_METRICS_LISTEN): an IPv4 address or name, or `[v6]`, and a port from 1
 * to 65535. Returns the parts, or why the text is not one (for a message naming the value).
 */
export function parseListenAddress(text: string): { host: string; port: number } | { problem: string } {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(text);
  if (!match) return { problem: 'expected host:port (e.g. 0.0.0.0:9100, 127.0.0.1:9100 or [::]:9100)' };
  const port = Number(match[3]);
  if (port < 1 || port > 65535) return { problem: `port ${match[3]} is not from 1 to 65535` };
  return { host: match[1] ?? match[2], port };
}
