import type { Orphan, Program } from '../hooks/types';
import type { SysCalls } from '../sys';
import type { Children } from './children';
import type { OutputPipeline } from './output-pipeline';

/**
 * The primitives the kernel offers plugins that only hand the call on: to the reparenting
 * primitives, the output pipeline and the native calls. Kept apart from kernel.ts, whose
 * concern is the run and the stop.
 */
export abstract class KernelPrimitives {
  protected abstract readonly sys: SysCalls;
  protected abstract readonly output: OutputPipeline;
  protected abstract readonly children: Children;

  /** pipe2(O_CLOEXEC): [read end, write end], for a plugin that gives a program an fd of its own (Stdio). */
  pipe(): [number, number] {
    return this.sys.pipe();
  }

  /** Takes a reparented process over as a program: waited for, stopped with the others. */
  adopt(orphan: Orphan): Program {
    return this.children.orphans.adopt(orphan);
  }

  /** SIGTERM now, SIGKILL after DINIT_KILL_TIMEOUT if it is still alive. */
  terminate(orphan: Orphan): void {
    this.children.orphans.terminate(orphan);
  }

  /**
   * Reparented processes being terminated (now or later) get SIGKILL at `at` (ms since epoch)
   * at the latest instead of only after DINIT_KILL_TIMEOUT; `warning` is logged for each first.
   */
  killReparentedBy(at: number, warning: string): void {
    this.children.orphans.killBy(at, warning);
  }

  /**
   * Logs the lines of a stream under `<service>/<stage>` (e.g. an adopted process's new
   * stdout): a readable stream, or the read end of a pipe as an fd (which dinit then owns
   * and closes at EOF; the faster path).
   */
  attachOutput(source: NodeJS.ReadableStream | number, service: string, stage: string, stream: 'stdout' | 'stderr'): Promise<void> {
    if (typeof source === 'number') return this.output.attachFd(source, service, stage, stream);
    return this.output.attach(source as never, service, stage, stream);
  }

  /** Lines read so far per service, stage and stream (cheap counters, always on: metrics). */
  lineCounts(): Array<{ service: string; stage: string; stream: string; lines: number }> {
    return this.output.lineCounts();
  }

  /** Reparented processes reaped, terminated and adopted so far (metrics). */
  reparentedCounts(): { reaped: number; terminated: number; adopted: number } {
    return { ...this.children.orphans.counts };
  }

  /** Waits until everything logged so far has been written. */
  flush(): Promise<void> {
    return this.output.drained();
  }
}
