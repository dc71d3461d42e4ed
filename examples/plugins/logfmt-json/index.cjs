// @ts-check
'use strict';
/**
 * logfmt-json: turns logfmt stdout lines (`level=info msg="listening" port=80 tls`) into
 * JSON objects, values kept as strings and bare keys as true. Lines that are not logfmt,
 * stderr lines and lines that already are JSON pass through unchanged.
 *
 * Options: { services?: string[] } (default: every service)
 */

const { parseLogfmt } = require('./logfmt.cjs');

const NAME = 'logfmt-json';

/**
 * @typedef {{ service: string, stage: string, stream: 'stdout' | 'stderr', line: Buffer, time: number, output?: { fd: 1 | 2, data: string | Buffer } | null }} LineRecord
 * @typedef {{
 *   hooks: { line: { tap(opts: { name: string, stage?: number }, fn: (rec: LineRecord) => LineRecord): void } },
 *   STAGE: { TRANSFORM: number },
 * }} Kernel
 * @typedef {{ services?: string[] }} Options
 */

/**
 * Validates options; throws an Error naming the bad option and value.
 * @param {unknown} options
 * @returns {{ services: string[] | undefined }}
 */
function validateOptions(options) {
  if (options === undefined || options === null) return { services: undefined };
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new Error(`${NAME}: options must be an object, got ${JSON.stringify(options)}`);
  }
  const opts = /** @type {Record<string, unknown>} */ (options);
  for (const key of Object.keys(opts)) {
    if (key !== 'services') throw new Error(`${NAME}: unknown option "${key}" (${JSON.stringify(opts[key])}); known: services`);
  }
  const { services } = opts;
  if (services !== undefined && (!Array.isArray(services) || services.some((s) => typeof s !== 'string' || s === ''))) {
    throw new Error(`${NAME}: option "services" must be an array of non-empty strings, got ${JSON.stringify(services)}`);
  }
  return { services: /** @type {string[] | undefined} */ (services) };
}

const plugin = {
  name: NAME,
  /**
   * @param {Kernel} kernel
   * @param {Options} [options]
   */
  apply(kernel, options) {
    const { services } = validateOptions(options);
    const serviceSet = services ? new Set(services) : null;
    kernel.hooks.line.tap({ name: NAME, stage: kernel.STAGE.TRANSFORM }, (rec) => {
      if (rec.stream !== 'stdout') return rec;
      if (serviceSet !== null && !serviceSet.has(rec.service)) return rec;
      const line = rec.line;
      const n = line.length;
      if (n === 0 || (line[0] === 0x7b && line[n - 1] === 0x7d)) return rec;
      // Cheap pre-check: logfmt needs an '='.
      if (line.indexOf(0x3d) < 0) return rec;
      let obj;
      try {
        obj = parseLogfmt(line.toString('utf8'));
      } catch {
        return rec;
      }
      if (obj !== null) rec.line = Buffer.from(JSON.stringify(obj), 'utf8');
      return rec;
    });
  },
};

module.exports = plugin;
module.exports.default = plugin;
module.exports.validateOptions = validateOptions;
