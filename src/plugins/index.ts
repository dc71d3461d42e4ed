import type { Plugin } from '../kernel/kernel';
import { adoptOutput } from './adopt-output';
import { forwardSignals } from './forward-signals';
import { logJson } from './log-json';
import { logText } from './log-text';
import { reparentAdopt } from './reparent-adopt';
import { reparentIgnore } from './reparent-ignore';
import { reparentTerminate } from './reparent-terminate';
import { runitDir } from './runit-dir';
import { statusSocket } from './status-socket';
import { stopDeadline } from './stop-deadline';
import { stopOnExit } from './stop-on-exit';
import { terminateFile } from './terminate-file';

/** The built-in plugins, by their stable names, in the order they are applied. */
export const BUILTINS: ReadonlyArray<Plugin> = Object.freeze([
  runitDir,
  logJson,
  logText,
  terminateFile,
  stopOnExit,
  stopDeadline,
  forwardSignals,
  reparentTerminate,
  reparentAdopt,
  reparentIgnore,
  adoptOutput,
  statusSocket,
]);
