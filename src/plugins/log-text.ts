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
    const labels = new Map<string, string>();
    kernel.hooks.line.tap({ name: 'log-text', stage: kernel.STAGE.FORMAT }, (record) => {
      if (record.output !== undefined) return record;
      if (record.stream === 'stdout' && !textStdout) return record;
      const key = `${record.service}\0${record.stage}`;
      let label = labels.get(key);
      if (label === undefined) labels.set(key, (label = toBinary(` ${record.service}/${record.stage}: `)));
      const fd = record.stream === 'stdout' ? 1 : 2;
      record.output = { fd, data: [timestamp(record.time), label, record.raw, '\n'], encoding: 'latin1' };
      return record;
    });
  },
};
