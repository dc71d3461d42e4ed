import { koffiCalls } from './koffi-backend';
import { posixCalls } from './posix-backend';
import type { SysBackend, SysCalls } from './types';

export type { SysCalls, SysBackend } from './types';
export { decodeWaitStatus, type WaitResult } from './wait-status';

const NAMES: Array<keyof SysCalls> = ['waitpid', 'peekExited', 'pipe', 'setChildSubreaper'];
/** Calls only some runs need (not PID 1; reparented processes): bound on first use, so koffi loads only then. */
const LAZY = new Set<keyof SysCalls>(['setChildSubreaper', 'peekExited']);

/**
 * Resolves every call once: posix-node where its binary loaded and has the function,
 * koffi otherwise (or for all calls with DINIT_SYS_BACKEND=koffi). koffi is loaded
 * only when some call needs it, and `setChildSubreaper` is bound lazily because only
 * a non-PID-1 dinit needs it. Throws naming the call when neither backend has it.
 */
export function resolveSys(forced: string | undefined): { calls: SysCalls; backends: Record<keyof SysCalls, SysBackend> } {
  if (forced !== undefined && forced !== '' && forced !== 'koffi' && forced !== 'posix-node') {
    throw new Error(`invalid sys backend ${forced}: must be koffi or posix-node`);
  }
  const posix = forced === 'koffi' ? {} : posixCalls();
  let koffi: SysCalls | undefined;
  let koffiError: Error | undefined;
  const fromKoffi = (): SysCalls | undefined => {
    if (koffi || koffiError) return koffi;
    try {
      koffi = koffiCalls();
    } catch (error) {
      koffiError = error as Error;
    }
    return koffi;
  };
  const calls = {} as SysCalls;
  const backends = {} as Record<keyof SysCalls, SysBackend>;
  for (const name of NAMES) {
    const own = posix[name];
    if (own) {
      (calls as unknown as Record<string, unknown>)[name] = own;
      backends[name] = 'posix-node';
      continue;
    }
    if (forced === 'posix-node') throw new Error(`native call ${name} is not available from posix-node`);
    if (LAZY.has(name)) {
      (calls as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
        const k = fromKoffi();
        if (!k) throw new Error(`native call ${name} is not available: ${koffiError?.message}`);
        return (k[name] as (...a: unknown[]) => unknown)(...args);
      };
      backends[name] = 'koffi';
      continue;
    }
    const k = fromKoffi();
    if (!k) throw new Error(`native call ${name} is not available: posix-node lacks it and ${koffiError?.message}`);
    (calls as unknown as Record<string, unknown>)[name] = k[name];
    backends[name] = 'koffi';
  }
  return { calls, backends };
}
