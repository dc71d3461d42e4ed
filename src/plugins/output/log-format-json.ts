import type { LogFormat } from '../../kernel/log';
import { ecsProfile } from './fields-ecs';
import { dinitProfile } from './fields-dinit';
import { gcpProfile } from './fields-gcp';
import { nestedProfile } from './fields-nested';
import type { JsonProfile } from './json-profile';

/**
 * DINIT_LOG_FORMAT=json: each of dinit's own messages as one JSON object,
 * `{"level":…,"msg":…,<the profile's fields for service "dinit">}`. `msg` is the text of the
 * text line (already escaped: no control characters), so the two formats say the same.
 * Loaded only when the format is json (main.ts, cli.ts).
 */
export const BUILTIN_PROFILES: Readonly<Record<string, JsonProfile>> = { dinit: dinitProfile, nested: nestedProfile, ecs: ecsProfile, gcp: gcpProfile };

export function jsonLogFormat(profile: JsonProfile): LogFormat {
  return (time, word, message) => `{"level":"${word}","msg":${JSON.stringify(message)},${profile.fields('dinit', undefined, time, word)}}\n`;
}

/** The format DINIT_LOG_FORMAT / DINIT_JSON_FIELDS name, for writers made before the config is read (unknown values: the defaults). */
export function logFormatFromEnv(env: NodeJS.ProcessEnv): LogFormat | undefined {
  if (env.DINIT_LOG_FORMAT !== 'json') return undefined;
  return jsonLogFormat(BUILTIN_PROFILES[env.DINIT_JSON_FIELDS ?? ''] ?? dinitProfile);
}

/**
 * A program's bytes (a binary string) as a JSON string: valid UTF-8 as it is, every byte of
 * an invalid sequence U+FFFD (the WHATWG decoder Buffer#toString uses), control characters
 * as JSON escapes. Always valid JSON, whatever the bytes.
 */
export function jsonText(raw: string): string {
  return JSON.stringify(HIGH_BYTE.test(raw) ? Buffer.from(raw, 'latin1').toString('utf8') : raw);
}
const HIGH_BYTE = /[\u0080-\u00ff]/;
