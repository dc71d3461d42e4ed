// @ts-check
'use strict';
/**
 * start-after: delays a program's start until named other programs are ready (their `run`
 * runs and, when they have a `check`, it passed: kernel.readiness). The default stays Go
 * dinit's "everything at once"; this is ordering for the images that need it.
 *
 * It waits in the async `spawn` hook of the waiting service's `run`, so it declares its own
 * tap deadline (`timeout` + 1 s); after `timeout` seconds it logs a warning and lets the
 * program start anyway: a dependency that never gets ready cannot hold a service for ever.
 * When the container stop begins, every wait ends at once.
 *
 * Options: { after: { [service: string]: string[] }, timeout?: number (seconds, default 60) }
 */

const NAME = 'start-after';
const DEFAULT_TIMEOUT = 60;
const MAX_TIMEOUT = 86400;

/**
 * @typedef {{ service: string, stage: string, argv: string[], cwd: string, env: Record<string, string | undefined> }} SpawnRequest
 * @typedef {{
 *   hooks: {
 *     spawn: { tapPromise(opts: { name: string, timeout?: number }, fn: (request: SpawnRequest) => Promise<SpawnRequest>): void },
 *     ready: { tap(name: string, fn: (service: string, readiness: { ready: boolean }) => void): void },
 *     stopping: { tap(name: string, fn: () => void): void },
 *   },
 *   readiness: { isReady(service: string): boolean },
 *   readonly stopping: boolean,
 *   log: { warn(msg: string): void, info(msg: string): void },
 * }} Kernel
 * @typedef {{ after: Record<string, string[]>, timeout: number }} Options
 */

/**
 * Validates options; throws an Error naming the bad option and value.
 * @param {unknown} options
 * @returns {Options}
 */
function validateOptions(options) {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new Error(`${NAME}: options must be an object with "after", got ${JSON.stringify(options)}`);
  }
  const opts = /** @type {Record<string, unknown>} */ (options);
  for (const key of Object.keys(opts)) {
    if (key !== 'after' && key !== 'timeout') throw new Error(`${NAME}: unknown option "${key}" (${JSON.stringify(opts[key])}); known: after, timeout`);
  }
  const { after, timeout = DEFAULT_TIMEOUT } = opts;
  if (typeof after !== 'object' || after === null || Array.isArray(after)) {
    throw new Error(`${NAME}: option "after" must be an object of service name to a list of service names, got ${JSON.stringify(after)}`);
  }
  /** @type {Record<string, string[]>} */
  const graph = {};
  for (const [service, deps] of Object.entries(after)) {
    if (!Array.isArray(deps) || deps.some((d) => typeof d !== 'string' || d === '' || d === service)) {
      throw new Error(`${NAME}: option "after.${service}" must be a list of other services' names, got ${JSON.stringify(deps)}`);
    }
    graph[service] = [...new Set(deps)];
  }
  const cycle = findCycle(graph);
  if (cycle) throw new Error(`${NAME}: option "after" has a cycle: ${cycle.join(' -> ')} (each would wait for the other)`);
  if (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout < 1 || timeout > MAX_TIMEOUT) {
    throw new Error(`${NAME}: option "timeout" must be whole seconds from 1 to ${MAX_TIMEOUT}, got ${JSON.stringify(timeout)}`);
  }
  return { after: graph, timeout };
}

/**
 * The first cycle of the graph, as a path that ends where it starts, or undefined.
 * @param {Record<string, string[]>} graph
 * @returns {string[] | undefined}
 */
function findCycle(graph) {
  /** @type {Map<string, 'open' | 'done'>} */
  const state = new Map();
  /** @type {string[]} */
  const path = [];
  /** @param {string} node @returns {string[] | undefined} */
  const visit = (node) => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'open') return [...path.slice(path.indexOf(node)), node];
    state.set(node, 'open');
    path.push(node);
    for (const next of graph[node] ?? []) {
      const found = visit(next);
      if (found) return found;
    }
    path.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of Object.keys(graph)) {
    const found = visit(node);
    if (found) return found;
  }
  return undefined;
}

const plugin = {
  name: NAME,
  /**
   * @param {Kernel} kernel
   * @param {unknown} options
   */
  apply(kernel, options) {
    const { after, timeout } = validateOptions(options);
    /** @type {Set<() => void>} re-checks of the waits in progress */
    const waiting = new Set();
    const recheck = () => {
      for (const check of [...waiting]) check();
    };
    kernel.hooks.ready.tap(NAME, recheck);
    kernel.hooks.stopping.tap(NAME, recheck);
    // Our own deadline (timeout) comes first; the tap's is a second later, so the guard never cuts in.
    kernel.hooks.spawn.tapPromise({ name: NAME, timeout: timeout + 1 }, async (request) => {
      const deps = request.stage === 'run' ? after[request.service] : undefined;
      if (!deps || deps.length === 0) return request;
      const pending = () => deps.filter((d) => !kernel.readiness.isReady(d));
      if (pending().length === 0) return request;
      kernel.log.info(`${request.service}/run: waiting for ${pending().join(', ')} to be ready (${NAME})`);
      await new Promise((resolve) => {
        /** @type {NodeJS.Timeout | undefined} */
        let timer;
        const done = () => {
          waiting.delete(check);
          clearTimeout(timer);
          resolve(undefined);
        };
        const check = () => {
          if (kernel.stopping || pending().length === 0) done();
        };
        timer = setTimeout(() => {
          kernel.log.warn(`${request.service}/run: starting without ${pending().join(', ')}: not ready after ${timeout} s (${NAME})`);
          done();
        }, timeout * 1000);
        waiting.add(check);
        check();
      });
      return request;
    });
  },
};

module.exports = plugin;
module.exports.validateOptions = validateOptions;
module.exports.findCycle = findCycle;
