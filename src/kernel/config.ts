import { parseGoInt } from './go-int';
import { excerpt } from './excerpt';
import { parseListenAddress } from './listen-address';
import { LINE_RANGE, MAX_LINE_LIMIT, parseSeconds, POSITIVE_SECONDS_RANGE, SECONDS_RANGE } from './limits';

import type { AsyncHookName, Config, ExitCodePolicy, JsonProfileName, LogFormat, LogLevel, ReparentingPolicy } from '../hooks/payloads';

// The types are declared with the hooks (src/hooks/payloads.ts), which plugins see; re-exported for the kernel.
export type { AsyncHookName, Config, ExitCodePolicy, HookTimeouts, JsonProfileName, LogFormat, LogLevel, ReparentingPolicy } from '../hooks/payloads';
export const ASYNC_HOOKS: readonly AsyncHookName[] = ['load', 'spawn', 'reparent', 'adopted', 'exit', 'shutdown', 'beforeExit'];
/** The longest hook deadline accepted (a day): a longer one would be a wait without an end in practice. */
export const MAX_HOOK_TIMEOUT = 86400;

export const DEFAULT_CONFIG: Readonly<Config> = Object.freeze({
  dir: '/etc/service',
  jsonStdout: true,
  logLevel: 'warn',
  killTimeout: 30,
  reparentingPolicy: 'terminate',
  maxLine: 1024 * 1024,
  forwardSignals: [],
  stopTimeout: undefined,
  stopDelay: 0,
  // Loading may read a large tree or fetch something; adopting runs the ptrace takeover;
  // the others only decide something and must not hold a stop for long.
  hookTimeouts: Object.freeze({ load: 30, spawn: 10, reparent: 10, adopted: 30, exit: 10, shutdown: 10, beforeExit: 30 }),
  initDir: '/etc/dinit/init.d',
  finishDir: '/etc/dinit/finish.d',
  signalGroup: false,
  exitCode: undefined,
  checkInterval: 10,
  checkTimeout: undefined,
  metricsListen: undefined,
  // Log shipping (issue 19): all off by default, so the output is Go's, byte for byte.
  logFormat: 'text',
  jsonStderr: false,
  jsonFields: 'dinit',
  jsonStrict: false,
});

/** Signals dinit handles itself or that cannot be caught: never forwarded. */
const NOT_FORWARDABLE = new Set(['SIGTERM', 'SIGINT', 'SIGCHLD', 'SIGKILL', 'SIGSTOP']);

/** `HUP,usr1, SIGWINCH` → ['SIGHUP', 'SIGUSR1', 'SIGWINCH']; undefined if any name is not forwardable. */
export function parseSignalList(text: string): string[] | undefined {
  const { signals } = require('node:os').constants as { signals: Record<string, number> };
  const names = text
    .split(',')
    .map((part) => part.trim().toUpperCase())
    .filter((part) => part !== '')
    .map((part) => (part.startsWith('SIG') ? part : `SIG${part}`));
  if (names.some((name) => signals[name] === undefined || NOT_FORWARDABLE.has(name))) return undefined;
  return [...new Set(names)];
}

export const LOG_LEVELS: readonly LogLevel[] = ['none', 'error', 'warn', 'info', 'debug', 'trace'];
export const LOG_FORMATS: readonly LogFormat[] = ['text', 'json'];
export const JSON_PROFILES: readonly JsonProfileName[] = ['dinit', 'nested', 'ecs', 'gcp'];
export const REPARENTING_POLICIES: readonly ReparentingPolicy[] = ['terminate', 'adopt', 'ignore'];
export const EXIT_CODE_POLICIES: readonly ExitCodePolicy[] = ['dinit', 'program'];

/** A configuration mistake: printed as `dinit: error: <message>`, exit status 1. */
export class ConfigError extends Error {}

/**
 * Reads DINIT_* variables over `base`. Empty variables mean "not set", as in Go dinit.
 * Messages match Go dinit word for word (`invalid log level X`, ...). Throws the first
 * mistake, or, given `problems`, collects every one (`dinit check`) and keeps `base` for them.
 */
