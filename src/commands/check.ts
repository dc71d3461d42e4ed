import path = require('node:path');
import { loadConfigFile, type FileConfig } from '../bootstrap/config-file';
import { applyPlugin, resolvePlugins, type PluginUse } from '../bootstrap/plugin-list';
import { ConfigError, configFromEnv, DEFAULT_CONFIG, type Config } from '../kernel/config';
import { Kernel } from '../kernel/kernel';
import { resolveSys, type SysCalls } from '../sys';
import { BUILTINS } from '../plugins';
import { readiness } from '../plugins/status/readiness';
import { runitDir } from '../plugins/tree/runit-dir';
import { checkService, formatProblem, scanTree } from '../plugins/tree/service-checks';
import { terminateFile } from '../plugins/lifecycle/terminate-file';
import { restart } from '../plugins/lifecycle/restart';
import { readRestart } from '../plugins/lifecycle/restart-policy';
import { tasks } from '../plugins/lifecycle/tasks';
import { scanTasks } from '../plugins/lifecycle/task-folder';
import { downSignal, readDownSignal } from '../plugins/lifecycle/down-signal';
import { escapeControl } from '../kernel/escape';
import { commandArgs, processIo, type CommandIo } from './io';

const USAGE = `usage: dinit check [-v|--verbose] [dir]

Checks what dinit would load at start-up, without starting anything: the config file and
its plugins (loaded and applied), the DINIT_* variables, and the service tree (dir, else
DINIT_DIR, else the config file's "dir", else /etc/service). Prints one line per problem,
"<path>: <reason>", then "ok: N services" (exit 0) or "N problems" (exit 1).
`;

/** `dinit check [dir]`: 0 when dinit would start this tree, 1 when not, 2 on a usage error. */
export async function check(args: string[], io: CommandIo = processIo()): Promise<number> {
  const parsed = commandArgs('check', args, ['-v', '--verbose'], 1, USAGE, io);
  if (typeof parsed === 'number') return parsed;
  const verbose = parsed.flags.has('-v') || parsed.flags.has('--verbose');
  const note = (text: string): void => (verbose ? io.out(`note: ${text}\n`) : undefined);
  const problems: string[] = [];
  // Every problem line is escaped here, whatever it quotes (paths, values, plugin messages): one line each.
  const problem = (line: string): void => {
    problems.push(line);
    io.out(`${escapeControl(line)}\n`);
  };

  // The same steps, in the same order, as start-up (src/main.ts), each failure reported and the rest still checked.
  let file: FileConfig | undefined;
  try {
    file = await loadConfigFile(io.env, io.cwd);
    note(file ? `config file ${file.filepath}` : 'no config file');
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problem(error.message);
  }
  let config: Config;
  try {
    // Every bad variable is listed, not only the first.
    const envProblems: ConfigError[] = [];
    config = configFromEnv(io.env, { ...DEFAULT_CONFIG, ...file?.settings }, envProblems);
    for (const envProblem of envProblems) problem(`environment: ${envProblem.message}`);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problem(`environment: ${error.message}`);
    config = { ...DEFAULT_CONFIG, ...file?.settings, ...(io.env.DINIT_DIR ? { dir: io.env.DINIT_DIR } : {}) };
  }
  if (parsed.positional[0] !== undefined) config.dir = parsed.positional[0];

  let plugins: PluginUse[] | undefined;
  try {
    plugins = resolvePlugins(file?.plugins ?? [], BUILTINS, file?.filepath);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problem(error.message);
  }
  let sys: SysCalls | undefined;
  try {
    sys = resolveSys(io.env.DINIT_SYS_BACKEND).calls;
  } catch (error) {
    problem(`native calls: ${(error as Error).message}`);
  }
  if (plugins && sys) {
    // A kernel that is never run: applying taps hooks and nothing else (no program, no socket).
    const kernel = new Kernel({ config, sys });
    for (const use of plugins) {
      const failure = applyPlugin(kernel, use, file?.filepath);
      if (failure === undefined) note(`plugin ${use.plugin.name} (${use.origin}) applied`);
      else problem(failure);
    }
    await kernel.flush();
  }

  // The tree is runit-dir's concern: when a bundle replaced or disabled it, its own rules apply.
  const used = new Set(plugins?.map((use) => use.plugin) ?? BUILTINS);
  let services = 0;
  if (used.has(runitDir)) {
    const scan = scanTree(path.resolve(io.cwd, config.dir));
    for (const p of scan.problems) problem(formatProblem(p));
    for (const entry of scan.skipped) note(`${entry}: skipped, not a directory`);
    for (const { dir, entry } of scan.services) {
      const found = checkService(dir, { stopFiles: used.has(terminateFile), checkFile: used.has(readiness) }, entry);
      // An unreadable folder is reported once, above, not again for each file in it.
      const stop = used.has(downSignal) && !found.some((p) => p.reason.startsWith('cannot read service directory')) ? readDownSignal(dir).problem : undefined;
      if (stop) found.push(stop);
      for (const p of found) problem(formatProblem(p));
      // A folder with problems already (unreadable, no run) is not read further.
      const policy = used.has(restart) && found.length === 0 ? readRestart(dir) : undefined;
      if (policy && 'problem' in policy) problem(policy.problem);
      if (found.length === 0 && !(policy && 'problem' in policy)) note(`${escapeControl(entry.shown)}: ok`);
    }
    services = scan.services.length;
    if (services === 0 && scan.problems.length === 0) problem(`${scan.root}: no services (no folder in it that does not start with ".")`);
  } else {
    io.out(`note: runit-dir is replaced or disabled: service tree ${config.dir} not checked\n`);
  }

  // Init and finish tasks (the built-in `tasks`): folders that do not exist hold none.
  if (used.has(tasks)) {
    for (const dir of [config.initDir, config.finishDir]) {
      const folder = scanTasks(path.resolve(io.cwd, dir));
      for (const p of folder?.problems ?? []) problem(formatProblem(p));
      if (folder && folder.problems.length === 0) note(`${escapeControl(folder.dir)}: ${folder.names.length} task${folder.names.length === 1 ? '' : 's'}`);
    }
  }

  if (problems.length > 0) {
    io.out(`${problems.length} problem${problems.length === 1 ? '' : 's'}\n`);
    return 1;
  }
  io.out(`ok: ${services} service${services === 1 ? '' : 's'}\n`);
  return 0;
}
