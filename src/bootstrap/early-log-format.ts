import type { LogFormat } from '../kernel/log';

/**
 * The format of messages written before the configuration is read (the launcher's warning,
 * start-up errors): DINIT_LOG_FORMAT=json from the environment, else Go's text. The JSON
 * formatter is loaded only then (a require: these writers are synchronous).
 */
export function earlyLogFormat(env: NodeJS.ProcessEnv): LogFormat | undefined {
  if (env.DINIT_LOG_FORMAT !== 'json') return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { logFormatFromEnv } = require('../plugins/output/log-format-json') as typeof import('../plugins/output/log-format-json');
  return logFormatFromEnv(env);
}
