import fs = require('node:fs');
import path = require('node:path');
import { FatalError } from '../../hooks/guard';
import type { ServiceSpec } from '../../hooks/types';
import type { Plugin } from '../../kernel/kernel';
import { checkService, escapeControl, formatProblem, scanTree, type Problem } from './service-checks';

/**
 * `runit-dir`: every entry of DINIT_DIR not starting with `.` that is a directory
 * (after following symlinks) is a program: `<dir>/<name>/run`, plus `<dir>/<name>/log/run`
 * when present. Entries are taken in name order. Before anything starts, the tree is
 * checked (service-checks.ts): an unreadable tree, a broken link, a `run` that exec would
 * refuse (missing, not executable, no `#!`, another architecture), or a `log` that is not
 * a folder stops dinit with `<path>: <reason>` and status 1. A service's name is its folder's
 * name, with control characters escaped (escapeControl): a newline in a folder name would
 * otherwise split or forge log lines.
 */
export const runitDir: Plugin = {
  name: 'runit-dir',
  apply(kernel) {
    kernel.hooks.load.tapPromise('runit-dir', async (services, config) => {
      // CMD mode (`dinit -- CMD`): a single-process image need not have a tree at all.
      if (kernel.command && !fs.existsSync(config.dir)) {
        kernel.log.debug(`no service directory ${config.dir}; running only the command`);
        return services;
      }
      // scanTree resolves the tree to an absolute path: each program runs with its own folder as cwd.
      const scan = scanTree(config.dir);
      const problems: Problem[] = [...scan.problems];
      for (const entry of scan.skipped) kernel.log.trace(`skipping ${entry}: not a directory`);
      const found: ServiceSpec[] = [];
      for (const { name, dir, entry } of scan.services) {
        problems.push(...checkService(dir, {}, entry));
        const spec: ServiceSpec = { name: escapeControl(name), dir, run: [path.join(dir, 'run')] };
        const logDir = path.join(dir, 'log');
        if (fs.existsSync(path.join(logDir, 'run'))) spec.log = { argv: [path.join(logDir, 'run')], cwd: logDir };
        found.push(spec);
      }
      if (problems.length > 0) throw new FatalError(describe(problems, scan.root));
      return [...services, ...found];
    });
  },
};

function describe(problems: Problem[], root: string): string {
  const [first] = problems;
  // Kept word for word from earlier versions: scripts may match on it.
  const text = first.path === root ? `cannot read service directory ${root}: ${first.reason.replace(/^cannot read service directory: /, '')}` : formatProblem(first);
  const more = problems.length - 1;
  return more === 0 ? text : `${text} (and ${more} more problem${more === 1 ? '' : 's'}: "dinit check" lists them all)`;
}
