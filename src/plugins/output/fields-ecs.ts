import { profilePlugin, str, type JsonProfile } from './json-profile';

/**
 * `ecs`: Elastic Common Schema. `@timestamp`, `service` as ECS nests it (`"service":{"name":…}`,
 * an object: a string `service` makes Elasticsearch reject the document when the index maps
 * ECS), the stage as a label (`"labels":{"stage":…}`). dinit's own messages also carry
 * `"log.level"`, as one dotted key at the top level: the ecs-logging spec asks for that spelling
 * (Elasticsearch maps it the same as a nested `log.level`).
 */
export const ecsProfile: JsonProfile = {
  name: 'ecs',
  keys: ['@timestamp', 'service', 'labels'],
  fields: (service, stage, logged, level) =>
    stage === undefined
      ? `"@timestamp":"${logged}","service":{"name":${str(service)}}${level === undefined ? '' : `,"log.level":"${level}"`}`
      : `"@timestamp":"${logged}","service":{"name":${str(service)}},"labels":{"stage":${str(stage)}}`,
};

export const jsonFieldsEcs = profilePlugin(ecsProfile);
