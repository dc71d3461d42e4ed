import { profilePlugin, str, type JsonProfile } from './json-profile';

/**
 * `gcp`: Google Cloud Logging's structured-logging fields. `time` becomes the entry's
 * timestamp, `logging.googleapis.com/labels` its labels (service and stage); dinit's own
 * messages also carry `severity` (Cloud Logging's names: DEBUG, INFO, WARNING, ERROR).
 */
const SEVERITY: Record<string, string> = { trace: 'DEBUG', debug: 'DEBUG', info: 'INFO', warning: 'WARNING', error: 'ERROR' };

export const gcpProfile: JsonProfile = {
  name: 'gcp',
  keys: ['time', 'logging.googleapis.com/labels'],
  fields: (service, stage, logged, level) =>
    stage === undefined
      ? `"time":"${logged}",${level === undefined ? '' : `"severity":"${SEVERITY[level] ?? 'DEFAULT'}",`}"logging.googleapis.com/labels":{"service":${str(service)}}`
      : `"time":"${logged}","logging.googleapis.com/labels":{"service":${str(service)},"stage":${str(stage)}}`,
};

export const jsonFieldsGcp = profilePlugin(gcpProfile);
