import fs = require('node:fs');
import net = require('node:net');
import type { Program } from '../../hooks/types';
import type { Kernel, Plugin } from '../../kernel/kernel';
import { createMemory, remember as rememberProgram, report, STATUS_VERSION, type StatusReport } from './status-report';
import { loadLibc } from '../../sys/libc';
import { loadPosixNode } from '../../sys/posix-backend';
import { SOL_SOCKET, SO_PEERCRED } from '../../sys/ptrace/socket-layout';
import { readProc } from '../../kernel/proc-info';

/**
 * `status-socket`: answers `dinit status` on an abstract unix socket (no file, so it works
 * on a read-only root file system). A client connects and reads one JSON report; it sends
 * nothing. Abstract sockets have no permissions, so the peer's uid is read with SO_PEERCRED:
 * root, dinit's own user and the uids in DINIT_STATUS_USERS are answered, others refused.
 * The server never keeps PID 1 alive, closes when the stop begins, and a misbehaving client
 * only ever loses its own connection.
 */

/** A client that has not read its report after this long is dropped. */
const CLIENT_TIMEOUT_MS = 5000;
const MAX_CLIENTS = 16;
/**
 * The accept queue. A flood of connections from others is accepted and dropped as fast as
 * dinit can; a deep queue would only hold more of them ahead of an allowed client, and the
 * client retries a full queue (EAGAIN) within its own deadline anyway.
 */
const BACKLOG = 128;

export { STATUS_VERSION, type ProgramState, type ProgramStatus, type StatusReport } from './status-report';

export interface StatusRefusal {
  version: number;
  error: string;
}

/**
 * The abstract socket's name (without the leading NUL): DINIT_STATUS_SOCKET when set, else
 * `dinit-status-<inode of the PID namespace>`, which `docker exec` (same namespaces) derives
 * too. A dinit that is not PID 1 (several may share a namespace) appends `-<pid>`; the client
 * finds it in /proc/net/unix.
 */
export function statusSocketName(env: NodeJS.ProcessEnv = process.env, pid = 1): string {
  const configured = env.DINIT_STATUS_SOCKET;
  if (configured) return configured.replace(/^[@\0]/, '');
  let ns = 'host';
  try {
    ns = /\[(\d+)\]/.exec(fs.readlinkSync('/proc/self/ns/pid'))?.[1] ?? ns;
  } catch {
    // no /proc: one dinit per network namespace
  }
  return pid === 1 ? `dinit-status-${ns}` : `dinit-status-${ns}-${pid}`;
}

/**
 * Abstract socket names listening in this network namespace that start with `prefix`, each
 * with the inodes of its listening sockets (from /proc/net/unix). One shown name can have two:
 * Node 20 pads abstract names with NULs to the full sun_path (trailing `@`s), Node 22+ binds
 * the exact length, and both forms can be bound at once.
 */
