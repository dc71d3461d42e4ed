import type { Plugin } from '../kernel/kernel';
import { logJson } from './log-json';
import { logText } from './log-text';
import { reparentAdopt, reparentIgnore, reparentTerminate } from './reparent-policies';
import { runitDir } from './runit-dir';
import { stopOnExit } from './stop-on-exit';
import { terminateFile } from './terminate-file';

/** The built-in plugins, by their stable names, in the order they are applied. */
export const BUILTINS: ReadonlyArray<Plugin> = Object.freeze([
  runitDir,
  logJson,
  logText,
  terminateFile,
  stopOnExit,
  reparentTerminate,
  reparentAdopt,
  reparentIgnore,
]);
