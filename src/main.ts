import { constants } from 'node:os';
import { loadConfigFile, type FileConfig } from './bootstrap/config-file';
import { applyPlugin, resolvePlugins, type PluginUse } from './bootstrap/plugin-list';
import { ConfigError, configFromEnv, DEFAULT_CONFIG, LOG_LEVELS, type LogLevel } from './kernel/config';
import { Kernel } from './kernel/kernel';
import { createLogger } from './kernel/log';
import { resolveSys } from './kernel/sys';
import { BUILTINS } from './plugins';

export interface EarlySignals {
  received: NodeJS.Signals[];
  forward: ((signal: NodeJS.Signals) => void) | undefined;
}

/** Writes a message before the kernel's own writer exists (startup errors). */
function startupLogger() {
  const level = process.env.DINIT_LOG_LEVEL;
  const valid = (LOG_LEVELS as string[]).includes(level ?? '') ? (level as LogLevel) : 'warn';
  return createLogger(valid, (text) => process.stderr.write(text));
}

function exitNow(code: number): void {
  // stderr may be a pipe: let the write land before exiting.
  process.stderr.write('', () => process.exit(code));
}

/** config → kernel → built-ins → run → exit status. */
export async function main(_argv: string[], early: EarlySignals): Promise<void> {
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

  const kernel = new Kernel({ config, sys });
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

  const deliver = (signal: NodeJS.Signals): void => {
    if (signal === 'SIGCHLD') kernel.onChildSignal();
    else if (signal === 'SIGTERM' || signal === 'SIGINT') kernel.onSignal(constants.signals[signal]);
    else kernel.onOtherSignal(signal);
  };
  // Signals to forward that only the config file named: listen from now on.
  const fromEnv = new Set(process.env.DINIT_FORWARD_SIGNALS ? config.forwardSignals : []);
  for (const name of config.forwardSignals) if (!fromEnv.has(name)) process.on(name as NodeJS.Signals, () => deliver(name as NodeJS.Signals));
  early.forward = deliver;
  for (const signal of early.received.splice(0)) deliver(signal);

  const code = await kernel.run();
  process.exit(code);
}
