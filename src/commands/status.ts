import net = require('node:net');
import { holdsSockets, listeningNames, listeningSockets, statusSocketName, type ProgramStatus, type StatusRefusal, type StatusReport } from '../plugins/status/status-socket';
import { exposition } from '../plugins/status/prometheus';
import { commandArgs, processIo, type CommandIo } from './io';
import { chooseStatusSocket, sharesMountNamespace } from './status-target';

const USAGE = `usage: dinit status [--json | --prometheus]

Asks the running dinit (same container: same PID and network namespace) for its programs
and prints them (--json: the report as JSON; --prometheus: the Prometheus text format).
Exit status: 0 every service's run program is running and ready (its check passed), 1 one
is not (exited, disabled itself, not started yet, not ready, or dinit is stopping), 2 no dinit answered
(or it refused: only root, dinit's own user and DINIT_STATUS_USERS may ask).
`;

/** How long to wait for dinit's answer, retries included. */
const TIMEOUT_MS = 5000;
/** Pauses between connection attempts while the socket is flooded: short, growing, with jitter. */
const RETRY_FIRST_MS = 1;
const RETRY_MAX_MS = 4;

export const STATUS_EXIT = Object.freeze({ HEALTHY: 0, NOT_RUNNING: 1, NO_ANSWER: 2 });

/** `dinit status [--json]`. */
export async function status(args: string[], io: CommandIo = processIo()): Promise<number> {
  const parsed = commandArgs('status', args, ['--json', '--prometheus'], 0, USAGE, io);
  if (typeof parsed === 'number') return parsed;
  let name = statusSocketName(io.env);
  if (!io.env.DINIT_STATUS_SOCKET) {
    const target = chooseStatusSocket(name, listeningSockets(name), { ownMount: sharesMountNamespace, holds: holdsSockets });
    if ('refused' in target) {
      io.err(`dinit: error: status: ${target.refused}\n`);
      return STATUS_EXIT.NO_ANSWER;
    }
    name = target.name;
  }
  let answer: StatusReport | StatusRefusal;
  try {
    answer = JSON.parse(await askWithRetries(name, Date.now() + TIMEOUT_MS)) as StatusReport | StatusRefusal;
  } catch (error) {
    io.err(`dinit: error: status: no answer from dinit on @${name}: ${shownError(error as Error, name)}\n`);
    return STATUS_EXIT.NO_ANSWER;
  }
  if ('error' in answer) {
    io.err(`dinit: error: status: ${answer.error}\n`);
    return STATUS_EXIT.NO_ANSWER;
  }
  if (!Array.isArray(answer.programs)) {
    io.err(`dinit: error: status: unexpected answer from @${name}\n`);
    return STATUS_EXIT.NO_ANSWER;
  }
  if (parsed.flags.has('--json') && parsed.flags.has('--prometheus')) {
    io.err('dinit: error: status: --json and --prometheus cannot be used together\n');
    return STATUS_EXIT.NO_ANSWER;
  }
  io.out(parsed.flags.has('--json') ? `${JSON.stringify(answer)}\n` : parsed.flags.has('--prometheus') ? exposition(answer) : formatReport(answer));
  return answer.healthy ? STATUS_EXIT.HEALTHY : STATUS_EXIT.NOT_RUNNING;
}

/** Node's messages embed the socket path, NUL and all: show the abstract name as `@name`. */
function shownError(error: Error, name: string): string {
  return error.message.split(`\0${name}`).join(`@${name}`).replaceAll('\0', '\\0');
}

class Retry extends Error {}

/**
 * Asks until `deadline`. Others can fill the accept queue (connect gives EAGAIN) or have dinit
 * drop a connection unanswered; then the client tries again after a short pause. A refused
 * connection (ECONNREFUSED) is retried only while the name is still listening (a flood, not
 * a missing dinit). Every attempt and pause is bounded by the one deadline.
 */
async function askWithRetries(name: string, deadline: number): Promise<string> {
  let pause = RETRY_FIRST_MS;
  for (;;) {
    try {
      return await ask(name, deadline);
    } catch (error) {
      if (!(error instanceof Retry) || Date.now() + pause >= deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, pause * (0.5 + Math.random())));
    pause = Math.min(RETRY_MAX_MS, pause * 2);
  }
}

