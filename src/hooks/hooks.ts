import { AsyncSeriesBailHook, AsyncSeriesHook, AsyncSeriesWaterfallHook, SyncHook, SyncWaterfallHook } from 'tapable';
import type { Config } from './payloads';
import type { Logger } from './payloads';
import { guardHook, type ResultCheck } from './guard';
import type { ExitStatus, LineRecord, Orphan, Program, Readiness, ServiceSpec, SpawnRequest, StopReason } from './types';

/**
 * Tap stages for `line` (tapable's `stage` option): transforms rewrite the line,
 * formatters decide the output bytes, observers see the final result.
 */
export const STAGE = Object.freeze({ TRANSFORM: -100, FORMAT: 0, OBSERVE: 100 });

/** Options every async hook's taps accept besides name and stage: `timeout`, the tap's own deadline in seconds. */
export interface AsyncTapOptions {
  timeout?: number;
}

/**
 * Every hook of the kernel, named for the moment it fires. Plugins tap with their
 * own name; a tap that throws is logged with plugin and hook name and skipped.
 */
export function createHooks(log: () => Logger, deadlines: Partial<Record<string, number>> = {}) {
  const hooks = {
    /** Once at start. Waterfall over the service list: taps add, remove or change specs. Built-in: `runit-dir`. */
    load: new AsyncSeriesWaterfallHook<[ServiceSpec[], Config], ServiceSpec[], AsyncTapOptions>(['services', 'config']),
    /** Before each program starts (run, log, term). Waterfall: taps return the request, possibly changed. */
    spawn: new AsyncSeriesWaterfallHook<[SpawnRequest], SpawnRequest, AsyncTapOptions>(['request']),
    /** After a program started; observe only. */
    started: new SyncHook<[Program]>(['program']),
    /**
     * Every non-empty line any program writes (hot path, synchronous). Waterfall over the
     * record: transforms rewrite `line`/`stream`, formatters set `output` (null drops). A tap
     * returns the record it got (or undefined); any other value counts as a failing tap.
     * Built-ins: `log-json` and `log-text` at STAGE.FORMAT.
     */
    line: new SyncWaterfallHook<[LineRecord]>(['record']),
    /**
     * A live process not started by dinit was reparented to it (called once per process).
     * Bail: the first tap returning true has handled it (via kernel.adopt / kernel.terminate /
     * nothing). If none does, the kernel terminates it. Built-ins: `reparent-terminate|adopt|ignore`.
     */
    reparent: new AsyncSeriesBailHook<[Orphan], boolean | undefined, AsyncTapOptions>(['orphan']),
    /** An adopted process is now waited for like a program; taps may take over its output (`adopt-output`). */
    adopted: new AsyncSeriesHook<[Program], AsyncTapOptions>(['program']),
    /**
     * A program (run, log, term or adopted) ended. Bail: return true when the tap has decided
     * what follows; the built-in `stop-on-exit` stops the container unless run exited with 115.
     */
    exit: new AsyncSeriesBailHook<[Program, ExitStatus], boolean | undefined, AsyncTapOptions>(['program', 'status']),
    /**
     * A service became ready or not ready (kernel.setReady: a readiness check passed or failed,
     * or its `run` started or ended). Observe only; kernel.isReady(service) answers at any time.
     */
    ready: new SyncHook<[string, Readiness]>(['service', 'readiness']),
    /** A signal dinit was asked to pass on arrived (DINIT_FORWARD_SIGNALS). Built-in: `forward-signals`. */
    signal: new SyncHook<[NodeJS.Signals]>(['signal']),
    /** The container stop begins (once). */
    stopping: new SyncHook<[StopReason]>(['reason']),
    /**
     * Per running program when the container stops. Bail: return true when the tap stopped it
     * its own way; otherwise the kernel sends SIGTERM. Built-in: `terminate-file`.
     */
    shutdown: new AsyncSeriesBailHook<[Program], boolean | undefined, AsyncTapOptions>(['program']),
    /**
     * Once, when every program has exited and every pipe is drained, before dinit logs its exit
     * and exits: taps may run last tasks (awaited in turn). Built-in: `tasks` (DINIT_FINISH_DIR).
     */
    beforeExit: new AsyncSeriesHook<[], AsyncTapOptions>([]),
  };
  // Every hook is guarded (a new one cannot be forgotten). A failing tap of a waterfall passes
  // its input on unchanged; of any other hook, it counts as not having handled anything.
  // An async tap missing its hook's deadline (`deadlines`, in seconds) counts the same way.
  const waterfalls = new Set(['load', 'spawn', 'line']);
  const first = (args: unknown[]) => args[0];
  const none = () => undefined;
  for (const [name, hook] of Object.entries(hooks)) {
    guardHook(name, hook as never, log, waterfalls.has(name) ? first : none, deadlines[name], name === 'line' ? sameRecord : undefined);
  }
  return Object.freeze(hooks);
}

export type Hooks = ReturnType<typeof createHooks>;

/**
 * A `line` tap changes the record in place and returns it (or undefined, which tapable reads
 * as "unchanged"). Anything else (`5`, `"str"`, `{}`, a copy) would reach the next tap and
 * the writer as a record without fields: it is a failing tap, and the line goes on as it was.
 */
const sameRecord: ResultCheck = (result) => `returned ${kind(result)} instead of the line record it was given`;

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : 'another object';
  return typeof value === 'function' ? 'a function' : `${typeof value} ${String(value)}`;
}
