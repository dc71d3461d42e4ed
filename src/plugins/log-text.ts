import type { Plugin } from '../kernel/kernel';
import { timestamp } from '../kernel/timestamp';

/**
 * `log-text`: `<time> <name>/<stage>: <line>` — every stderr line (to stderr), and
 * stdout lines (to stdout) when DINIT_JSON_STDOUT=0. Bytes pass through unchanged.
 */
export const logText: Plugin = {
  name: 'log-text',
  apply(kernel) {
    const textStdout = !kernel.config.jsonStdout;
    kernel.hooks.line.tap({ name: 'log-text', stage: kernel.STAGE.FORMAT }, (record) => {
      if (record.output !== undefined) return record;
      if (record.stream === 'stdout' && !textStdout) return record;
      const fd = record.stream === 'stdout' ? 1 : 2;
      record.output = { fd, data: [`${timestamp(record.time)} ${record.service}/${record.stage}: `, record.line, '\n'] };
      return record;
    });
  },
};
