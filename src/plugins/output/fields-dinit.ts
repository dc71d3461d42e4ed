import { profilePlugin, str, type JsonProfile } from './json-profile';

/**
 * `dinit` (the default): Go dinit's `"service":…,"stage":…,"logged":…` at the top level,
 * byte for byte. Loki, Vector and Fluent Bit keep them as plain fields; Datadog reads `service`.
 */
export const dinitProfile: JsonProfile = {
  name: 'dinit',
  keys: ['service', 'stage', 'logged'],
  fields: (service, stage, logged) =>
    stage === undefined ? `"service":${str(service)},"logged":"${logged}"` : `"service":${str(service)},"stage":${str(stage)},"logged":"${logged}"`,
};

export const jsonFieldsDinit = profilePlugin(dinitProfile);
