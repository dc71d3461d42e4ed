import type { Orphan, Program } from '../hooks/types';
import type { Kernel } from './kernel';
import { finishedText } from './log';
import type { Reaper } from './reaper';
import type { WaitResult } from './sys';

type Mode = 'deciding' | 'ignored' | 'terminating' | 'adopted';

interface OrphanState {
  orphan: Orphan;
  mode: Mode;
  killTimer?: NodeJS.Timeout;
  program?: Program;
}

/**
 * Reparented processes: asks the `reparent` hook once per process and provides the
 * primitives policies use (adopt, terminate). Every pid here is an unreaped child of
 * dinit, so signalling it can never hit a recycled pid; state is dropped when reaped.
 */
export class Orphans {
  private readonly states = new Map<number, OrphanState>();
  private reaper!: Reaper;

  constructor(private readonly kernel: Kernel) {}

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
    const { log } = this.kernel;
    const label = labelOf(orphan);
    log.warn(`${label}: terminating reparented child process with PID ${orphan.pid}${cmdlineSuffix(orphan)}`);
    log.info(`${label}: sending SIGTERM to PID ${orphan.pid}`);
    this.kill(orphan.pid, 'SIGTERM');
    this.armKill(state, label);
  }

  adopt(orphan: Orphan): Program {
    const state = this.stateOf(orphan);
    if (state.program) return state.program;
    state.mode = 'adopted';
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
    state.killTimer = setTimeout(() => {
      if (this.states.get(pid) !== state) return;
      this.kernel.log.info(`${label}: sending SIGKILL to PID ${pid}`);
      this.kill(pid, 'SIGKILL');
    }, this.kernel.config.killTimeout * 1000);
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