/** One attempt: connects to the abstract socket and reads everything until dinit closes it. */
function ask(name: string, deadline: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(`\0${name}`);
    const timeout = Math.max(1, deadline - Date.now());
    socket.setTimeout(timeout, () => socket.destroy(new Error(`timed out after ${TIMEOUT_MS / 1000} s`)));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EAGAIN') return reject(new Retry(`the socket is flooded with connections (${shownError(error, name)})`));
      if (error.code === 'ECONNREFUSED' && listeningNames(name).includes(name)) return reject(new Retry(shownError(error, name)));
      if (error.code === 'ECONNREFUSED' || error.code === 'ENOENT') return reject(new Error('no dinit is listening (is it running in this container?)'));
      reject(error);
    });
    socket.on('end', () => {
      // Closed without a word: dropped (too many clients at once); ask again.
      if (chunks.length === 0) return reject(new Retry('dinit closed the connection without an answer'));
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

const HEADER = ['SERVICE', 'STAGE', 'PID', 'STATE', 'STARTED', 'UPTIME'];

/**
 * A table of the programs, then one summary line. READY appears when some service has a
 * readiness check, RESTARTS when something restarted: without either, the table is as before.
 */
export function formatReport(report: StatusReport): string {
  const checks = report.programs.some((p) => p.check !== undefined);
  const restarts = report.programs.some((p) => (p.restarts ?? 0) > 0);
  const header = [...HEADER.slice(0, 4), ...(checks ? ['READY'] : []), ...(restarts ? ['RESTARTS', 'LAST EXIT'] : []), ...HEADER.slice(4)];
  const rows = report.programs.map((p) => [
    printable(p.service),
    printable(p.stage),
    p.pid === null ? '-' : String(p.pid),
    stateText(p),
    ...(checks ? [readyText(p)] : []),
    ...(restarts ? [String(p.restarts ?? 0), p.lastExit ? exitText(p.lastExit) : '-'] : []),
    p.startedAt ?? '-',
    p.uptimeMs === null ? '-' : formatUptime(p.uptimeMs),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]): string => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ') + '\n';
  let text = [header, ...rows].map(line).join('');
  const runs = report.programs.filter((p) => p.stage === 'run' && p.origin !== 'adopted');
  const down = runs.filter((p) => p.state !== 'running');
  const unready = runs.filter((p) => p.state === 'running' && p.ready === false);
  if (report.stopping) text += 'not ok: dinit is stopping\n';
  else if (down.length > 0) text += `not ok: not running: ${down.map((p) => `${printable(p.service)}/run (${stateText(p)})`).join(', ')}\n`;
  else if (unready.length > 0) text += `not ok: not ready: ${unready.map((p) => `${printable(p.service)}/run (${p.check?.detail ?? 'not ready'})`).join(', ')}\n`;
  else if (!report.healthy) text += 'not ok: no services\n';
  else {
    const n = runs.length;
    text += `ok: ${n} service${n === 1 ? '' : 's'} running${checks ? ' and ready' : ''}\n`;
  }
  for (const p of runs) {
    const output = p.check && !p.ready ? p.check.output.trimEnd() : '';
    if (output !== '') text += `${printable(p.service)}/check output:\n${output.split('\n').map((l) => `  ${printable(l)}`).join('\n')}\n`;
  }
  return text;
}

function readyText(p: ProgramStatus): string {
  if (p.state !== 'running') return '-';
  return p.ready ? 'yes' : 'no';
}

function stateText(p: ProgramStatus): string {
  if (p.state !== 'exited' || !p.exit) return p.state;
  return exitText(p.exit);
}

function exitText(exit: { code: number | null; signal: number | null }): string {
  return exit.code !== null ? `exited ${exit.code}` : `killed by signal ${exit.signal}`;
}

/** Names are folder names: any byte but `/` and NUL. Control characters are shown escaped (JSON style). */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u001f\u007f]/.test(text) ? JSON.stringify(text) : text;
}

/** 42s, 5m03s, 2h05m, 3d04h. */
export function formatUptime(ms: number): string {
  const s = Math.floor(ms / 1000);
  const pad = (n: number): string => String(n).padStart(2, '0');
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${pad(s % 60)}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${pad(Math.floor(s / 60) % 60)}m`;
  return `${Math.floor(s / 86400)}d${pad(Math.floor(s / 3600) % 24)}h`;
}
