import type { OutputPipeline } from './output-pipeline';

/** After the last process is gone, how long pipes kept open by outsiders may stay silent before dinit exits anyway. */
const PIPE_DRAIN_LIMIT_MS = 2000;

export interface ExitGateHost {
  /** A program, a foreign child (last scan) or an undecided orphan remains. */
  busy(): boolean;
  /** Children not in the table right now (a fresh read of the children file). */
  childrenNow(): number;
  requestScan(): void;
  finish(): void;
}

/**
 * Once the container stops, decides when dinit may exit: no program, no foreign child, and
 * every pipe drained — the drain bounded by silence, not by total time.
 */
export class ExitGate {
  private drainTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly output: OutputPipeline,
    private readonly host: ExitGateHost,
  ) {}

  /** Called whenever something that holds the exit may have ended. */
  check(): void {
    if (this.host.busy()) return;
    // The count above is from the last scan: a child reparented since (a program's child, when
    // the program exited just now) would be left behind, a zombie of whoever inherits it. So
    // look again, synchronously, before deciding. The reaper's next scan (every 100 ms while
    // stopping, or on the child's SIGCHLD) handles it and asks again; no request from here,
    // so a child the scan cannot settle yet never turns this into a busy loop.
    if (this.host.childrenNow() > 0) return;
    if (this.output.open > 0) {
      // Every process is gone, yet a pipe is open: a writer outside our PID namespace holds it.
      // Bounded by silence, not by total time: a backed-up consumer only slows the drain.
      this.drainTimer ??= setTimeout(() => {
        this.drainTimer = undefined;
        if (this.output.open === 0 || this.output.quietFor() >= PIPE_DRAIN_LIMIT_MS) this.host.finish();
        else this.check();
      }, Math.max(50, PIPE_DRAIN_LIMIT_MS - this.output.quietFor()));
      this.host.requestScan();
      return;
    }
    this.host.finish();
  }

  cancel(): void {
    clearTimeout(this.drainTimer);
    this.drainTimer = undefined;
  }
}
