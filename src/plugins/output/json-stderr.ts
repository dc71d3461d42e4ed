import type { Plugin } from '../../kernel/kernel';
import { timestamp } from '../../kernel/timestamp';
import { dinitProfile } from './fields-dinit';
import { jsonProfileOf } from './json-profile';
import { jsonText } from './log-format-json';
import { perStream } from './per-stream';

/**
 * `json-stderr` (DINIT_JSON_STDERR=1): each stderr line of a program becomes
 * `{"msg":<the line>,"stream":"stderr",<the profile's fields>}` on stderr, instead of
 * log-text's `<time> <name>/<stage>: <line>`. Always valid JSON: invalid UTF-8 becomes
 * U+FFFD (log-format-json.ts jsonText). Off by default: then nothing is tapped.
 */
export const jsonStderr: Plugin = {
  name: 'json-stderr',
  apply(kernel) {
    if (!kernel.config.jsonStderr) return;
    const { profile } = jsonProfileOf(kernel, 'json-stderr', dinitProfile);
    // Per service and stage: `,"stream":"stderr",<fields>}\n`, rebuilt once per millisecond.
    const tailFor = perStream((service, stage) => ({ service, stage, time: -1, tail: '' }));
    kernel.hooks.line.tap({ name: 'json-stderr', stage: kernel.STAGE.FORMAT }, (record) => {
      if (record.stream !== 'stderr' || record.output !== undefined) return record;
      const entry = tailFor(record.service, record.stage);
      if (entry.time !== record.time) {
        entry.tail = `,"stream":"stderr",${profile.fields(entry.service, entry.stage, timestamp(record.time))}}\n`;
        entry.time = record.time;
      }
      record.output = { fd: 2, data: `{"msg":${jsonText(record.raw)}${entry.tail}`, encoding: 'utf8' };
      return record;
    });
  },
};
