import type { Readiness } from '../hooks/types';
import type { ProcessTable } from './process-table';

/**
 * Services' readiness as plugins report it (the built-in `readiness` runs `<svc>/check`).
 * The kernel only keeps it and announces changes (`ready` hook): what "ready" means is the
 * plugins' decision. A service nobody reported on is ready while its `run` runs.
 */
export class ReadinessTable {
  private readonly byService = new Map<string, Readiness>();

  constructor(
    private readonly programs: ProcessTable,
    private readonly changed: (service: string, readiness: Readiness) => void,
  ) {}

  /** Whether `service` is ready: its `run` is running and no plugin reported it not ready. */
  isReady(service: string): boolean {
    const run = this.programs.find(service, 'run');
    return run !== undefined && run.state === 'running' && this.byService.get(service)?.ready !== false;
  }

  /** The last report on `service`, if any. */
  get(service: string): Readiness | undefined {
    return this.byService.get(service);
  }

  /** Records a report; the `ready` hook fires when `ready` changed (or on the first report). */
  set(service: string, ready: boolean, detail?: string, output?: string): void {
    const last = this.byService.get(service);
    if (last && last.ready === ready) {
      last.detail = detail;
      last.output = output;
      return;
    }
    const readiness: Readiness = { ready, since: Date.now(), detail, output };
    this.byService.set(service, readiness);
    this.changed(service, readiness);
  }
}
