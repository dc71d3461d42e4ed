import { spawn } from 'node:child_process';
import { CLI } from './harness';

let sockets = 0;
/** A socket name of its own per test: test files run side by side in one network namespace. */
export const uniqueSocket = (): string => `dinit-ready-test-${process.pid}-${++sockets}`;

/** `dinit status [args]` as a separate process (same network namespace as the dinit under test). */
export function status(args: string[], socket: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('DINIT_')) delete env[key];
  env.DINIT_STATUS_SOCKET = socket;
  const child = spawn(process.execPath, [CLI, 'status', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** Table rows of `dinit status`, cells split on two spaces or more, pids/times/uptimes normalised. */
export function rows(stdout: string): string[][] {
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((line) => (line.includes(': ') || line.startsWith('  ') ? [line] : line.split(/ {2,}/).map(cell)));
}

function cell(text: string): string {
  if (/^\d+$/.test(text) && Number(text) > 1) return '<pid>';
  if (/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(text)) return 'T';
  if (/^\d+(s|m\d\ds|h\d\dm|d\d\dh)$/.test(text)) return '<uptime>';
  return text;
}

/** Polls `probe` until it returns true (bounded). */
export async function eventually(probe: () => Promise<boolean>, what: string, ms = 15000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await probe()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
