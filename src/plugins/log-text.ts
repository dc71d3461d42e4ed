import type { Plugin } from '../kernel/kernel';
import { toBinary } from '../kernel/lines';
import { timestamp } from '../kernel/timestamp';

/**
 * `log-text`: `<time> <name>/<stage>: <line>` — every stderr line (to stderr), and
 * stdout lines (to stdout) when DINIT_JSON_STDOUT=0. Bytes pass through unchanged.
 */
export const logText: Plugin = {
  name: 'log-text',
  apply(kernel) {
    const textStdout = !kernel.config.jsonStdout;
    // Per service and stage: `<time> <name>/<stage>: ` as one flat string, rebuilt once per millisecond.
    const prefixes = new Map<string, { label: string; time: number; prefix: string }>();
    kernel.hooks.line.tap({ name: 'log-text', stage: kernel.STAGE.FORMAT }, (record) => {
      if (record.output !== undefined) return record;
      if (record.stream === 'stdout' && !textStdout) return record;
      const key = `${record.service}\0${record.stage}`;
      let entry = prefixes.get(key);
      if (entry === undefined) {
        entry = { label: toBinary(` ${record.service}/${record.stage}: `), time: -1, prefix: '' };
        prefixes.set(key, entry);
      }
      if (entry.time !== record.time) {
        entry.prefix = Buffer.from(`${timestamp(record.time)}${entry.label}`, 'latin1').toString('latin1');
        entry.time = record.time;
      }
      const fd = record.stream === 'stdout' ? 1 : 2;
      record.output = { fd, data: [entry.prefix, record.raw, '\n'], encoding: 'latin1' };
      return record;
    });
  },
};
