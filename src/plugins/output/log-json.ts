import type { Plugin } from '../../kernel/kernel';
import { escapeBytes, escapeControl } from '../../kernel/escape';
import { toBinary } from '../../kernel/lines';
import { timestamp } from '../../kernel/timestamp';
import { appendFields, isJsonObjectLine } from './json-fields';
import { dinitProfile } from './fields-dinit';
import { jsonProfileOf } from './json-profile';
import { perStream } from './per-stream';
import { isStrictJson } from './strict-json';

/**
 * `log-json`: with DINIT_JSON_STDOUT on (the default), a stdout line that is a JSON object
 * goes to stdout with dinit's fields added (the DINIT_JSON_FIELDS profile: Go's `"service"`,
 * `"stage"` and `"logged"` by default); any other stdout line becomes the warning
 * `<name>/<stage>: not JSON stdout: <line>` on stderr (as Go dinit). With DINIT_JSON_STRICT=1
 * a `{…}` line that is not valid JSON counts as "any other". Works on binary strings end to
 * end: no per-line Buffer.
 */
const EMPTY = Buffer.alloc(0);

export const logJson: Plugin = {
  name: 'log-json',
  apply(kernel) {
    if (!kernel.config.jsonStdout) return;
    const { profile, keys } = jsonProfileOf(kernel, 'log-json', dinitProfile);
    const strict = kernel.config.jsonStrict;
    const warn = kernel.log.enabled('warn');
    // DINIT_LOG_FORMAT=json: the warning is one of dinit's messages like any other (one JSON
    // object; bytes that are not UTF-8 as \xNN, as in every message). Off: Go's bytes as they are.
    const jsonLog = kernel.config.logFormat === 'json';
    // Per service and stage: the suffix `,"service":…,"logged":"<time>"}\n` (the profile's
    // fields) as bytes rebuilt once per millisecond: each line costs one string copy (the
    // body) and one TypedArray#set of the suffix, which needs no call into C++.
    const fieldsFor = perStream((service, stage) => ({
      service,
      stage,
      warning: toBinary(` dinit: warning: ${escapeControl(service)}/${escapeControl(stage)}: not JSON stdout: `),
      time: -1,
      suffix: EMPTY,
      emptySuffix: EMPTY,
    }));
    kernel.hooks.line.tap({ name: 'log-json', stage: kernel.STAGE.FORMAT }, (record) => {
      if (record.stream !== 'stdout' || record.output !== undefined) return record;
      const raw = record.raw;
      const entry = fieldsFor(record.service, record.stage);
      if (isJsonObjectLine(raw) && (!strict || isStrictJson(raw))) {
        if (entry.time !== record.time) {
          const tail = `${profile.fields(entry.service, entry.stage, timestamp(record.time))}}\n`;
          entry.emptySuffix = Buffer.from(tail, 'utf8');
          entry.suffix = Buffer.from(`,${tail}`, 'utf8');
          entry.time = record.time;
        }
        record.output = { fd: 1, data: appendFields(raw, entry.suffix, entry.emptySuffix, keys), encoding: 'latin1' };
      } else if (warn && jsonLog) {
        kernel.log.warn(`${record.service}/${record.stage}: not JSON stdout: ${escapeBytes(raw)}`);
        record.output = null;
      } else if (warn) {
        record.output = { fd: 2, data: [timestamp(record.time), entry.warning, raw, '\n'], encoding: 'latin1' };
      } else {
        record.output = null;
      }
      return record;
    });
  },
};
