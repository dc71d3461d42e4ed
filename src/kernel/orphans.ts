import type { Hooks } from '../hooks/hooks';
import type { Config, Logger } from '../hooks/payloads';
import type { ExitStatus, Orphan, Program } from '../hooks/types';
import { finishedText } from './log';
import type { ProcessTable } from './process-table';
import type { Reaper } from './reaper';
import { reportSlowStop } from './slow-stop';
import type { WaitResult } from '../sys';

type Mode = 'deciding' | 'ignored' | 'terminating' | 'adopted';

interface OrphanState {
  orphan: Orphan;
  mode: Mode;
  killTimer?: NodeJS.Timeout;
  program?: Program;
}

/**
 * What Orphans needs of the kernel, passed in (the kernel itself, structurally), so the two
 * do not import each other.
 */
export interface OrphanHost {
  readonly stopping: boolean;
  readonly hooks: Pick<Hooks, 'reparent' | 'adopted'>;
  readonly log: Logger;
  readonly config: Readonly<Pick<Config, 'killTimeout'>>;
  readonly programs: ProcessTable;
  programExited(program: Program, status: ExitStatus): Promise<void>;
}

/**
 * Reparented processes: asks the `reparent` hook once per process and provides the
 * primitives policies use (adopt, terminate). Every pid here is an unreaped child of
 * dinit, so signalling it can never hit a recycled pid; state is dropped when reaped.
 */
export class Orphans {
  private readonly states = new Map<number, OrphanState>();
  private reaper!: Reaper;
  /** When set (ms since epoch), no reparented process outlives it: SIGKILL then at the latest. */
  private deadline: { at: number; warning: string } | undefined;

  /** Counters for metrics: reaped (any reparented process, adopted ones too), terminated, adopted. */
  readonly counts = { reaped: 0, terminated: 0, adopted: 0 };

  constructor(private readonly kernel: OrphanHost) {}

  attach(reaper: Reaper): void {
    this.reaper = reaper;
  }

  /** Orphans whose policy is still being decided. */
  get pending(): number {
    let n = 0;
    for (const state of this.states.values()) if (state.mode === 'deciding') n++;
    return n;
  }

  async decide(orphan: Orphan): Promise<void> {
    const state: OrphanState = { orphan, mode: 'deciding' };
    this.states.set(orphan.pid, state);
    if (this.kernel.stopping) {
      this.terminate(orphan);
      return;
    }
    const handled = await this.kernel.hooks.reparent.promise(orphan).catch(() => undefined);
    if (this.states.get(orphan.pid) !== state) return; // ended meanwhile
    if (state.mode === 'deciding') {
      if (handled) state.mode = 'ignored';
      else this.terminate(orphan);
    }
    // A stop that began while the policy decided still ends every reparented process.
    if (this.kernel.stopping && state.mode === 'ignored') this.terminate(orphan);
  }

  terminate(orphan: Orphan): void {
    const state = this.stateOf(orphan);
    if (state.mode === 'terminating') return;
    state.mode = 'terminating';
    this.counts.terminated++;
    const { log } = this.kernel;
    const label = labelOf(orphan);
    log.warn(`${label}: terminating reparented child process with PID ${orphan.pid}${cmdlineSuffix(orphan)}`);
    log.info(`${label}: sending SIGTERM to PID ${orphan.pid}`);
    this.kill(orphan.pid, 'SIGTERM');
    // A stopped process keeps SIGTERM pending until continued: wake it so it can act on it.
    log.trace(`${label}: sending SIGCONT to PID ${orphan.pid}`);
    this.kill(orphan.pid, 'SIGCONT');
    this.armKill(state, label);
    reportSlowStop(log, state, { label, pid: orphan.pid, running: () => this.states.get(orphan.pid) === state }, 'SIGTERM');
  }

