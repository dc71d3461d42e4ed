import * as fs from 'node:fs';

/**
 * Which dinit `dinit status` asks when DINIT_STATUS_SOCKET is not set.
 *
 * Every dinit of one PID namespace derives the same base name; PID 1 listens on it and any
 * other dinit on `<base>-<pid>`. In a pod that shares its PID and network namespaces
 * (Kubernetes' shareProcessNamespace, `docker run --pid container:… --network container:…`)
 * several dinits listen side by side, and the one a `docker exec` / `kubectl exec` belongs to
 * is the one whose mount namespace (the container's file system) is the caller's: that is what
 * picks the container. The PID in a name is only a claim (anyone may bind an abstract name):
 * a name whose sockets that PID is seen not to hold is an impostor and never asked (in a
 * Kubernetes pod PID 1 is `pause`, so anyone in the pod could bind the base name). When the
 * mount namespace does not single one out the old rule stands: PID 1's socket, else refused.
 */
/** The socket to ask, or why none is asked (one line for the error message). */
export type StatusTarget = { name: string } | { refused: string };

export interface SocketProbes {
  /** That PID shares our mount namespace. */
  ownMount: (pid: number) => boolean;
  /** That PID holds these socket inodes; undefined when it cannot be told (not root). */
  holds: (pid: number, inodes: readonly number[]) => boolean | undefined;
}

/** `listening`: names from /proc/net/unix that start with `base`, with their socket inodes. */
export function chooseStatusSocket(base: string, listening: ReadonlyMap<string, readonly number[]>, probes: SocketProbes): StatusTarget {
  const candidates = new Map<string, number>();
  const impostors: string[] = [];
  for (const [name, inodes] of listening) {
    const pid = claimedPid(base, name);
    if (pid === undefined) continue;
    if (probes.holds(pid, inodes) === false) impostors.push(name);
    else candidates.set(name, pid);
  }
  if (candidates.size === 0 && impostors.length > 0) {
    return { refused: `${shown(impostors)} ${impostors.length === 1 ? 'is' : 'are'} bound by a process other than the PID the name claims, not by a dinit` };
  }
  if (candidates.size <= 1) return { name: [...candidates.keys()][0] ?? base };
  const mine = [...candidates].filter(([, pid]) => probes.ownMount(pid)).map(([name]) => name);
  if (mine.length === 1) return { name: mine[0] };
  if (candidates.has(base)) return { name: base };
  return { refused: `several dinits listen (${shown([...candidates.keys()].sort())}) and none shares this container's mount namespace: set DINIT_STATUS_SOCKET` };
}

function shown(names: readonly string[]): string {
  return names.map((n) => `@${n}`).join(', ');
}

/** The PID a status socket name claims: 1 for the base name, N for `<base>-N`; undefined for other names. */
function claimedPid(base: string, name: string): number | undefined {
  if (name === base) return 1;
  const pid = name.startsWith(base) ? /^-([1-9]\d*)$/.exec(name.slice(base.length))?.[1] : undefined;
  return pid === undefined ? undefined : Number(pid);
}

/** Whether `pid` shares this process's mount namespace; false when it cannot be told (gone, or not ours to read). */
export function sharesMountNamespace(pid: number): boolean {
  try {
    return fs.readlinkSync(`/proc/${pid}/ns/mnt`) === fs.readlinkSync('/proc/self/ns/mnt');
  } catch {
    return false;
  }
}
