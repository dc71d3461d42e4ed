import type { Program } from '../hooks/types';

/**
 * Every process dinit waits for, by pid. The reaper treats any child not in here as
 * reparented, so the spawn path records a pid in the same tick the process is created.
 */
export class ProcessTable {
  private readonly byPid = new Map<number, Program>();

  add(program: Program): void {
    this.byPid.set(program.pid, program);
  }

  has(pid: number): boolean {
    return this.byPid.has(pid);
  }

  get(pid: number): Program | undefined {
    return this.byPid.get(pid);
  }

  delete(pid: number): void {
    this.byPid.delete(pid);
  }

  get size(): number {
    return this.byPid.size;
  }

  all(): Program[] {
    return [...this.byPid.values()];
  }

  find(service: string, stage: string): Program | undefined {
    for (const program of this.byPid.values()) if (program.service === service && program.stage === stage) return program;
    return undefined;
  }
}
