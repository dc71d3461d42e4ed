import type { Plugin } from '../kernel/kernel';
import { adoptOutput } from './reparent/adopt-output';
import { cmdMode } from './tree/cmd-mode';
import { downSignal } from './lifecycle/down-signal';
import { exitCode } from './lifecycle/exit-code';
import { forwardSignals } from './lifecycle/forward-signals';
import { jsonFieldsDinit } from './output/fields-dinit';
import { jsonFieldsEcs } from './output/fields-ecs';
import { jsonFieldsGcp } from './output/fields-gcp';
import { jsonFieldsNested } from './output/fields-nested';
import { jsonStderr } from './output/json-stderr';
import { logJson } from './output/log-json';
import { logText } from './output/log-text';
import { restart } from './lifecycle/restart';
import { readiness } from './status/readiness';
import { reparentAdopt } from './reparent/reparent-adopt';
import { reparentIgnore } from './reparent/reparent-ignore';
import { reparentTerminate } from './reparent/reparent-terminate';
import { runitDir } from './tree/runit-dir';
import { signalGroup } from './lifecycle/signal-group';
import { statusSocket } from './status/status-socket';
import { stopDeadline } from './lifecycle/stop-deadline';
import { stopOnExit } from './lifecycle/stop-on-exit';
import { tasks } from './lifecycle/tasks';
import { terminateFile } from './lifecycle/terminate-file';

/** The built-in plugins, by their stable names, in the order they are applied. */
export const BUILTINS: ReadonlyArray<Plugin> = Object.freeze([
  runitDir,
  // The field profiles first: the one DINIT_JSON_FIELDS names provides itself to the JSON formatters.
  jsonFieldsDinit,
  jsonFieldsNested,
  jsonFieldsEcs,
  jsonFieldsGcp,
  cmdMode,
  logJson,
  jsonStderr,
  logText,
  terminateFile,
  restart,
  downSignal,
  // Before stop-on-exit: its exit tap handles readiness checks, which stop-on-exit must not see.
  readiness,
  stopOnExit,
  stopDeadline,
  tasks,
  forwardSignals,
  signalGroup,
  exitCode,
  reparentTerminate,
  reparentAdopt,
  reparentIgnore,
  adoptOutput,
  statusSocket,
]);
