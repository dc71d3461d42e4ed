/**
 * Which signals dinit listens for from its first moment, in one place (cli.ts installs them,
 * main.ts routes them). Side-effect free and tiny: loaded before anything else.
 *
 * As PID 1 the kernel drops any signal without a handler; as a subreaper (`docker run
 * --init`, a shared PID namespace, local use) a signal whose default action terminates or
 * stops a process would kill or freeze dinit and leave its programs running orphaned. So
 * every such signal that Node can catch gets a listener: TERM and INT stop, the ones named
 * to forward are forwarded, the rest are logged and ignored.
 *
 * Not here, and why:
 * - SIGKILL, SIGSTOP: cannot be caught by anyone.
 * - SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGSYS: raised by a fault of dinit itself; a handler that
 *   returns re-runs the faulting instruction (an endless loop instead of a crash).
 * - SIGUSR1: Node's inspector trigger; its listener is installed by the inspector guard.
 * - SIGPIPE: Node ignores it already. SIGCHLD, SIGCONT, SIGURG, SIGWINCH: harmless by default
 *   (SIGCHLD has its own listener).
 * - Real-time signals (SIGRTMIN..SIGRTMAX): Node cannot listen for them. As PID 1 they are
 *   dropped; as a subreaper one of them still terminates dinit.
 */
export const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/** Default action terminate, core dump or stop; caught so they cannot take dinit down. */
export const STRAY_SIGNALS: readonly NodeJS.Signals[] = [
  'SIGHUP',
  'SIGQUIT',
  'SIGTRAP',
  'SIGABRT',
  'SIGUSR2',
  'SIGALRM',
  'SIGSTKFLT',
  'SIGTSTP',
  'SIGTTIN',
  'SIGTTOU',
  'SIGXCPU',
  'SIGXFSZ',
  'SIGVTALRM',
  'SIGPROF',
  'SIGIO',
  'SIGPWR',
];
