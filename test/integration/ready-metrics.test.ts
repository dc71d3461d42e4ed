import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import { test } from 'node:test';
import { makeTree, runDinit } from './harness';
import { status, uniqueSocket } from './ready-helpers';

const idle = 'exec sleep 1000';
const T = { timeout: 60000 };

/**
 * A small parser of the text exposition format (0.0.4): every family has # HELP and # TYPE
 * before its samples, names and label names are valid, label values correctly escaped,
 * values numbers, counters end in _total. Returns the samples as `name{labels}` → value.
 */
function parseExposition(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  const types = new Map<string, string>();
  assert.ok(text.endsWith('\n'), 'ends with a newline');
  for (const line of text.slice(0, -1).split('\n')) {
    let m = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (m) continue;
    m = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (m) {
      assert.ok(!types.has(m[1]), `one TYPE per family: ${m[1]}`);
      types.set(m[1], m[2]);
      if (m[2] === 'counter') assert.match(m[1], /_total$/);
      assert.match(m[1], /^dinit_/);
      continue;
    }
    m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*",?)*\})? (-?[0-9.e+-]+|NaN|[+-]Inf)$/.exec(line);
    assert.ok(m, `a valid sample line: ${JSON.stringify(line)}`);
    assert.ok(types.has(m[1]), `TYPE before the samples of ${m[1]}`);
    samples.set(`${m[1]}${m[2] ?? ''}`, Number(m[3]));
  }
  return samples;
}

