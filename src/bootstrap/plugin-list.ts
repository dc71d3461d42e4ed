import path = require('node:path');
import { ConfigError } from '../kernel/config';
import type { Kernel, Plugin } from '../kernel/kernel';
import type { PluginEntry } from './config-file';
import { describeValue, excerpt } from '../kernel/excerpt';
import { refusal, untrustedReason } from './file-trust';

/** The marker in `plugins` where the built-ins go (default: after the user's plugins). */
export const BUILTINS_MARKER = '...';

export interface PluginUse {
  plugin: Plugin;
  options: unknown;
  /** Where it came from, for messages. */
  origin: string;
  /** One of dinit's own plugins (its errors are not the config file's). */
  builtin: boolean;
}

/**
 * Applies one plugin; on failure returns the message, naming the config file when the
 * plugin came from it. Start-up stops at the first; `dinit check` reports them all.
 */
export function applyPlugin(kernel: Kernel, use: PluginUse, configFile: string | undefined): string | undefined {
  try {
    kernel.use(use.plugin, use.options);
    return undefined;
  } catch (error) {
    const where = configFile && !use.builtin ? `config file ${configFile}: ` : '';
    return `${where}${(error as Error).message}`;
  }
}

/**
 * Turns the config's `plugins` list into the ordered list to apply: user plugins are
 * loaded (paths relative to the config file's folder), `[builtin, false]` disables a
 * built-in, a user plugin with a built-in's name replaces it, and the built-ins stand
 * where "..." is.
 */
export function resolvePlugins(entries: PluginEntry[], builtins: readonly Plugin[], configFile: string | undefined): PluginUse[] {
  const where = configFile ? `config file ${configFile}` : 'configuration';
  const baseDir = configFile ? path.dirname(configFile) : process.cwd();
  const builtinNames = new Set(builtins.map((p) => p.name));
  const disabled = new Set<string>();
  const user: Array<PluginUse | typeof BUILTINS_MARKER> = [];
  for (const entry of entries) {
    if (entry === BUILTINS_MARKER) {
      user.push(BUILTINS_MARKER);
      continue;
    }
    const [specifier, options] = typeof entry === 'string' ? [entry, undefined] : entry;
    if (options === false) {
      if (!builtinNames.has(specifier)) {
        throw new ConfigError(`${where}: plugin "${specifier}" cannot be disabled: no built-in has that name (built-ins: ${[...builtinNames].join(', ')})`);
      }
      disabled.add(specifier);
      continue;
    }
    const plugin = loadPlugin(specifier, baseDir, where);
    user.push({ plugin, options, origin: specifier, builtin: false });
  }
  const replaced = new Set(user.filter((u): u is PluginUse => u !== BUILTINS_MARKER).map((u) => u.plugin.name));
  const kept: PluginUse[] = builtins
    .filter((p) => !disabled.has(p.name) && !replaced.has(p.name))
    .map((plugin) => ({ plugin, options: undefined, origin: `built-in ${plugin.name}`, builtin: true }));
  if (!user.includes(BUILTINS_MARKER)) user.push(BUILTINS_MARKER);
  return user.flatMap((u) => (u === BUILTINS_MARKER ? kept : [u]));
}

function loadPlugin(specifier: string, baseDir: string, where: string): Plugin {
  let resolved: string;
  try {
    resolved = require.resolve(specifier, { paths: [baseDir] });
  } catch {
    throw new ConfigError(`${where}: plugin "${specifier}" not found (resolved from ${baseDir})`);
  }
  // Plugins run as root in PID 1: the same ownership rule as for the config file.
  const reason = untrustedReason(resolved);
  if (reason !== undefined) throw new ConfigError(`${where}: ${refusal(`plugin "${specifier}" (${resolved})`, reason)}`);
  let loaded: unknown;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require(resolved);
  } catch (error) {
    throw new ConfigError(`${where}: plugin "${specifier}" failed to load: ${(error as Error).message.split('\n')[0]}`);
  }
  const candidate = (loaded as { default?: unknown })?.default ?? loaded;
  const plugin = candidate as Partial<Plugin> | undefined;
  if (!plugin || typeof plugin.name !== 'string' || plugin.name === '' || typeof plugin.apply !== 'function') {
    throw new ConfigError(`${where}: plugin "${specifier}" must export { name: string, apply(kernel, options) } (got ${describe(candidate)})`);
  }
  return plugin as Plugin;
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  // Bounded, like every value quoted in a message (excerpt.ts): a plugin may export anything.
  if (typeof value !== 'object' && typeof value !== 'function') return describeValue(value);
  const keys = Object.keys(value as object);
  return keys.length ? `an object with keys ${excerpt(keys.join(', '))}` : 'an empty object';
}