export function configFromEnv(env: NodeJS.ProcessEnv, base: Config = DEFAULT_CONFIG, problems?: ConfigError[]): Config {
  const config: Config = { ...base };
  const step = (read: () => void): void => {
    try {
      read();
    } catch (error) {
      if (!problems || !(error instanceof ConfigError)) throw error;
      problems.push(error);
    }
  };
  if (env.DINIT_DIR) config.dir = env.DINIT_DIR;
  if (env.DINIT_JSON_STDOUT !== undefined && env.DINIT_JSON_STDOUT !== '') {
    config.jsonStdout = env.DINIT_JSON_STDOUT !== '0';
  }
  step(() => {
    const level = env.DINIT_LOG_LEVEL;
    if (!level) return;
    if (!(LOG_LEVELS as string[]).includes(level)) throw new ConfigError(`invalid log level ${excerpt(level)}`);
    config.logLevel = level as LogLevel;
  });
  // Go's wording when the text is no integer; the range only when Go would have taken it.
  step(() => void (config.killTimeout = seconds(env, 'DINIT_KILL_TIMEOUT', 'kill timeout', 'zero', true) ?? config.killTimeout));
  step(() => {
    const policy = env.DINIT_REPARENTING_POLICY;
    if (!policy) return;
    if (!(REPARENTING_POLICIES as string[]).includes(policy)) throw new ConfigError(`invalid reparenting policy ${excerpt(policy)}`);
    config.reparentingPolicy = policy as ReparentingPolicy;
  });
  step(() => {
    const maxLine = env.DINIT_MAX_LINE;
    if (!maxLine) return;
    const bytes = parseGoInt(maxLine);
    if (bytes === undefined || bytes < 1n || bytes > BigInt(MAX_LINE_LIMIT)) {
      throw new ConfigError(`invalid max line ${excerpt(maxLine)}: DINIT_MAX_LINE must be ${LINE_RANGE}`);
    }
    config.maxLine = Number(bytes);
  });
  step(() => {
    const forward = env.DINIT_FORWARD_SIGNALS;
    if (!forward) return;
    const names = parseSignalList(forward);
    if (!names) throw new ConfigError(`invalid forward signals ${excerpt(forward)}: expected a comma-separated list of signal names other than TERM, INT, CHLD, KILL, STOP`);
    config.forwardSignals = names;
  });
  step(() => void (config.stopTimeout = seconds(env, 'DINIT_STOP_TIMEOUT', 'stop timeout', 'refuse') ?? config.stopTimeout));
  step(() => void (config.stopDelay = seconds(env, 'DINIT_STOP_DELAY', 'stop delay', 'refuse') ?? config.stopDelay));
  step(() => {
    const hookTimeout = env.DINIT_HOOK_TIMEOUT;
    if (!hookTimeout) return;
    const value = parseGoInt(hookTimeout);
    if (value === undefined || value < 1n || value > BigInt(MAX_HOOK_TIMEOUT)) {
      throw new ConfigError(`invalid hook timeout ${excerpt(hookTimeout)}: expected whole seconds from 1 to ${MAX_HOOK_TIMEOUT}`);
    }
    const all = Number(value);
    config.hookTimeouts = Object.freeze(Object.fromEntries(ASYNC_HOOKS.map((name) => [name, all])) as Record<AsyncHookName, number>);
  });
  // Init and finish tasks (the built-in `tasks`): folders, used only when they exist.
  if (env.DINIT_INIT_DIR) config.initDir = env.DINIT_INIT_DIR;
  if (env.DINIT_FINISH_DIR) config.finishDir = env.DINIT_FINISH_DIR;
  // Lifecycle policies (issue 17): process-group signals and the exit status policy.
  step(() => {
    const group = env.DINIT_SIGNAL_GROUP;
    if (!group) return;
    if (group !== '0' && group !== '1') throw new ConfigError(`invalid signal group ${excerpt(group)}: DINIT_SIGNAL_GROUP must be 0 or 1`);
    config.signalGroup = group === '1';
  });
  step(() => {
    const policy = env.DINIT_EXIT_CODE;
    if (!policy) return;
    if (!(EXIT_CODE_POLICIES as string[]).includes(policy)) throw new ConfigError(`invalid exit code policy ${excerpt(policy)}: DINIT_EXIT_CODE must be one of ${EXIT_CODE_POLICIES.join(', ')}`);
    config.exitCode = policy as ExitCodePolicy;
  });
  // Readiness checks and metrics (issue 18): a check every 0 s would be a busy loop, so both start at 1.
  step(() => void (config.checkInterval = positiveSeconds(env, 'DINIT_CHECK_INTERVAL', 'check interval') ?? config.checkInterval));
  step(() => void (config.checkTimeout = positiveSeconds(env, 'DINIT_CHECK_TIMEOUT', 'check timeout') ?? config.checkTimeout));
  step(() => {
    const listen = env.DINIT_METRICS_LISTEN;
    if (!listen) return;
    const parsed = parseListenAddress(listen);
    if ('problem' in parsed) throw new ConfigError(`invalid metrics listen address ${excerpt(listen)}: DINIT_METRICS_LISTEN ${parsed.problem}`);
    config.metricsListen = listen;
  });
  // Log shipping (issue 19).
  step(() => void (config.logFormat = choice(env, 'DINIT_LOG_FORMAT', 'log format', LOG_FORMATS) ?? config.logFormat));
  step(() => void (config.jsonFields = choice(env, 'DINIT_JSON_FIELDS', 'json fields', JSON_PROFILES) ?? config.jsonFields));
  step(() => void (config.jsonStderr = onOff(env, 'DINIT_JSON_STDERR', 'json stderr') ?? config.jsonStderr));
  step(() => void (config.jsonStrict = onOff(env, 'DINIT_JSON_STRICT', 'json strict') ?? config.jsonStrict));
  return config;
}

