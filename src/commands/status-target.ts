import * as fs from 'node:fs';

/**
 * Which dinit `dinit status` asks when DINIT_STATUS_SOCKET is not set.
 *
 * Every dinit of one PID namespace derives the same base name; PID 1 listens on it and any
 * other dinit on `<base>-<pid>`. In a pod that shares its PID and network namespaces
 * (Kubernetes' shareProcessNamespace, `docker run --pid container:… --network container:…`)
 * several dinits listen side by side, and the one a `docker exec` / `kubectl exec` belongs to
 * is the one whose mount namespace (the container's file system) is the caller's: that is what
 * picks the container. The PID in a name is only a claim (anyone may bind an abstract name),
 * so when the mount namespace does not single one out the old rule stands: PID 1's socket,
 * else the only other one.
 */
export type StatusTarget = { name: string } | { ambiguous: string[] };

/** `listening`: names from /proc/net/unix that start with `base`; `ownMount(pid)`: that PID shares our mount namespace. */
export function chooseStatusSocket(base: string, listening: readonly string[], ownMount: (pid: number) => boolean): StatusTarget {
  const candidates = new Map<string, number>();
  for (const name of listening) {
    if (name === base) candidates.set(name, 1);
    else {
      const pid = /^-([1-9]\d*)$/.exec(name.slice(base.length))?.[1];
      if (name.startsWith(base) && pid !== undefined) candidates.set(name, Number(pid));
    }
  }
  if (candidates.size <= 1) return { name: [...candidates.keys()][0] ?? base };
  const mine = [...candidates].filter(([, pid]) => ownMount(pid)).map(([name]) => name);
  if (mine.length === 1) return { name: mine[0] };
  if (candidates.has(base)) return { name: base };
  return { ambiguous: [...candidates.keys()].sort() };
}

/** Whether `pid` shares this process's mount namespace; false when it cannot be told (gone, or not ours to read). */
export function sharesMountNamespace(pid: number): boolean {
  try {
    return fs.readlinkSync(`/proc/${pid}/ns/mnt`) === fs.readlinkSync('/proc/self/ns/mnt');
  } catch {
    return false;
  }
}
