// @ts-check
'use strict';
/**
 * regex2json expressions: a capture group's name says how its matched text becomes JSON.
 * Pure module.
 *
 * Syntax: operators separated by `___`, an operator's arguments by `__`. The first
 * operator is implicitly `object`, its arguments the key path. Operators are applied
 * from the last to the first: `foo__bar___array___int` is object(foo, bar)(array(int(text))).
 *
 * Values: strings, booleans, null, numbers, BigInt (integers, kept exact), arrays and
 * plain objects; the OPTIONAL symbol means "no value" and makes the key disappear.
 */

const { compileTimeConverter } = require('./go-time.cjs');

const OPTIONAL = Symbol('optional');

/** @typedef {(value: any) => any} Op */

/** @param {unknown} v @returns {v is Record<string, any>} */
function isObject(v) {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Input of string operators: a string, or skip (null / OPTIONAL pass through unchanged).
 * @param {any} value
 * @returns {boolean} true to skip
 */
function skipNonString(value) {
  if (typeof value === 'string') return false;
  if (value === null || value === OPTIONAL) return true;
  throw new Error('value is not a string');
}

/** @param {string[]} args */
function noArgs(args) {
  if (args.length > 0) throw new Error(`unexpected arguments: ${args.join(', ')}`);
}

const INT_RE = /^[+-]?\d+$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const FLOAT_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const BOOL = Object.freeze({
  1: true, t: true, T: true, TRUE: true, true: true, True: true,
  0: false, f: false, F: false, FALSE: false, false: false, False: false,
});

/** Operator library: name → (args) → Op. Throws on bad arguments. */
const LIBRARY = Object.freeze({
  /** @param {string[]} args @returns {Op} */
  int(args) {
    noArgs(args);
    return (value) => {
      if (skipNonString(value)) return value;
      if (INT_RE.test(value)) {
        const n = BigInt(value);
        if (n >= INT64_MIN && n <= INT64_MAX) return n;
        throw new Error(`unable to parse ${JSON.stringify(value)} into int: value out of range`);
      }
      throw new Error(`unable to parse ${JSON.stringify(value)} into int: invalid syntax`);
    };
  },
  /** @param {string[]} args @returns {Op} */
  float(args) {
    noArgs(args);
    return (value) => {
      if (skipNonString(value)) return value;
      if (FLOAT_RE.test(value)) {
        const f = Number(value);
        if (Number.isFinite(f)) return f;
        throw new Error(`unable to parse ${JSON.stringify(value)} into float: value out of range`);
      }
      throw new Error(`unable to parse ${JSON.stringify(value)} into float: invalid syntax`);
    };
  },
  /** @param {string[]} args @returns {Op} */
  bool(args) {
    noArgs(args);
    return (value) => {
      if (skipNonString(value)) return value;
      if (Object.prototype.hasOwnProperty.call(BOOL, value)) return BOOL[/** @type {keyof typeof BOOL} */ (value)];
      throw new Error(`unable to parse ${JSON.stringify(value)} into bool: invalid syntax`);
    };
  },
  /** @param {string[]} args @returns {Op} */
  array(args) {
    noArgs(args);
    return (value) => (value === OPTIONAL ? [] : [value]);
  },
  /** @param {string[]} args @returns {Op} */
  null(args) {
    noArgs(args);
    return (value) => {
      if (skipNonString(value)) return value;
      return value === '' ? null : value;
    };
  },
  /** @param {string[]} args @returns {Op} */
  optional(args) {
    noArgs(args);
    return (value) => {
      if (skipNonString(value)) return value;
      return value === '' ? OPTIONAL : value;
    };
  },
  /** @param {string[]} args @returns {Op} */
  json(args) {
    noArgs(args);
    return (value) => {
      if (skipNonString(value)) return value;
      try {
        return JSON.parse(value);
      } catch (e) {
        throw new Error(`unable to parse ${JSON.stringify(value)} into JSON: ${/** @type {Error} */ (e).message}`);
      }
    };
  },
  /**
   * object__a__b: {"a":{"b":value}}. With an empty path (expression starting with ___)
   * the value itself must be an object and is merged at the top level.
   * @param {string[]} args @returns {Op}
   */
  object(args) {
    if (args.length === 0) throw new Error('missing path arguments');
    if (args.length === 1 && args[0] === '') {
      return (value) => {
        if (value === OPTIONAL || isObject(value)) return value;
        throw new Error('value is not an object');
      };
    }
    const path = args.slice();
    return (value) => {
      if (value === OPTIONAL) return value;
      /** @type {Record<string, any>} */
      const res = {};
      let cur = res;
      for (let k = 0; k < path.length - 1; k++) {
        /** @type {Record<string, any>} */
        const next = {};
        cur[path[k]] = next;
        cur = next;
      }
      cur[path[path.length - 1]] = value;
      return res;
    };
  },
  /**
   * time__<parse layout>[__<format layout>[__<format location>[__<parse location>]]]
   * Locations: the first "_" stands for "/" (Europe_Ljubljana).
   * @param {string[]} args @returns {Op}
   */
  time(args) {
    if (args.length === 0) throw new Error('missing parse layout argument');
    if (args.length > 4) throw new Error(`unexpected arguments: ${args.slice(4).join(', ')}`);
    const loc = (/** @type {string | undefined} */ s) => (s === undefined ? undefined : s.replace('_', '/'));
    const convert = compileTimeConverter({ parse: args[0], format: args[1], formatLocation: loc(args[2]), parseLocation: loc(args[3]) });
    return (value) => {
      if (skipNonString(value)) return value;
      try {
        return convert(value);
      } catch (e) {
        throw new Error(`unable to parse ${JSON.stringify(value)} into time with layout ${args[0]}: ${/** @type {Error} */ (e).message}`);
      }
    };
  },
});

/**
 * Merges right into left (regex2json rules): objects merge recursively; arrays
 * concatenate; an object merges into the first (right) / last (left) object of an
 * array, else joins it; a scalar joins an array; two scalars conflict.
 * Throws "<key path>: value already exist" / "<key path>: type mismatch".
 * @param {Record<string, any>} left @param {Record<string, any>} right
 */
function merge(left, right) {
  for (const key of Object.keys(right)) {
    const rv = right[key];
    if (!Object.prototype.hasOwnProperty.call(left, key)) {
      left[key] = rv;
      continue;
    }
    const lv = left[key];
    try {
      if (isObject(lv)) {
        if (isObject(rv)) merge(lv, rv);
        else if (Array.isArray(rv)) {
          if (rv.length === 0) left[key] = [lv];
          else if (isObject(rv[0])) { merge(lv, rv[0]); rv[0] = lv; left[key] = rv; } else left[key] = [lv, ...rv];
        } else throw new Error(`${key}: type mismatch`);
      } else if (Array.isArray(lv)) {
        if (isObject(rv)) {
          if (lv.length === 0) left[key] = [rv];
          else if (isObject(lv[lv.length - 1])) merge(lv[lv.length - 1], rv);
          else lv.push(rv);
        } else if (Array.isArray(rv)) {
          for (const v of rv) lv.push(v);
        } else lv.push(rv);
      } else if (Array.isArray(rv)) {
        left[key] = [lv, ...rv];
      } else {
        throw new Error(`${key}: value already exist`);
      }
    } catch (e) {
      const err = /** @type {Error & { nested?: boolean }} */ (e);
      // Prefix the key path of nested failures: nested__foo: value already exist.
      if (err.nested) err.message = `${key}__${err.message}`;
      err.nested = true;
      throw err;
    }
  }
}

/**
 * @typedef {{ expression: string, apply: (output: Record<string, any>, text: string) => void }} Expression
 */

/**
 * Compiles a regex2json expression. Throws a descriptive Error for unknown operators or bad arguments.
 * @param {string} expression
 * @returns {Expression}
 */
function compileExpression(expression) {
  if (expression === '') throw new Error('empty expression');
  const chain = expression.split('___');
  chain[0] = 'object__' + chain[0];
  /** @type {Op[]} */
  const ops = [];
  for (const part of chain) {
    const [name, ...args] = part.split('__');
    if (!Object.prototype.hasOwnProperty.call(LIBRARY, name)) {
      throw new Error(`unknown operator "${name}" for expression "${expression}"`);
    }
    try {
      ops.unshift(LIBRARY[/** @type {keyof typeof LIBRARY} */ (name)](args));
    } catch (e) {
      throw new Error(`compiling operator "${name}" for expression "${expression}": ${/** @type {Error} */ (e).message}`);
    }
  }
  return {
    expression,
    apply(output, text) {
      /** @type {any} */
      let value = text;
      for (let k = 0; k < ops.length; k++) value = ops[k](value);
      if (value === OPTIONAL) return;
      merge(output, value);
    },
  };
}

module.exports = { compileExpression, merge, OPTIONAL, LIBRARY };
