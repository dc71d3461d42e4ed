import type { Program } from '../../hooks/types';
import { DISABLED_STATUS, type Kernel } from '../../kernel/kernel';

/** Bumped when a field changes meaning; new fields may be added without. */
export const STATUS_VERSION = 1;

export type ProgramState = 'running' | 'exited' | 'disabled' | 'not started';

export interface ProgramStatus {
  service: string;
  stage: string;
  /** Its pid in dinit's PID namespace; null when not started. */
  pid: number | null;
  origin: 'spawned' | 'adopted' | null;
  state: ProgramState;
  /** RFC 3339, ms, UTC. */
  startedAt: string | null;
  /** Milliseconds since start while running. */
  uptimeMs: number | null;
  exit: { code: number | null; signal: number | null } | null;
  /** Running, and for a service's `run`: ready (kernel.readiness; its `check` passed when it has one). */
  ready: boolean;
  /** Starts of this service's stage after the first. */
  restarts: number;
  /** Its exit when it exited, else the exit of the one before it (a restarted program); null when none. */
  lastExit: { code: number | null; signal: number | null } | null;
  /** For a `run` whose service has a readiness check: what the last check said. */
  check?: { detail: string; since: string; output: string };
}

export interface StatusReport {
  version: number;
  pid: number;
  now: string;
  stopping: boolean;
  /** Every service's `run` is running and ready (and dinit is not stopping). */
  healthy: boolean;
  /** dinit's own start (RFC 3339) and uptime. */
  startedAt: string;
  uptimeMs: number;
  programs: ProgramStatus[];
  /** Lines read per service, stage and stream since dinit started. */
  lines: Array<{ service: string; stage: string; stream: string; lines: number }>;
  /** Reparented processes reaped, terminated and adopted since dinit started. */
  reparented: { reaped: number; terminated: number; adopted: number };
}

/** What the plugin remembers between reports: the newest program per service and stage, and how often each started. */
export interface StatusMemory {
  latest: Map<string, Program>;
  starts: Map<string, number>;
  /** The exit of the program a restart replaced, per service and stage. */
  previousExit: Map<string, { code: number | null; signal: number | null }>;
}

export const keyOf = (service: string, stage: string): string => `${service}\0${stage}`;

export function createMemory(): StatusMemory {
  return { latest: new Map(), starts: new Map(), previousExit: new Map() };
}

/** A program started (or was adopted): the newest of its service and stage; a start after the first is a restart. */
export function remember(memory: StatusMemory, program: Program): void {
  // Readiness checks are not programs of the report (their results are, via kernel.readiness).
  if (program.probe) return;
  const key = keyOf(program.service, program.stage);
  const previous = memory.latest.get(key);
  if (previous?.exit && previous !== program) memory.previousExit.set(key, { code: previous.exit.code, signal: previous.exit.signal });
  memory.latest.set(key, program);
  // Every start of a service's run (or log) after the first is a restart, whoever restarted it.
  if (program.origin === 'spawned' && (program.stage === 'run' || program.stage === 'log')) memory.starts.set(key, (memory.starts.get(key) ?? 0) + 1);
  if (memory.latest.size > 1000) prune(memory.latest, memory.previousExit);
}

/** Builds the report: every known program, newest per service and stage, and services not started. */
export function report(kernel: Kernel, memory: StatusMemory, now = Date.now()): StatusReport {
  const { latest } = memory;
  prune(latest, memory.previousExit);
  const programs: ProgramStatus[] = [];
  const live = new Set<Program>(kernel.programs.all());
  const seen = new Set<Program>();
  const add = (program: Program): ProgramStatus | undefined => {
    if (seen.has(program) || program.probe) return undefined;
    seen.add(program);
    const status = describe(kernel, memory, program, live.has(program) && program.state === 'running', now);
    programs.push(status);
    return status;
  };
  let healthy = !kernel.stopping && kernel.services.length > 0;
  for (const spec of kernel.services) {
    const stages = spec.log ? ['run', 'log'] : ['run'];
    for (const stage of stages) {
      const program = latest.get(keyOf(spec.name, stage)) ?? kernel.programs.find(spec.name, stage);
      const status = program ? add(program) : undefined;
      if (!program) programs.push({ service: spec.name, stage, pid: null, origin: null, state: 'not started', startedAt: null, uptimeMs: null, exit: null, ready: false, restarts: 0, lastExit: null });
      if (stage === 'run' && (!program || program.state !== 'running' || status?.ready === false)) healthy = false;
    }
  }
  for (const program of [...latest.values(), ...live]) add(program);
  return {
    version: STATUS_VERSION,
    pid: kernel.pid,
    now: new Date(now).toISOString(),
    stopping: kernel.stopping,
    healthy,
    startedAt: new Date(kernel.startedAt).toISOString(),
    uptimeMs: Math.max(0, now - kernel.startedAt),
    programs,
    lines: kernel.lineCounts(),
    reparented: kernel.reparentedCounts(),
  };
}

function describe(kernel: Kernel, memory: StatusMemory, program: Program, running: boolean, now: number): ProgramStatus {
  const exit = program.exit ? { code: program.exit.code, signal: program.exit.signal } : null;
  const disabled = program.stage === 'run' && program.origin === 'spawned' && exit?.code === DISABLED_STATUS;
  const isRun = program.stage === 'run' && program.origin === 'spawned';
  const readiness = isRun ? kernel.readiness.get(program.service) : undefined;
  const status: ProgramStatus = {
    service: program.service,
    stage: program.stage,
    pid: program.pid,
    origin: program.origin,
    state: running ? 'running' : disabled ? 'disabled' : 'exited',
    startedAt: new Date(program.startedAt).toISOString(),
    uptimeMs: running ? Math.max(0, now - program.startedAt) : null,
    exit,
    ready: running && (!isRun || kernel.readiness.isReady(program.service)),
    restarts: Math.max(0, (memory.starts.get(keyOf(program.service, program.stage)) ?? 1) - 1),
    lastExit: exit ?? memory.previousExit.get(keyOf(program.service, program.stage)) ?? null,
  };
  // Only a check reports output (possibly empty); other readiness is just "run is running".
  if (readiness?.output !== undefined) {
    status.check = { detail: readiness.detail ?? '', since: new Date(readiness.since).toISOString(), output: readiness.output ?? '' };
  }
  return status;
}

/** Forgets exited programs other than a service's run and log (term programs, adopted processes). */
export function prune(latest: Map<string, Program>, previousExit?: Map<string, unknown>): void {
  for (const [key, program] of latest) {
    if (program.state !== 'running' && (program.origin === 'adopted' || (program.stage !== 'run' && program.stage !== 'log'))) {
      latest.delete(key);
      previousExit?.delete(key);
    }
  }
}
