import type { Kernel, Plugin } from '../../kernel/kernel';
import { reservedKeys, type ReservedKeys } from './json-fields';

/**
 * A field profile (DINIT_JSON_FIELDS): how dinit's fields (which program, which stage, when)
 * are written into a JSON line, so that a log backend finds them without configuration.
 * Each profile is a built-in plugin of its own (`json-fields-<name>`), replaceable and
 * disable-able by name; the one DINIT_JSON_FIELDS names provides itself to the JSON
 * formatters (log-json for stdout, json-stderr, and dinit's own lines with DINIT_LOG_FORMAT=json).
 */
export interface JsonProfile {
  /** The DINIT_JSON_FIELDS value that selects it. */
  name: string;
  /** The top-level keys it adds to a program's line: a program key of the same name is renamed `program_<key>`. */
  keys: readonly string[];
  /**
   * The members to add, as JSON text without braces or a leading comma. `stage` is undefined
   * for dinit's own messages, which also pass their `level` word (a profile may map it).
   */
  fields(service: string, stage: string | undefined, logged: string, level?: string): string;
}

// Kept on the kernel under a registered symbol, not in a module-level map: a plugin imports
// provideJsonProfile from the `dinit` package (dist/index.js), a separate bundle from the
// running dist/cli.js, and Symbol.for is the one registry both share.
const SLOT = Symbol.for('dinit.jsonProfile');
type Slot = { [SLOT]?: { profile: JsonProfile; keys: ReservedKeys } };

/** Makes `profile` the one the JSON formatters of `kernel` use. */
export function provideJsonProfile(kernel: Kernel, profile: JsonProfile): void {
  (kernel as unknown as Slot)[SLOT] = { profile, keys: reservedKeys(profile.keys) };
}

/**
 * The profile DINIT_JSON_FIELDS chose. None provided: the default profile (`fallback`, Go's
 * fields) when the default is what is chosen, so log-json applied on its own works as it
 * always did; any other choice nobody provides is a start-up error (the plugin cannot apply).
 */
export function jsonProfileOf(kernel: Kernel, needer: string, fallback: JsonProfile): { profile: JsonProfile; keys: ReservedKeys } {
  const found = (kernel as unknown as Slot)[SLOT];
  if (found) return found;
  const name = kernel.config.jsonFields ?? fallback.name;
  if (name === fallback.name) return { profile: fallback, keys: reservedKeys(fallback.keys) };
  throw new Error(`no plugin provides the JSON field profile ${JSON.stringify(name)} (DINIT_JSON_FIELDS) that ${needer} needs: is the built-in json-fields-${name} disabled?`);
}

/** The built-in plugin of a profile: provides it when DINIT_JSON_FIELDS names it. */
export function profilePlugin(profile: JsonProfile): Plugin {
  return {
    name: `json-fields-${profile.name}`,
    apply(kernel) {
      if (kernel.config.jsonFields === profile.name) provideJsonProfile(kernel, profile);
    },
  };
}

/** A JSON string of `text`. */
export const str = (text: string): string => JSON.stringify(text);
