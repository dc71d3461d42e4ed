import type { Plugin } from '../../kernel/kernel';
import { escapeControl } from '../../kernel/escape';
import { toBinary } from '../../kernel/lines';
import { perStream } from './per-stream';
import { timestamp } from '../../kernel/timestamp';

/**
 * `log-text`: `<time> <name>/<stage>: <line>` — every stderr line (to stderr), and
 * stdout lines (to stdout) when DINIT_JSON_STDOUT=0. Bytes pass through unchanged.
 */
const NEWLINE = Buffer.from('\n');

export const logText: Plugin = {
  name: 'log-text',
  apply(kernel) {
    const textStdout = !kernel.config.jsonStdout;
    // Per service and stage: `<time> <name>/<stage>: ` as bytes, rebuilt once per millisecond.
    // Bytes, like the newline: the writer copies them with TypedArray#set, no call into C++,
    // so a line costs one string copy (its own bytes).
    // Names are escaped (a plugin may name a service anything): once per name, not per line.
    const prefixFor = perStream((service, stage) => ({ label: toBinary(` ${escapeControl(service)}/${escapeControl(stage)}: `), time: -1, prefix: NEWLINE }));
    kernel.hooks.line.tap({ name: 'log-text', stage: kernel.STAGE.FORMAT }, (record) => {
      if (record.output !== undefined) return record;
      if (record.stream === 'stdout' && !textStdout) return record;
      const entry = prefixFor(record.service, record.stage);
      if (entry.time !== record.time) {
        entry.prefix = Buffer.from(`${timestamp(record.time)}${entry.label}`, 'latin1');
        entry.time = record.time;
      }
      const fd = record.stream === 'stdout' ? 1 : 2;
      record.output = { fd, data: [entry.prefix, record.raw, NEWLINE], encoding: 'latin1' };
      return record;
    });
  },
};
