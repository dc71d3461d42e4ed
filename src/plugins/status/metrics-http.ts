import http = require('node:http');
import type { Kernel } from '../../kernel/kernel';
import { parseListenAddress } from '../../kernel/listen-address';
import { exposition, PROMETHEUS_CONTENT_TYPE } from './prometheus';
import type { StatusReport } from './status-report';

/**
 * DINIT_METRICS_LISTEN: GET /metrics (the Prometheus exposition) and GET /healthz (200 when
 * `dinit status` would exit 0, else 503), for scrapers and Kubernetes httpGet probes. Loaded
 * only when the variable is set. A client can never slow PID 1 down: every answer is small and
 * built at once, nothing of a request is buffered beyond its headers (bounded), each connection
 * closes after one answer, and slow or silent clients are cut off after a few seconds.
 */

/** Headers must arrive within this, and the whole request too. */
const REQUEST_TIMEOUT_MS = 5000;
/** At most this many connections at once; more are refused by the server. */
const MAX_CONNECTIONS = 16;
/** Request line and headers together (Node's default is 16 KiB). */
const MAX_HEADER_BYTES = 4096;

export function listenMetrics(kernel: Kernel, address: string, answer: () => StatusReport): { close(): void } {
  const parsed = parseListenAddress(address);
  if ('problem' in parsed) throw new Error(`DINIT_METRICS_LISTEN ${address}: ${parsed.problem}`);
  const server = http.createServer(
    {
      maxHeaderSize: MAX_HEADER_BYTES,
      headersTimeout: REQUEST_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      keepAlive: false,
      // How often the timeouts above are checked (Node's default is 30 s).
      connectionsCheckingInterval: 1000,
    },
    (request, response) => respond(request, response, answer),
  );
  server.maxConnections = MAX_CONNECTIONS;
  server.keepAliveTimeout = 1;
  // A connection idle this long (sending nothing at all) is closed.
  server.setTimeout(REQUEST_TIMEOUT_MS, (socket) => socket.destroy());
  server.on('connection', (socket) => {
    socket.unref();
    socket.on('error', () => socket.destroy());
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    socket.destroy();
  });
  server.on('error', (error) => {
    kernel.log.warn(`metrics listener ${address}: ${error.message}; /metrics and /healthz are not available`);
    server.close();
  });
  server.listen({ host: parsed.host, port: parsed.port }, () => kernel.log.info(`metrics: listening on ${address}`));
  // Never what keeps PID 1 alive.
  server.unref();
  return {
    close: () => {
      server.close();
      server.closeAllConnections();
    },
  };
}

function respond(request: http.IncomingMessage, response: http.ServerResponse, answer: () => StatusReport): void {
  // One answer per connection: nothing of a body is read or kept.
  response.shouldKeepAlive = false;
  const send = (code: number, body: string, type = 'text/plain; charset=utf-8', extra: Record<string, string> = {}): void => {
    response.writeHead(code, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store', Connection: 'close', ...extra });
    response.end(request.method === 'HEAD' ? undefined : body);
  };
  const path = (request.url ?? '').split('?')[0];
  if (path !== '/metrics' && path !== '/healthz') return send(404, 'not found: dinit serves /metrics and /healthz\n');
  if (request.method !== 'GET' && request.method !== 'HEAD') return send(405, 'method not allowed: use GET\n', undefined, { Allow: 'GET, HEAD' });
  const report = answer();
  if (path === '/metrics') return send(200, exposition(report), PROMETHEUS_CONTENT_TYPE);
  send(report.healthy ? 200 : 503, report.healthy ? 'ok\n' : `not ok${report.stopping ? ': dinit is stopping' : ''}\n`);
}
