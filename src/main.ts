import { constants } from 'node:os';
import { loadConfigFile, type FileConfig } from './bootstrap/config-file';
import { applyPlugin, resolvePlugins, type PluginUse } from './bootstrap/plugin-list';
import { anotherDinit } from './bootstrap/second-init';
import { usr1Blocked } from './bootstrap/usr1-blocked';
import { ConfigError, configFromEnv, DEFAULT_CONFIG, LOG_LEVELS, type LogLevel } from './kernel/config';
import { Kernel } from './kernel/kernel';
import { createLogger } from './kernel/log';
import { earlyLogFormat } from './bootstrap/early-log-format';
import { resolveSys } from './sys';
import { BUILTINS } from './plugins';

export interface EarlySignals {
  received: NodeJS.Signals[];
  forward: ((signal: NodeJS.Signals) => void) | undefined;
  /** Signals cli.ts already listens for. */
  listening: Set<string>;
}

/**
 * Writes a message before the kernel's own writer exists (startup errors). Only the
 * environment is known here (the config file may be what failed): DINIT_LOG_FORMAT=json
 * and DINIT_JSON_FIELDS apply when valid, the defaults otherwise.
 */
function startupLogger() {
  const level = process.env.DINIT_LOG_LEVEL;
  const valid = (LOG_LEVELS as string[]).includes(level ?? '') ? (level as LogLevel) : 'warn';
  return createLogger(valid, (text) => process.stderr.write(text), earlyLogFormat(process.env));
}

async function jsonLogFormatFor(profile: string) {
  const { BUILTIN_PROFILES, jsonLogFormat } = await import('./plugins/output/log-format-json');
  return jsonLogFormat(BUILTIN_PROFILES[profile]);
}

function exitNow(code: number): void {
  // stderr may be a pipe: let the write land before exiting.
  process.stderr.write('', () => process.exit(code));
}

/** config → kernel → built-ins → run → exit status. `command`: CMD mode's `CMD [ARG…]` (src/cli-args.ts). */
export async function main(command: string[] | undefined, early: EarlySignals): Promise<void> {
  // Before the config file (code) is even loaded: a second init must start nothing.
  const other = anotherDinit(process.env);
  if (other !== undefined) {
    startupLogger().error(`another dinit already supervises this PID namespace: ${other}; not starting the programs a second time (to see them: dinit status)`);
    return exitNow(2);
  }
  // Precedence: built-in defaults < config file < DINIT_* variables.
  let config;
  let file: FileConfig | undefined;
  let plugins: PluginUse[];
  try {
    file = await loadConfigFile(process.env, process.cwd());
    config = configFromEnv(process.env, { ...DEFAULT_CONFIG, ...file?.settings });
    plugins = resolvePlugins(file?.plugins ?? [], BUILTINS, file?.filepath);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    startupLogger().error(error.message);
    return exitNow(1);
  }
  let sys;
  let backends;
  try {
    ({ calls: sys, backends } = resolveSys(process.env.DINIT_SYS_BACKEND));
  } catch (error) {
    startupLogger().error(`exiting: ${(error as Error).message}`);
    return exitNow(1);
  }

  // DINIT_LOG_FORMAT is a policy: the kernel writes its messages with whatever format it is given.
  const kernel = new Kernel({ config, sys, command, logFormat: config.logFormat === 'json' ? await jsonLogFormatFor(config.jsonFields) : undefined });
  // PID 1 must not die by surprise: a bug becomes a logged error, supervision goes on.
  process.on('uncaughtException', (error) => kernel.log.error(`internal error: ${error.stack ?? error.message}`));
  process.on('unhandledRejection', (error) => kernel.log.error(`internal error: ${(error as Error)?.stack ?? String(error)}`));

  kernel.log.trace(`native calls: ${Object.entries(backends).map(([call, via]) => `${call} via ${via}`).join(', ')}`);
  if (kernel.pid !== 1) {
    kernel.log.info(`not running as a PID 1, but PID ${kernel.pid}, registering as a process subreaper`);
    try {
      sys.setChildSubreaper();
    } catch (error) {
      kernel.log.error(`exiting: ${(error as Error).message}`);
      // The kernel's log goes through its output pipeline: let it reach stderr first.
      await kernel.flush();
      return exitNow(1);
    }
  }

  for (const use of plugins) {
    const failure = applyPlugin(kernel, use, file?.filepath);
    if (failure === undefined) continue;
    kernel.log.error(failure);
    await kernel.flush();
    return exitNow(1);
  }

  const forwardUsr1 = config.forwardSignals.includes('SIGUSR1');
  if (forwardUsr1 && usr1Blocked()) {
    kernel.log.warn('SIGUSR1 cannot be forwarded: Node was started with --disable-sigusr1; name USR1 in DINIT_FORWARD_SIGNALS (not only in the config file) so the launcher leaves it out');
  }
  const forwarded = new Set(config.forwardSignals);
  const deliver = (signal: NodeJS.Signals): void => {
    if (signal === 'SIGCHLD') kernel.onChildSignal();
    // Listened for from the first moment (src/cli.ts) so it never opens Node's inspector.
    else if (signal === 'SIGUSR1' && !forwardUsr1) kernel.log.trace('ignoring SIGUSR1 (not in DINIT_FORWARD_SIGNALS; it never opens a debugger)');
    else if (signal === 'SIGTERM' || signal === 'SIGINT') kernel.onSignal(constants.signals[signal]);
    else if (forwarded.has(signal)) kernel.onOtherSignal(signal);
    else kernel.onStraySignal(signal);
  };
  // Signals to forward that cli.ts does not catch yet (only the config file named them): from now on.
  // SIGUSR1 is always caught from the first moment (src/cli.ts), so it is never added twice.
  for (const name of forwarded) if (!early.listening.has(name)) process.on(name as NodeJS.Signals, () => deliver(name as NodeJS.Signals));
  early.forward = deliver;
  for (const signal of early.received.splice(0)) deliver(signal);

  const code = await kernel.run();
  process.exit(code);
}
