/**
 * The types the hooks hand to plugins that the kernel implements: the settings (the `load`
 * hook's second argument, `kernel.config`), dinit's logger (`kernel.log`) and the data a
 * formatter writes (`LineRecord.output`). Declared here, with the hooks, so the contract
 * plugins rely on depends on nothing else of ours; the kernel imports them from here.
 */

export type LogLevel = 'none' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
export type LogFormat = 'text' | 'json';
export type JsonProfileName = 'dinit' | 'nested' | 'ecs' | 'gcp';
export type ReparentingPolicy = 'terminate' | 'adopt' | 'ignore';
export type ExitCodePolicy = 'dinit' | 'program';
/** The asynchronous hooks: each tap of one must settle within its deadline. */
export type AsyncHookName = 'load' | 'spawn' | 'reparent' | 'adopted' | 'exit' | 'shutdown' | 'beforeExit';
/** Seconds a tap of each asynchronous hook may take before dinit goes on without it. */
export type HookTimeouts = Readonly<Record<AsyncHookName, number>>;

/** Every setting dinit reads; camelCase mirrors of the DINIT_* variables. */
export interface Config {
  /** DINIT_DIR: the runit-style service tree. */
  dir: string;
  /** DINIT_JSON_STDOUT: stdout lines are JSON objects (default) or prefixed text ("0"). */
  jsonStdout: boolean;
  /** DINIT_LOG_LEVEL: which of dinit's own messages are printed. */
  logLevel: LogLevel;
  /** DINIT_KILL_TIMEOUT: seconds between SIGTERM and SIGKILL for reparented processes. */
  killTimeout: number;
  /** DINIT_REPARENTING_POLICY: what happens to processes reparented to dinit. */
  reparentingPolicy: ReparentingPolicy;
  /** DINIT_MAX_LINE: longest line (bytes) passed whole; longer ones are emitted in pieces. */
  maxLine: number;
  /** DINIT_FORWARD_SIGNALS: signals passed on to every running program (e.g. SIGHUP). */
  forwardSignals: string[];
  /** DINIT_STOP_TIMEOUT: seconds after the stop begins before remaining programs get SIGKILL (unset: wait). */
  stopTimeout: number | undefined;
  /** DINIT_STOP_DELAY: seconds to wait before stopping programs (e.g. for a load balancer). */
  stopDelay: number;
  /** hookTimeouts (config file) / DINIT_HOOK_TIMEOUT (all hooks): deadline of each async hook's taps, in seconds. */
  hookTimeouts: HookTimeouts;
  /** DINIT_INIT_DIR: executables run one at a time before any program starts (none when missing). */
  initDir: string;
  /** DINIT_FINISH_DIR: executables run one at a time after every program has exited (none when missing). */
  finishDir: string;
  /** DINIT_SIGNAL_GROUP: signals to a program go to its whole process group (`signal-group`). */
  signalGroup: boolean;
  /** DINIT_EXIT_CODE: `dinit` (Go's 0/1/3) or `program` (the first failing program's status); unset: `program` in CMD mode, else `dinit`. */
  exitCode: ExitCodePolicy | undefined;
  /** DINIT_CHECK_INTERVAL: seconds between the starts of a service's readiness checks (`<svc>/check`). */
  checkInterval: number;
  /** DINIT_CHECK_TIMEOUT: seconds a readiness check may run before it is killed (unset: the interval). */
  checkTimeout: number | undefined;
  /** DINIT_METRICS_LISTEN: `host:port` for GET /metrics and /healthz (unset: no listener). */
  metricsListen: string | undefined;
  /** DINIT_LOG_FORMAT: dinit's own messages as Go's text lines (default) or one JSON object each. */
  logFormat: LogFormat;
  /** DINIT_JSON_STDERR: each stderr line of a program as a JSON object (opt-in). */
  jsonStderr: boolean;
  /** DINIT_JSON_FIELDS: how dinit's fields are added to JSON lines (a profile: dinit, nested, ecs, gcp). */
  jsonFields: JsonProfileName;
  /** DINIT_JSON_STRICT: a stdout line that is not valid JSON takes the not-JSON route (opt-in). */
  jsonStrict: boolean;
}

/**
 * dinit's own messages: `<time> dinit: <level>: <message>` on stderr, as Go dinit writes them.
 * Every message is escaped here (escapeControl), whoever wrote it: messages quote command
 * lines, comm, file names, plugin names and error messages, and one place cannot be forgotten
 * the way every source could. A message without control characters is written as it is (one
 * regex test, no copy). Bytes that are not UTF-8 must be escaped where they are read
 * (escapeBytes): once they are a JS string, they are already U+FFFD.
 */
export interface Logger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
  /** Our own diagnostics, below debug (DINIT_LOG_LEVEL=trace); Go dinit has no such lines. */
  trace(message: string): void;
  enabled(level: Exclude<LogLevel, 'none'>): boolean;
}

/** One piece of output: text, bytes, or a list of both written back to back. */
export type OutputData = string | Buffer | ReadonlyArray<string | Buffer>;
