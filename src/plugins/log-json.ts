import type { Plugin } from '../kernel/kernel';
import { timestamp } from '../kernel/timestamp';
import { appendFields, isJsonObjectLine } from './json-fields';

/**
 * `log-json`: with DINIT_JSON_STDOUT on (the default), a stdout line that is a JSON object
 * goes to stdout with `"service"`, `"stage"` and `"logged"` added; any other stdout line
 * becomes the warning `<name>/<stage>: not JSON stdout: <line>` on stderr (as Go dinit).
 */
export const logJson: Plugin = {
  name: 'log-json',
  apply(kernel) {
    if (!kernel.config.jsonStdout) return;
    const warn = kernel.log.enabled('warn');
    const prefixes = new Map<string, string>();
    const fieldsPrefix = (service: string, stage: string): string => {
      const key = `${service}\0${stage}`;
      let prefix = prefixes.get(key);
      if (prefix === undefined) {
        prefix = `"service":${JSON.stringify(service)},"stage":${JSON.stringify(stage)},"logged":"`;
        prefixes.set(key, prefix);
      }
      return prefix;
    };
    kernel.hooks.line.tap({ name: 'log-json', stage: kernel.STAGE.FORMAT }, (record) => {
      if (record.stream !== 'stdout' || record.output !== undefined) return record;
      const { line, service, stage, time } = record;
      if (isJsonObjectLine(line)) {
        record.output = { fd: 1, data: appendFields(line, `${fieldsPrefix(service, stage)}${timestamp(time)}"`) };
      } else if (warn) {
        const head = `${timestamp(time)} dinit: warning: ${service}/${stage}: not JSON stdout: `;
        record.output = { fd: 2, data: [head, line, '\n'] };
      } else {
        record.output = null;
      }
      return record;
    });
  },
};