export function listeningSockets(prefix: string): Map<string, number[]> {
  let table: string;
  try {
    table = readProc('/proc/net/unix', 'utf8');
  } catch {
    return new Map();
  }
  const sockets = new Map<string, number[]>();
  for (const line of table.split('\n')) {
    // Num RefCount Protocol Flags Type St Inode Path; flags 00010000 = __SO_ACCEPTCON (listening).
    const fields = line.trim().split(/\s+/);
    if (fields.length >= 8 && fields[3] === '00010000' && fields[7].startsWith(`@${prefix}`)) {
      const name = fields[7].slice(1).replace(/@+$/, '');
      sockets.set(name, [...(sockets.get(name) ?? []), Number(fields[6])]);
    }
  }
  return new Map([...sockets].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Abstract socket names listening in this network namespace that start with `prefix`. */
export function listeningNames(prefix: string): string[] {
  return [...listeningSockets(prefix).keys()];
}

/**
 * Whether process `pid` holds every one of `inodes` (its /proc/<pid>/fd links name them):
 * the PID in a socket name is only a claim, anyone may bind an abstract name. Undefined when
 * it cannot be told (not root, or the process is gone).
 */
export function holdsSockets(pid: number, inodes: readonly number[]): boolean | undefined {
  let held: Set<string>;
  try {
    // PIDs in a name are of our PID namespace; a /proc of another one (`nsenter --pid` without
    // --mount) numbers processes differently and cannot tell.
    if (fs.readlinkSync('/proc/self') !== String(process.pid)) return undefined;
    const dir = `/proc/${pid}/fd`;
    held = new Set();
    for (const fd of fs.readdirSync(dir)) {
      try {
        held.add(fs.readlinkSync(`${dir}/${fd}`));
      } catch {
        // closed while we looked
      }
    }
  } catch {
    return undefined;
  }
  return inodes.every((inode) => held.has(`socket:[${inode}]`));
}

/** DINIT_STATUS_USERS: a comma list of uids allowed besides root and dinit's own user. */
export function parseStatusUsers(text: string | undefined): Set<number> {
  const users = new Set<number>();
  for (const part of (text ?? '').split(',')) {
    const word = part.trim();
    if (word === '') continue;
    if (!/^\d+$/.test(word) || Number(word) > 0xfffffffe) {
      throw new Error(`invalid status users ${JSON.stringify(text)}: expected a comma-separated list of numeric uids`);
    }
    users.add(Number(word));
  }
  return users;
}

export const statusSocket: Plugin = {
  name: 'status-socket',
  apply(kernel) {
    const users = parseStatusUsers(process.env.DINIT_STATUS_USERS);
    const name = statusSocketName(process.env, kernel.pid);
    const memory = createMemory();
    const remember = (program: Program): void => rememberProgram(memory, program);
    kernel.hooks.started.tap('status-socket', remember);
    kernel.hooks.adopted.tapPromise('status-socket', async (program) => remember(program));
    let server: net.Server | undefined;
    let http: { close(): void } | undefined;
    // Listen once the kernel runs (not when applied: `dinit check` applies plugins too).
    kernel.hooks.load.tapPromise({ name: 'status-socket', stage: 100 }, async (services) => {
      if (!kernel.stopping) server = listen(kernel, name, users, () => report(kernel, memory));
      // DINIT_METRICS_LISTEN: the same report over HTTP. node:http is loaded only then.
      if (!kernel.stopping && kernel.config.metricsListen) {
        const { listenMetrics } = require('./metrics-http') as typeof import('./metrics-http');
        http = listenMetrics(kernel, kernel.config.metricsListen, () => report(kernel, memory));
      }
      return services;
    });
    kernel.hooks.stopping.tap('status-socket', () => {
      server?.close();
      server = undefined;
      http?.close();
      http = undefined;
    });
  },
};

function listen(kernel: Kernel, name: string, users: Set<number>, answer: () => StatusReport): net.Server {
  const ownUid = process.getuid?.() ?? 0;
  const refusals = refusalLog(kernel);
  const server = net.createServer({ allowHalfOpen: false, pauseOnConnect: true }, (socket) => {
    try {
      serve(kernel, socket, (uid) => uid === 0 || uid === ownUid || users.has(uid), answer, refusals);
    } catch (error) {
      kernel.log.trace(`status: client error: ${(error as Error).message}`);
      socket.destroy();
    }
  });
  server.maxConnections = MAX_CLIENTS;
  server.on('error', (error: NodeJS.ErrnoException) => {
    const why = error.code === 'EADDRINUSE' ? 'in use by another dinit (set DINIT_STATUS_SOCKET to tell them apart)' : error.message;
    kernel.log.warn(`status socket @${name}: ${why}; "dinit status" is not available`);
    server.close();
  });
  server.listen({ path: `\0${name}`, backlog: BACKLOG }, () => kernel.log.trace(`status: listening on @${name}`));
  server.unref();
  return server;
}

/**
 * Logs refused uids without flooding the log: the first three of each uid, then at powers of
 * two with the count (a flood of connections is one line per doubling, not one per connection).
 */
function refusalLog(kernel: Kernel): (uid: number) => void {
  const counts = new Map<number, number>();
  return (uid) => {
    const n = (counts.get(uid) ?? 0) + 1;
    if (counts.size < 1000 || counts.has(uid)) counts.set(uid, n);
    if (n <= 3 || (n & (n - 1)) === 0) kernel.log.info(`status: refused uid ${uid}${n > 1 ? ` (${n} times so far)` : ''}`);
  };
}

const refusalText = (uid: number): string =>
  `${JSON.stringify({ version: STATUS_VERSION, error: `permission denied: uid ${uid} may not read the status (allowed: root and DINIT_STATUS_USERS)` })}\n`;

function serve(kernel: Kernel, socket: net.Socket, allowed: (uid: number) => boolean, answer: () => StatusReport, refused: (uid: number) => void): void {
  socket.unref();
  socket.on('error', () => socket.destroy());
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
  let uid: number | undefined;
  let why = 'cannot read the peer credentials';
  try {
    if (typeof fd === 'number' && fd >= 0) uid = peerCredentials(fd).uid;
  } catch (error) {
    why = `cannot read the peer credentials: ${(error as Error).message}`;
  }
  if (uid !== undefined && !allowed(uid)) {
    // Dropped at once: one small write (it fits the socket buffer of a new connection), no
    // timer, no reading, nothing kept. A flood costs an accept and a close per connection.
    refused(uid);
    socket.write(refusalText(uid));
    socket.destroy();
    return;
  }
  socket.setTimeout(CLIENT_TIMEOUT_MS, () => socket.destroy());
  let body: StatusReport | StatusRefusal;
  if (uid === undefined) {
    kernel.log.warn(`status: refused a client: ${why}`);
    body = { version: STATUS_VERSION, error: `permission denied: dinit ${why}` };
  } else {
    body = answer();
  }
  // Whatever the client sends is ignored; reading it keeps a chatty client from blocking us.
  socket.on('data', () => {});
  socket.resume();
  // Closed once handed to the kernel: the answer stays readable by the peer, and no slot is held.
  socket.end(`${JSON.stringify(body)}\n`, () => socket.destroy());
}

type GetSockOpt = (fd: number, level: number, option: number, length: number) => Buffer;
let getsockopt: GetSockOpt | undefined;

/** getsockopt(SO_PEERCRED): struct ucred { pid_t pid; uid_t uid; gid_t gid; }. posix-node on glibc, koffi elsewhere. */
export function peerCredentials(fd: number): { pid: number; uid: number; gid: number } {
  getsockopt ??= bindGetsockopt();
  const buffer = getsockopt(fd, SOL_SOCKET, SO_PEERCRED, 12);
  if (buffer.length < 12) throw new Error(`SO_PEERCRED returned ${buffer.length} bytes`);
  return { pid: buffer.readInt32LE(0), uid: buffer.readUInt32LE(4), gid: buffer.readUInt32LE(8) };
}

function bindGetsockopt(): GetSockOpt {
  if (process.env.DINIT_SYS_BACKEND !== 'koffi') {
    try {
      // The same direct load as the kernel's calls (not posix-node's logging index.js).
      const own = loadPosixNode().getsockopt;
      if (typeof own === 'function') return own;
    } catch {
      // not on glibc: koffi below
    }
  }
  const { lib } = loadLibc();
  const call = lib.func('int getsockopt(int fd, int level, int name, _Out_ uint8_t *value, _Inout_ uint32_t *length)');
  return (fd, level, option, length) => {
    const value = Buffer.alloc(length);
    const size = [length];
    if ((call(fd, level, option, value, size) as number) !== 0) throw new Error('getsockopt failed');
    return value.subarray(0, size[0]);
  };
}
