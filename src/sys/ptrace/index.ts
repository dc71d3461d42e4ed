// Taking over the stdout/stderr of a running process tree by ptrace syscall injection (Linux,
// x86_64 and aarch64). See take-over.ts for the flow and tracee.ts for the ptrace session.
export { takeOverOutput } from './take-over';
export type { TakeOverResult } from './take-over';
export { ProcessGoneError } from './errors';
export { TakeOverTimeoutError } from './errors';
export { TAKEOVER_DEADLINE_MS } from './deadline';
export type { TakeOverOptions } from './take-over';
