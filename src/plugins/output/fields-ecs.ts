import { profilePlugin, str, type JsonProfile } from './json-profile';

/**
 * `ecs`: Elastic Common Schema. `@timestamp`, `service` as ECS nests it (`"service":{"name":…}`,
 * an object: a string `service` makes Elasticsearch reject the document when the index maps
 * ECS), the stage as a label (`"labels":{"stage":…}`). dinit's own messages also carry
 * `log.level` (nested, as ECS writes it).
 */
export const ecsProfile: JsonProfile = {
  name: 'ecs',
  keys: ['@timestamp', 'service', 'labels'],
  fields: (service, stage, logged, level) =>
    stage === undefined
      ? `"@timestamp":"${logged}","service":{"name":${str(service)}}${level === undefined ? '' : `,"log":{"level":"${level}"}`}`
      : `"@timestamp":"${logged}","service":{"name":${str(service)}},"labels":{"stage":${str(stage)}}`,
};

export const jsonFieldsEcs = profilePlugin(ecsProfile);
