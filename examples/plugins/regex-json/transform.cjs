// @ts-check
'use strict';
/**
 * regex2json's line transformation: match a line with a Go regexp as many times as it
 * matches, apply every capture group's expression to its text, merge everything into
 * one object. Pure module.
 */

const { compileGoRegexp, forEachMatch } = require('./go-regexp.cjs');
const { compileExpression } = require('./expression.cjs');
const { encodeJSON } = require('./encode.cjs');

/**
 * @typedef {{
 *   matched: boolean,
 *   json: string | null,
 *   errors: string[],
 * }} TransformResult
 *   matched: false when the pattern does not match (the line is left as it is);
 *   json: the object as JSON, null when it came out empty (regex2json prints nothing);
 *   errors: failed expressions (the rest of the object is still produced).
 */

/** @param {object} obj */
function isEmpty(obj) {
  for (const key in obj) if (Object.prototype.hasOwnProperty.call(obj, key)) return false;
  return true;
}

/**
 * Compiles a pattern into a line transformer. Throws an Error describing an invalid
 * pattern or expression.
 * @param {string} pattern Go regexp with named groups whose names are expressions
 * @returns {{ regexp: RegExp, expressions: string[], transform: (line: string) => TransformResult }}
 */
function compileTransformer(pattern) {
  const { regexp, names } = compileGoRegexp(pattern);
  const expressions = names.map((name) => compileExpression(name));
  const count = expressions.length;

  /** @param {string} line */
  function transform(line) {
    /** @type {Record<string, any>} */
    const output = {};
    /** @type {string[]} */
    const errors = [];
    const matches = forEachMatch(regexp, line, (m) => {
      for (let g = 0; g < count; g++) {
        const text = m[g + 1] === undefined ? '' : m[g + 1];
        try {
          expressions[g].apply(output, text);
        } catch (e) {
          errors.push(`failed to apply expression "${expressions[g].expression}" for value ${JSON.stringify(text)}: ${/** @type {Error} */ (e).message}`);
        }
      }
    });
    if (matches === 0) return { matched: false, json: null, errors };
    return { matched: true, json: isEmpty(output) ? null : encodeJSON(output), errors };
  }

  return { regexp, expressions: names, transform };
}

module.exports = { compileTransformer };
