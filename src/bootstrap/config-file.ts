import fs = require('node:fs');
import path = require('node:path');
import { refusal, untrustedReason } from './file-trust';
import { ASYNC_HOOKS, ConfigError, DEFAULT_CONFIG, EXIT_CODE_POLICIES, JSON_PROFILES, LOG_FORMATS, LOG_LEVELS, MAX_HOOK_TIMEOUT, parseSignalList, REPARENTING_POLICIES, type Config } from '../kernel/config';
import { describeValue, excerpt } from '../kernel/excerpt';
import { maxLineProblem, positiveSecondsProblem, secondsProblem } from '../kernel/limits';
import { parseListenAddress } from '../kernel/listen-address';

/** Where a config file is searched for when DINIT_CONFIG is not set, in order. */
export const SEARCH_DIRS = ['/etc/dinit'];
/** cosmiconfig's usual names for module `dinit`, plus dinit.config.{json,yaml}. */
export const SEARCH_PLACES = [
  'package.json',
  '.dinitrc',
  '.dinitrc.json',
  '.dinitrc.yaml',
  '.dinitrc.yml',
  '.dinitrc.js',
  '.dinitrc.cjs',
  '.dinitrc.mjs',
  'dinit.config.js',
  'dinit.config.cjs',
  'dinit.config.mjs',
  'dinit.config.json',
  'dinit.config.yaml',
  'dinit.config.yml',
];

/** A plugin entry: specifier, [specifier, options], or [builtin name, false]; "..." places the built-ins. */
export type PluginEntry = string | [string, unknown];

export interface FileConfig {
  /** The file the settings came from. */
  filepath: string;
  settings: Partial<Config>;
  plugins: PluginEntry[];
}

/**
 * Finds and loads the config file: DINIT_CONFIG when set (a file, or a folder to search;
 * missing is an error), else the first match in /etc/dinit. The working directory is
 * searched only when asked for (DINIT_CONFIG=.): a config file is code run as root, so it
 * is looked for only where an image author puts one, and, as root, loaded only when no
 * other user can change it (file-trust.ts). cosmiconfig is loaded only when a candidate
 * exists, so a plain start costs a few stat calls.
 */
export async function loadConfigFile(env: NodeJS.ProcessEnv, cwd: string): Promise<FileConfig | undefined> {
  const explicit = env.DINIT_CONFIG;
  if (explicit) {
    const target = path.resolve(cwd, explicit);
    let isDir: boolean;
    try {
      isDir = fs.statSync(target).isDirectory();
    } catch {
      throw new ConfigError(`config file ${target} (DINIT_CONFIG): no such file`);
    }
    if (!isDir) return load(target);
    const found = findIn(target);
    if (found === undefined) throw new ConfigError(`config folder ${target} (DINIT_CONFIG): no config file in it (looked for ${SEARCH_PLACES.join(', ')})`);
    return load(found);
  }
  for (const dir of SEARCH_DIRS) {
    const found = findIn(dir);
    if (found !== undefined) return load(found);
  }
  return undefined;
}

/** The first of SEARCH_PLACES in `dir` (a package.json only when it has a "dinit" key). */
function findIn(dir: string): string | undefined {
  for (const place of SEARCH_PLACES) {
    const filepath = path.join(dir, place);
    if (!fs.existsSync(filepath)) continue;
    if (place === 'package.json' && !packageJsonHasDinit(filepath)) continue;
    return filepath;
  }
  return undefined;
}

async function load(filepath: string): Promise<FileConfig> {
  const reason = untrustedReason(filepath);
  if (reason !== undefined) throw new ConfigError(refusal(`config file ${filepath}`, reason));
  return validate(await cosmiconfigLoad(filepath), filepath);
}

function packageJsonHasDinit(filepath: string): boolean {
  try {
    return Object.prototype.hasOwnProperty.call(JSON.parse(fs.readFileSync(filepath, 'utf8')), 'dinit');
  } catch {
    return false;
  }
}

async function cosmiconfigLoad(filepath: string): Promise<unknown> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { cosmiconfig } = require('cosmiconfig') as typeof import('cosmiconfig');
  const explorer = cosmiconfig('dinit', { searchPlaces: SEARCH_PLACES, cache: false });
  try {
    const result = await explorer.load(filepath);
    return result?.config ?? {};
  } catch (error) {
    throw new ConfigError(`config file ${filepath}: ${(error as Error).message.split('\n')[0]}`);
  }
}

