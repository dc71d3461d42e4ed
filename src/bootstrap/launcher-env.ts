import fs = require('node:fs');

/**
 * The other half of bin/dinit: the launcher moved every variable that changes what Node
 * does (NODE_*, UV_*, OpenSSL's) to DINIT_LAUNCHER_SAVED_<name> and listed the names in
 * DINIT_LAUNCHER_SAVED, so Node started dinit without them. Putting them back makes every
 * program inherit the environment exactly as dinit was given it. Imports nothing heavy:
 * it runs before anything else is loaded.
 */
export const SAVED_LIST = 'DINIT_LAUNCHER_SAVED';
export const SAVED_PREFIX = 'DINIT_LAUNCHER_SAVED_';

export const SAVED_SIGNALS = 'DINIT_LAUNCHER_SIGNALS';

/** The names the launcher moves; kept in step with bin/dinit. */
export const NODE_VARIABLE = /^(?:(?:NODE|UV)_[A-Za-z0-9_]*|OPENSSL_CONF|OPENSSL_ENGINES|OPENSSL_MODULES|SSL_CERT_FILE|SSL_CERT_DIR)$/;

/**
 * TERM and INT that reached the launcher (PID 1 before Node starts) while it ran, for the
 * init to handle as if they had arrived now. Removed from `env`: no program sees it.
 */
export function launcherSignals(env: NodeJS.ProcessEnv): NodeJS.Signals[] {
  const list = env[SAVED_SIGNALS];
  delete env[SAVED_SIGNALS];
  return (list ?? '').split(' ').filter((name): name is NodeJS.Signals => name === 'SIGTERM' || name === 'SIGINT');
}

/**
 * The ones that make Node run other code or change how dinit runs; a start that bypassed
 * the launcher with one of them set is warned about. (CA-certificate and similar variables,
 * often set machine-wide, do not matter to dinit, which opens no TLS connection.)
 */
const DANGEROUS = new Set([
  'NODE_OPTIONS',
  'NODE_PATH',
  'NODE_REPL_EXTERNAL_MODULE',
  'NODE_CHANNEL_FD',
  'NODE_UNIQUE_ID',
  'NODE_V8_COVERAGE',
  'NODE_ICU_DATA',
  'NODE_REDIRECT_WARNINGS',
  'NODE_COMPILE_CACHE',
  'UV_THREADPOOL_SIZE',
  'OPENSSL_CONF',
  'OPENSSL_ENGINES',
  'OPENSSL_MODULES',
]);

/**
 * Restores the saved variables into `env`. Returns the Node variables that were set
 * although the launcher was bypassed (`node dist/cli.js`): Node has applied them to dinit.
 */
export function restoreLauncherEnv(env: NodeJS.ProcessEnv): string[] {
  const list = env[SAVED_LIST];
  if (list === undefined) return Object.keys(env).filter((name) => DANGEROUS.has(name));
  delete env[SAVED_LIST];
  const names = list.split(' ').filter((name) => NODE_VARIABLE.test(name));
  // libuv reads UV_THREADPOOL_SIZE when its pool first starts, which may be later than
  // now: start it first (synchronously, on this submission) so dinit keeps the default.
  if (names.includes('UV_THREADPOOL_SIZE')) fs.stat('/', () => undefined);
  for (const name of names) {
    const value = env[SAVED_PREFIX + name];
    delete env[SAVED_PREFIX + name];
    if (value !== undefined) env[name] = value;
  }
  return [];
}

/** The warning for a start that bypassed the launcher while such variables were set. */
export function bypassWarning(names: string[]): string {
  return (
    `started as "node dist/cli.js" with ${names.join(', ')} set: Node applied ${names.length === 1 ? 'it' : 'them'} to dinit itself ` +
    `(NODE_OPTIONS can make PID 1 load code or open a debugger); start dinit through its launcher, the "dinit" command (bin/dinit)`
  );
}
