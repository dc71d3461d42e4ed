import { profilePlugin, str, type JsonProfile } from './json-profile';

/**
 * `nested`: dinit's fields in one object, `"dinit":{"service":…,"stage":…,"logged":…}`, and
 * nothing else at the top level: the program's own keys stay exactly as it wrote them
 * (only a key named `dinit` is renamed).
 */
export const nestedProfile: JsonProfile = {
  name: 'nested',
  keys: ['dinit'],
  fields: (service, stage, logged) =>
    stage === undefined
      ? `"dinit":{"service":${str(service)},"logged":"${logged}"}`
      : `"dinit":{"service":${str(service)},"stage":${str(stage)},"logged":"${logged}"}`,
};

export const jsonFieldsNested = profilePlugin(nestedProfile);
