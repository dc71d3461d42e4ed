// @ts-check
'use strict';
/**
 * adopt-matching: a reparent policy. A process reparented to dinit is adopted (waited
 * for, its exit logged, like a program) when its name is in `adopt`; any other is
 * terminated. Logs the same messages as the built-in policies.
 *
 * Options: { adopt: string[] } (process names: last part of argv[0], else comm)
 */

const NAME = 'adopt-matching';

/**
 * @typedef {{ pid: number, name: string, stage: string, cmdline: string }} Orphan
 * @typedef {{
 *   hooks: { reparent: { tapPromise(opts: { name: string, stage?: number }, fn: (orphan: Orphan) => Promise<boolean | undefined>): void } },
 *   log: { warn(msg: string): void, info(msg: string): void, error(msg: string): void },
 *   adopt(orphan: Orphan): unknown,
 *   terminate(orphan: Orphan): unknown,
 * }} Kernel
 * @typedef {{ adopt: string[] }} Options
 */

/**
 * Validates options; throws an Error naming the bad option and value.
 * @param {unknown} options
 * @returns {{ adopt: string[] }}
 */
function validateOptions(options) {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new Error(`${NAME}: options must be an object with "adopt", got ${JSON.stringify(options)}`);
  }
  const opts = /** @type {Record<string, unknown>} */ (options);
  for (const key of Object.keys(opts)) {
    if (key !== 'adopt') throw new Error(`${NAME}: unknown option "${key}" (${JSON.stringify(opts[key])}); known: adopt`);
  }
  const { adopt } = opts;
  if (!Array.isArray(adopt) || adopt.some((s) => typeof s !== 'string' || s === '')) {
    throw new Error(`${NAME}: option "adopt" must be an array of non-empty process names, got ${JSON.stringify(adopt)}`);
  }
  return { adopt: /** @type {string[]} */ (adopt) };
}

const plugin = {
  name: NAME,
  /**
   * @param {Kernel} kernel
   * @param {Options} options
   */
  apply(kernel, options) {
    const adopt = new Set(validateOptions(options).adopt);
    kernel.hooks.reparent.tapPromise({ name: NAME }, async (orphan) => {
      // kernel.adopt and kernel.terminate log the same lines as the built-in policies.
      if (adopt.has(orphan.name)) kernel.adopt(orphan);
      else kernel.terminate(orphan);
      return true;
    });
  },
};

module.exports = plugin;
module.exports.default = plugin;
module.exports.validateOptions = validateOptions;
