// @ts-check
'use strict';
/**
 * regex-json: turns non-JSON stdout lines into JSON in process, with a regex2json-style
 * pattern (Go regexp whose named groups are expressions). Replaces running the external
 * `regex2json` tool as `log/run`. Lines that do not match go to stderr unchanged.
 *
 * Options: { pattern: string, services?: string[] (default: all), stages?: string[] (default ['run']) }
 */

const { compileTransformer } = require('./transform.cjs');

const NAME = 'regex-json';
const OPTION_KEYS = new Set(['pattern', 'services', 'stages']);

/**
 * @typedef {{ service: string, stage: string, stream: 'stdout' | 'stderr', line: Buffer, time: number, output?: { fd: 1 | 2, data: string | Buffer } | null }} LineRecord
 * @typedef {{ warn(msg: string): void, error(msg: string): void, info(msg: string): void }} Log
 * @typedef {{
 *   hooks: { line: { tap(opts: { name: string, stage?: number }, fn: (rec: LineRecord) => LineRecord): void } },
 *   STAGE: { TRANSFORM: number },
 *   log: Log,
 * }} Kernel
 * @typedef {{ pattern: string, services?: string[], stages?: string[] }} Options
 */

/**
 * @param {unknown} value @param {string} key
 * @returns {string[] | undefined}
 */
function stringList(value, key) {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v === '')) {
    throw new Error(`${NAME}: option "${key}" must be an array of non-empty strings, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Validates options; throws an Error naming the bad option and value.
 * @param {unknown} options
 */
function validateOptions(options) {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new Error(`${NAME}: options must be an object with a "pattern", got ${JSON.stringify(options)}`);
  }
  const opts = /** @type {Record<string, unknown>} */ (options);
  for (const key of Object.keys(opts)) {
    if (!OPTION_KEYS.has(key)) throw new Error(`${NAME}: unknown option "${key}" (${JSON.stringify(opts[key])}); known: ${[...OPTION_KEYS].join(', ')}`);
  }
  const { pattern } = opts;
  if (typeof pattern !== 'string' || pattern === '') {
    throw new Error(`${NAME}: option "pattern" must be a non-empty string, got ${JSON.stringify(pattern)}`);
  }
  const services = stringList(opts.services, 'services');
  const stages = stringList(opts.stages, 'stages') || ['run'];
  let transformer;
  try {
    transformer = compileTransformer(pattern);
  } catch (e) {
    throw new Error(`${NAME}: option "pattern" is invalid: ${/** @type {Error} */ (e).message}`);
  }
  return { transformer, services, stages };
}

/** @param {Buffer} line */
function looksLikeJSON(line) {
  return line.length > 0 && line[0] === 0x7b && line[line.length - 1] === 0x7d;
}

const plugin = {
  name: NAME,
  /**
   * @param {Kernel} kernel
   * @param {Options} options
   */
  apply(kernel, options) {
    const { transformer, services, stages } = validateOptions(options);
    const serviceSet = services ? new Set(services) : null;
    const stageSet = new Set(stages);
    const transform = transformer.transform;
    const log = kernel.log;

    kernel.hooks.line.tap({ name: NAME, stage: kernel.STAGE.TRANSFORM }, (rec) => {
      if (rec.stream !== 'stdout' || !stageSet.has(rec.stage)) return rec;
      if (serviceSet !== null && !serviceSet.has(rec.service)) return rec;
      const line = rec.line;
      if (line.length === 0 || looksLikeJSON(line)) return rec;
      let result;
      try {
        result = transform(line.toString('utf8'));
      } catch {
        return rec; // never let a bad line break the pipeline
      }
      if (!result.matched) {
        rec.stream = 'stderr';
        return rec;
      }
      for (const err of result.errors) log.warn(`${rec.service}/${rec.stage}: ${NAME}: ${err}`);
      if (result.json === null) {
        rec.output = null; // nothing captured: regex2json prints nothing for an empty object
        return rec;
      }
      rec.line = Buffer.from(result.json, 'utf8');
      return rec;
    });
  },
};

module.exports = plugin;
module.exports.default = plugin;
module.exports.validateOptions = validateOptions;