function promtool(text: string): void {
  if (!fs.existsSync('/usr/bin/promtool')) return;
  const r = spawnSync('/usr/bin/promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  assert.equal(r.status, 0, `promtool check metrics: ${r.stdout}${r.stderr}`);
}

test('dinit status --prometheus: programs, readiness, lines, reparented counters, uptime; labels escaped', T, async () => {
  const socket = uniqueSocket();
  const weird = 'we"ird\\name';
  const dir = makeTree({
    a: { run: 'echo one; echo two; echo three >&2; (sleep 30 &); exec sleep 1000', check: 'exit 1' },
    [weird]: { run: idle },
  });
  await runDinit(dir, {
    env: { DINIT_STATUS_SOCKET: socket, DINIT_CHECK_INTERVAL: '1' },
    timeoutMs: 30000,
    during: async (d) => {
      // The socket listens before any program starts: once a program runs, it answers.
      await d.waitFor(/a\/run: running with PID/);
      let samples = new Map<string, number>();
      let text = '';
      const end = Date.now() + 15000;
      // Until the orphan was terminated or reaped and both lines counted.
      while (Date.now() < end) {
        const s = await status(['--prometheus'], socket);
        assert.equal(s.code, 1, s.stderr); // a is not ready
        text = s.stdout;
        samples = parseExposition(text);
        if (samples.get('dinit_reparented_reaped_total')! >= 1 && samples.get('dinit_lines_total{service="a",stage="run",stream="stdout"}') === 2) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      promtool(text);
      assert.equal(samples.get('dinit_program_up{service="a",stage="run"}'), 1);
      assert.equal(samples.get('dinit_program_ready{service="a",stage="run"}'), 0);
      assert.equal(samples.get('dinit_program_ready{service="we\\"ird\\\\name",stage="run"}'), 1);
      assert.equal(samples.get('dinit_program_restarts_total{service="a",stage="run"}'), 0);
      const start = samples.get('dinit_program_start_time_seconds{service="a",stage="run"}')!;
      assert.ok(Math.abs(start - Date.now() / 1000) < 60, String(start));
      assert.equal(samples.get('dinit_lines_total{service="a",stage="run",stream="stdout"}'), 2);
      assert.equal(samples.get('dinit_lines_total{service="a",stage="run",stream="stderr"}'), 1);
      assert.equal(samples.get('dinit_reparented_terminated_total'), 1);
      assert.ok(samples.get('dinit_reparented_reaped_total')! >= 1);
      assert.equal(samples.get('dinit_reparented_adopted_total'), 0);
      assert.equal(samples.get('dinit_healthy'), 0);
      assert.ok(samples.get('dinit_uptime_seconds')! > 0);
      assert.match(text, /^# HELP dinit_program_up .+\n# TYPE dinit_program_up gauge\n/);
      d.signal('SIGTERM');
    },
  });
});

function get(port: number, path: string, method = 'GET'): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, agent: false, timeout: 10000 }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** A free port on 127.0.0.1 (asked of the kernel, then released). */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

test('DINIT_METRICS_LISTEN: /metrics, /healthz 200 then 503, 404 and 405, slow clients cut off', T, async () => {
  const port = await freePort();
  const dir = makeTree({ a: { run: idle, check: 'test -f ok' } });
  const r = await runDinit(dir, {
    env: { DINIT_METRICS_LISTEN: `127.0.0.1:${port}`, DINIT_CHECK_INTERVAL: '1', DINIT_LOG_LEVEL: 'info' },
    timeoutMs: 40000,
    during: async (d) => {
      await d.waitFor(/metrics: listening on 127\.0\.0\.1:/);
      await d.waitFor(/a\/run: running with PID/);
      const h1 = await get(port, '/healthz');
      assert.equal(h1.status, 503);
      fs.writeFileSync(`${dir}/a/ok`, '');
      await d.waitFor(/a\/check: ready/);
      const h2 = await get(port, '/healthz');
      assert.equal(h2.status, 200);
      assert.equal(h2.body, 'ok\n');
      assert.equal(h2.headers.connection, 'close');
      const m = await get(port, '/metrics');
      assert.equal(m.status, 200);
      assert.equal(m.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
      const samples = parseExposition(m.body);
      promtool(m.body);
      assert.equal(samples.get('dinit_program_ready{service="a",stage="run"}'), 1);
      assert.equal(samples.get('dinit_healthy'), 1);
      assert.equal((await get(port, '/')).status, 404);
      assert.equal((await get(port, '/metrics/x')).status, 404);
      assert.equal((await get(port, '/metrics', 'POST')).status, 405);
      // Slowloris: connections that send half a request and then nothing. dinit must stay
      // responsive (the answers below) and cut them off within its request timeout.
      const slow: net.Socket[] = [];
      const closed: Array<Promise<number>> = [];
      for (let i = 0; i < 8; i++) {
        const s = net.connect(port, '127.0.0.1');
        s.on('error', () => {});
        s.write('GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ');
        const t0 = Date.now();
        closed.push(new Promise((resolve) => s.on('close', () => resolve(Date.now() - t0))));
        slow.push(s);
      }
      const busy = await get(port, '/healthz');
      assert.equal(busy.status, 200);
      const lasted = await Promise.race([Promise.all(closed), new Promise<number[]>((resolve) => setTimeout(() => resolve([]), 15000))]);
      assert.equal(lasted.length, 8, 'slow clients were not cut off within 15 s');
      assert.ok(Math.max(...lasted) < 12000, String(lasted));
      // A request with oversized headers is refused, not buffered.
      const big = await new Promise<string>((resolve) => {
        const s = net.connect(port, '127.0.0.1');
        let answer = '';
        s.on('data', (c) => (answer += c));
        s.on('close', () => resolve(answer));
        s.on('error', () => resolve(answer));
        s.write(`GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: ${'x'.repeat(64 * 1024)}\r\n\r\n`);
      });
      assert.match(big, /^HTTP\/1\.1 431 /);
      d.signal('SIGTERM');
    },
  });
  assert.equal(r.code, 0, r.stderr);
});

test('DINIT_METRICS_LISTEN is validated (a clear message, status 1); unset: nothing listens', T, async () => {
  const dir = makeTree({ a: { run: idle } });
  for (const value of ['9100', 'localhost:99999', 'a b:1']) {
    const r = await runDinit(dir, { env: { DINIT_METRICS_LISTEN: value }, timeoutMs: 20000 });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /dinit: error: invalid metrics listen address .*: DINIT_METRICS_LISTEN (expected host:port|port 99999 is not from 1 to 65535)/);
  }
  const r = await runDinit(dir, {
    env: { DINIT_LOG_LEVEL: 'trace' },
    timeoutMs: 20000,
    during: async (d) => {
      await d.waitFor(/a\/run: running with PID/);
      d.signal('SIGTERM');
    },
  });
  assert.equal(r.code, 0);
  assert.doesNotMatch(r.stderr, /metrics/);
});
