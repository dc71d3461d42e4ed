import type { OutputData } from './payloads';

/** A program as the `load` hook describes it: one folder of the service tree. */
export interface ServiceSpec {
  /** Program name, used in every log line (`<name>/<stage>`). */
  name: string;
  /** The program's folder; `run` is started with this as its cwd. */
  dir: string;
  /** argv of the main program (runit: `<dir>/run`). */
  run: string[];
  /** argv and cwd of the log program reading run's stdout (runit: `<dir>/log/run`). */
  log?: { argv: string[]; cwd: string };
  /**
   * `run` may be started again after it exits (kernel.reruns.hold / start; set by the built-in
   * `restart` in `load`): dinit then keeps its copy of the log pipe, so log/run reads on across runs.
   */
  restartable?: boolean;
  /** The signal the stop sends to `run` instead of SIGTERM (set by `down-signal`). */
  stopSignal?: NodeJS.Signals;
  /** `run` reads dinit's own stdin instead of /dev/null (CMD mode). */
  stdin?: 'inherit';
  /**
   * Started from dinit's command line (CMD mode): `dir` is dinit's working directory, not a
   * service folder, so plugins that read files of the folder (terminate, down-signal) skip it.
   */
  fromCommandLine?: boolean;
}

/** What is about to be started; `spawn` taps may change argv, env and cwd. */
export interface SpawnRequest {
  service: string;
  /** `run`, `log` or `term` (or a plugin's own stage name). */
  stage: string;
  argv: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** A process dinit waits for: started by it, or adopted. */
export interface Program {
  service: string;
  stage: string;
  pid: number;
  /** `spawned` through the kernel's spawn path, or `adopted` after reparenting. */
  origin: 'spawned' | 'adopted';
  startedAt: number;
  state: 'running' | 'exited';
  exit?: ExitStatus;
  /** The service this program belongs to (absent for adopted processes). */
  spec?: ServiceSpec;
  /** Signals go to its whole process group (it leads one: spawned detached), set by `signal-group`. */
  signalGroup?: boolean;
  /**
   * A helper the kernel starts for a plugin (a readiness check): its exit never sets dinit's
   * exit status, and its start and exit are logged at debug, not info (it runs every few seconds).
   */
  probe?: boolean;
}

/** A service's readiness as a plugin reports it (kernel.setReady; built-in: `readiness`). */
export interface Readiness {
  ready: boolean;
  /** When it last changed (ms since epoch). */
  since: number;
  /** Why, in a few words (`check exited with status 1`, `run is not running`). */
  detail?: string;
  /** The last check's output (stdout and stderr, its last 4 KiB), when there is a check. */
  output?: string;
}

export interface ExitStatus {
  code: number | null;
  signal: number | null;
}

/** One line a program wrote. Taps of `line` may rewrite any field. */
export interface LineRecord {
  service: string;
  stage: string;
  stream: 'stdout' | 'stderr';
  /** The line's bytes (no newline, no trailing `\r`), made on first access. Assign to change them. */
  line: Buffer;
  /** The same bytes as a binary string, one char (U+0000–U+00FF) per byte: the fast, byte-exact view. */
  raw: string;
  /** When it was read (ms since epoch). */
  time: number;
  /**
   * Set by formatters: where to write what. `null` drops the line; left unset, the kernel writes
   * the plain text form. Strings in `data` are UTF-8 text, or binary strings with `encoding: 'latin1'`.
   */
  output?: { fd: 1 | 2; data: OutputData; encoding?: 'utf8' | 'latin1' } | null;
}

/** A live process reparented to dinit that is not one of its programs. */
export interface Orphan {
  pid: number;
  /** Last `/`-part of its first argv word, else its comm, else `unknown`; escaped like `cmdline`. */
  name: string;
  /** Its pid as a string: the stage in its log lines. */
  stage: string;
  /**
   * argv joined by spaces (may be empty), escaped C-style: control characters as `\n`, `\x1b`…,
   * bytes that are not UTF-8 as `\xNN` (docs/limits.md), so it is safe to log as it is.
   */
  cmdline: string;
}

/** Why the container is stopping. */
export type StopReason =
  | { kind: 'signal'; signal: number }
  | { kind: 'exit'; program: Program }
  | { kind: 'error'; error: Error }
  | { kind: 'request'; why: string };
