/**
 * The public API for plugin authors: `import { definePlugin, STAGE, type Kernel } from 'dinit'`.
 * Plugins need nothing from this module at run time (everything comes through the
 * `kernel` argument); it exists for types and for `definePlugin`'s inference.
 */
export { STAGE, type Hooks } from './hooks/hooks';
export { FatalError } from './hooks/guard';
export type { ExitStatus, LineRecord, Orphan, Program, Readiness, ServiceSpec, SpawnRequest, StopReason } from './hooks/types';
export { DEFAULT_CONFIG, type Config, type LogLevel, type ReparentingPolicy } from './kernel/config';
export { DISABLED_STATUS, EXIT, Kernel, type Plugin } from './kernel/kernel';
export type { Logger } from './kernel/log';
export type { OutputData } from './kernel/output';
export type { Stdio } from './kernel/processes';
export { BUILTINS } from './plugins';
export { provideJsonProfile, type JsonProfile } from './plugins/output/json-profile';

import type { Plugin } from './kernel/kernel';

/** Identity, for type inference: `export default definePlugin({ name, apply(kernel, options) {…} })`. */
export function definePlugin<Options = unknown>(plugin: Plugin<Options>): Plugin<Options> {
  return plugin;
}