type Check = (value: unknown) => string | undefined;
const isString: Check = (v) => (typeof v === 'string' && v !== '' ? undefined : 'must be a non-empty string');
const isBoolean: Check = (v) => (typeof v === 'boolean' ? undefined : 'must be true or false');
const oneOf =
  (values: readonly string[]): Check =>
  (v) =>
    typeof v === 'string' && values.includes(v) ? undefined : `must be one of ${values.join(', ')}`;

const signalList: Check = (v) =>
  Array.isArray(v) && v.every((x) => typeof x === 'string') && parseSignalList(v.join(',')) !== undefined
    ? undefined
    : 'must be a list of signal names other than TERM, INT, CHLD, KILL, STOP';

/** `{ shutdown: 5, exit: 2 }`: known async hooks only, each a number of seconds (fractions allowed). */
const hookTimeouts: Check = (v) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return `must be an object of hook names (${ASYNC_HOOKS.join(', ')}) to seconds`;
  for (const [hook, seconds] of Object.entries(v)) {
    if (!(ASYNC_HOOKS as readonly string[]).includes(hook)) return `names unknown hook "${excerpt(hook)}" (known: ${ASYNC_HOOKS.join(', ')})`;
    if (typeof seconds !== 'number' || !(seconds > 0 && seconds <= MAX_HOOK_TIMEOUT)) {
      return `sets hook "${hook}" to ${describeValue(seconds)}; each must be a number of seconds above 0 and at most ${MAX_HOOK_TIMEOUT}`;
    }
  }
  return undefined;
};

const CHECKS: Record<keyof Config, Check> = {
  dir: isString,
  jsonStdout: isBoolean,
  logLevel: oneOf(LOG_LEVELS),
  killTimeout: secondsProblem,
  reparentingPolicy: oneOf(REPARENTING_POLICIES),
  maxLine: maxLineProblem,
  forwardSignals: signalList,
  stopTimeout: secondsProblem,
  stopDelay: secondsProblem,
  hookTimeouts,
  initDir: isString,
  finishDir: isString,
  signalGroup: isBoolean,
  exitCode: oneOf(EXIT_CODE_POLICIES),
  checkInterval: positiveSecondsProblem,
  checkTimeout: positiveSecondsProblem,
  metricsListen: (v) => (typeof v !== 'string' ? 'must be a string host:port' : ((p) => ('problem' in p ? `must be host:port (${p.problem})` : undefined))(parseListenAddress(v))),
  logFormat: oneOf(LOG_FORMATS),
  jsonStderr: isBoolean,
  jsonFields: oneOf(JSON_PROFILES),
  jsonStrict: isBoolean,
};

/**
 * Checks every key and type; the message names the file, the key, the value (a bounded
 * excerpt: describeValue) and the rule. Keys are looked up as own keys only, so `__proto__`,
 * `constructor`, `toString` … are unknown keys like any other.
 */
export function validate(raw: unknown, filepath: string): FileConfig {
  const fail = (message: string): never => {
    throw new ConfigError(`config file ${filepath}: ${message}`);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(`must export an object, got ${describeValue(raw)}`);
  const settings: Partial<Config> = {};
  let plugins: PluginEntry[] = [];
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (key === 'plugins') {
      plugins = validatePlugins(value, fail);
      continue;
    }
    const check = Object.hasOwn(CHECKS, key) ? CHECKS[key as keyof Config] : undefined;
    if (!check) return fail(`unknown key "${excerpt(key)}"; known keys: ${[...Object.keys(DEFAULT_CONFIG), 'plugins'].join(', ')}`);
    const problem = check(value);
    if (problem) fail(`key "${key}" ${problem}, got ${describeValue(value)}`);
    (settings as Record<string, unknown>)[key] =
      key === 'forwardSignals'
        ? parseSignalList((value as string[]).join(','))
        : key === 'hookTimeouts'
          ? Object.freeze({ ...DEFAULT_CONFIG.hookTimeouts, ...(value as object) }) // hooks not named keep their default
          : value;
  }
  return { filepath, settings, plugins };
}

function validatePlugins(value: unknown, fail: (m: string) => never): PluginEntry[] {
  if (!Array.isArray(value)) return fail(`key "plugins" must be a list, got ${describeValue(value)}`);
  return value.map((entry, i) => {
    if (typeof entry === 'string' && entry !== '') return entry;
    if (Array.isArray(entry) && entry.length === 2 && typeof entry[0] === 'string' && entry[0] !== '') {
      return [entry[0], entry[1]] as [string, unknown];
    }
    return fail(`plugins[${i}] must be "specifier", ["specifier", options] or ["builtin-name", false], got ${describeValue(entry)}`);
  });
}