/** One of `values`; undefined when unset. */
function choice<T extends string>(env: NodeJS.ProcessEnv, name: string, words: string, values: readonly T[]): T | undefined {
  const text = env[name];
  if (!text) return undefined;
  if (!(values as readonly string[]).includes(text)) throw new ConfigError(`invalid ${words} ${excerpt(text)}: ${name} must be one of ${values.join(', ')}`);
  return text as T;
}

/** A switch: 1/true on, 0/false off (new variables are strict: a typo is not silently "on"); undefined when unset. */
function onOff(env: NodeJS.ProcessEnv, name: string, words: string): boolean | undefined {
  const text = env[name];
  if (!text) return undefined;
  if (text === '1' || text === 'true') return true;
  if (text === '0' || text === 'false') return false;
  throw new ConfigError(`invalid ${words} ${excerpt(text)}: ${name} must be 1 or 0 (or true, false)`);
}

/** A duration variable, checked against what a timer can hold (limits.ts); undefined when unset. */
function seconds(env: NodeJS.ProcessEnv, name: string, words: string, negative: 'zero' | 'refuse', goWording = false): number | undefined {
  const text = env[name];
  if (!text) return undefined;
  const parsed = parseSeconds(text, negative);
  if (parsed && 'seconds' in parsed) return parsed.seconds;
  if (!parsed && goWording) throw new ConfigError(`invalid ${words} ${excerpt(text)}`);
  throw new ConfigError(`invalid ${words} ${excerpt(text)}: ${name} must be ${SECONDS_RANGE}`);
}

/** A duration that must be at least one second (the same parsing and limits as the others). */
function positiveSeconds(env: NodeJS.ProcessEnv, name: string, words: string): number | undefined {
  const text = env[name];
  if (!text) return undefined;
  const parsed = parseSeconds(text, 'refuse');
  if (parsed && 'seconds' in parsed && parsed.seconds > 0) return parsed.seconds;
  throw new ConfigError(`invalid ${words} ${excerpt(text)}: ${name} must be ${POSITIVE_SECONDS_RANGE}`);
}
