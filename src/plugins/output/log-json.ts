import type { Plugin } from '../../kernel/kernel';
import { escapeControl } from '../../kernel/escape';
import { toBinary } from '../../kernel/lines';
import { timestamp } from '../../kernel/timestamp';
import { appendFields, isJsonObjectLine } from './json-fields';
import { perStream } from './per-stream';

/**
 * `log-json`: with DINIT_JSON_STDOUT on (the default), a stdout line that is a JSON object
 * goes to stdout with `"service"`, `"stage"` and `"logged"` added; any other stdout line
 * becomes the warning `<name>/<stage>: not JSON stdout: <line>` on stderr (as Go dinit).
 * Works on binary strings end to end: no per-line Buffer.
 */
const EMPTY = Buffer.alloc(0);

export const logJson: Plugin = {
  name: 'log-json',
  apply(kernel) {
    if (!kernel.config.jsonStdout) return;
    const warn = kernel.log.enabled('warn');
    // Per service and stage: the fields, and the suffix `,"service":…,"logged":"<time>"}\n` as
    // bytes rebuilt once per millisecond: each line costs one string copy (the body) and one
    // TypedArray#set of the suffix, which needs no call into C++.
    const fieldsFor = perStream((service, stage) => ({
      json: toBinary(`"service":${JSON.stringify(service)},"stage":${JSON.stringify(stage)},"logged":"`),
      warning: toBinary(` dinit: warning: ${escapeControl(service)}/${escapeControl(stage)}: not JSON stdout: `),
      time: -1,
      suffix: EMPTY,
      emptySuffix: EMPTY,
    }));
    kernel.hooks.line.tap({ name: 'log-json', stage: kernel.STAGE.FORMAT }, (record) => {
      if (record.stream !== 'stdout' || record.output !== undefined) return record;
      const raw = record.raw;
      const entry = fieldsFor(record.service, record.stage);
      if (isJsonObjectLine(raw)) {
        if (entry.time !== record.time) {
          const tail = `${entry.json}${timestamp(record.time)}"}\n`;
          entry.emptySuffix = Buffer.from(tail, 'latin1');
          entry.suffix = Buffer.from(`,${tail}`, 'latin1');
          entry.time = record.time;
        }
        record.output = { fd: 1, data: appendFields(raw, entry.suffix, entry.emptySuffix), encoding: 'latin1' };
      } else if (warn) {
        record.output = { fd: 2, data: [timestamp(record.time), entry.warning, raw, '\n'], encoding: 'latin1' };
      } else {
        record.output = null;
      }
      return record;
    });
  },
};