  /**
   * Reparented processes being terminated get SIGKILL at `at` at the latest (the earlier of
   * it and their own DINIT_KILL_TIMEOUT), logging `warning` first; later ones too, at once if it has passed.
   */
  killBy(at: number, warning: string): void {
    this.deadline = { at, warning };
    for (const state of this.states.values()) {
      if (state.mode !== 'terminating' || !state.killTimer) continue;
      clearTimeout(state.killTimer);
      state.killTimer = undefined;
      this.armKill(state, labelOf(state.orphan));
    }
  }

  adopt(orphan: Orphan): Program {
    const state = this.stateOf(orphan);
    if (state.program) return state.program;
    state.mode = 'adopted';
    this.counts.adopted++;
    const { log } = this.kernel;
    log.warn(
      `${labelOf(orphan)}: adopting reparented child process with PID ${orphan.pid}${cmdlineSuffix(orphan)}`,
    );
    const program: Program = {
      service: orphan.name,
      stage: orphan.stage,
      pid: orphan.pid,
      origin: 'adopted',
      startedAt: Date.now(),
      state: 'running',
    };
    state.program = program;
    this.kernel.programs.add(program);
    void this.kernel.hooks.adopted.promise(program);
    return program;
  }

  /** The container stops: every reparented process ends, whatever the policy. */
  stopAll(): void {
    for (const state of this.states.values()) {
      if (state.mode === 'ignored') this.terminate(state.orphan);
      // Adopted ones got SIGTERM from the kernel like programs; they too get SIGKILL after the timeout.
      if (state.mode === 'adopted') this.armKill(state, labelOf(state.orphan));
    }
    this.reaper.request();
  }

  reaped(pid: number, result: WaitResult): void {
    const state = this.states.get(pid);
    if (!state) return;
    this.states.delete(pid);
    clearTimeout(state.killTimer);
    this.counts.reaped++;
    if (state.program) {
      void this.kernel.programExited(state.program, result);
      return;
    }
    // Both unknown: it was not our child any more (reaped elsewhere); nothing to report.
    if (result.code === null && result.signal === null) return;
    // Checked first: a storm reaps thousands, and the line would be built for nothing.
    if (this.kernel.log.enabled('info')) this.kernel.log.info(`${labelOf(state.orphan)}: ${finishedText(pid, result)}`);
  }

  private stateOf(orphan: Orphan): OrphanState {
    let state = this.states.get(orphan.pid);
    if (!state) {
      state = { orphan, mode: 'deciding' };
      this.states.set(orphan.pid, state);
      this.reaper.track(orphan.pid);
    }
    return state;
  }

  private armKill(state: OrphanState, label: string): void {
    if (state.killTimer) return;
    const pid = state.orphan.pid;
    const own = this.kernel.config.killTimeout * 1000;
    const { deadline } = this;
    // Adopted processes are programs: the deadline reaches them through the process table.
    const byDeadline = deadline !== undefined && state.mode === 'terminating' && deadline.at - Date.now() < own;
    const after = byDeadline ? Math.max(0, deadline.at - Date.now()) : own;
    state.killTimer = setTimeout(() => {
      if (this.states.get(pid) !== state) return;
      if (byDeadline) this.kernel.log.warn(`${label}: ${deadline.warning}`);
      this.kernel.log.info(`${label}: sending SIGKILL to PID ${pid}`);
      this.kill(pid, 'SIGKILL');
    }, after);
  }

  private kill(pid: number, signal: NodeJS.Signals): void {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone: the reaper reports it.
    }
    this.reaper.request();
  }
}

/** `<name>/<pid>`: how Go dinit names a reparented process in its lines. */
function labelOf(orphan: Orphan): string {
  return `${orphan.name}/${orphan.stage}`;
}

/** `: <cmdline>`, or nothing when the cmdline is empty (a zombie, a kernel thread). */
function cmdlineSuffix(orphan: Orphan): string {
  return orphan.cmdline ? `: ${orphan.cmdline}` : '';
}
