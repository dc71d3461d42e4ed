import * as fs from 'node:fs';
import * as path from 'node:path';
import { FatalError } from '../hooks/guard';
import type { ServiceSpec } from '../hooks/types';
import { describeError } from '../kernel/errors';
import type { Plugin } from '../kernel/kernel';

/**
 * `runit-dir`: every entry of DINIT_DIR not starting with `.` that is a directory
 * (after following symlinks) is a program: `<dir>/<name>/run`, plus `<dir>/<name>/log/run`
 * when present. Entries are taken in name order. An unreadable tree stops dinit (status 1).
 */
export const runitDir: Plugin = {
  name: 'runit-dir',
  apply(kernel) {
    kernel.hooks.load.tapPromise('runit-dir', async (services, config) => {
      // Absolute: each program runs with its own folder as cwd.
      const root = path.resolve(config.dir);
      let names: string[];
      try {
        names = fs.readdirSync(root).sort();
      } catch (error) {
        throw new FatalError(`cannot read service directory ${root}: ${describeError(error)}`);
      }
      const found: ServiceSpec[] = [];
      for (const name of names) {
        if (name.startsWith('.')) continue;
        const dir = path.join(root, name);
        let stat: fs.Stats;
        try {
          stat = fs.statSync(dir);
        } catch (error) {
          throw new FatalError(`${dir}: ${describeError(error)}`);
        }
        if (!stat.isDirectory()) {
          kernel.log.debug(`skipping ${dir}: not a directory`);
          continue;
        }
        const spec: ServiceSpec = { name, dir, run: [path.join(dir, 'run')] };
        const logRun = path.join(dir, 'log', 'run');
        if (exists(logRun)) spec.log = { argv: [logRun], cwd: path.join(dir, 'log') };
        found.push(spec);
      }
      return [...services, ...found];
    });
  },
};

function exists(file: string): boolean {
  try {
    fs.statSync(file);
    return true;
  } catch {
    return false;
  }
}
