/**
 * A value per (service, stage), made on first use. Two map lookups instead of a
 * `service\0stage` key: the `line` hook is the hot path, and building (and hashing) a
 * key string per line costs an allocation each time.
 */
export function perStream<T>(make: (service: string, stage: string) => T): (service: string, stage: string) => T {
  const byService = new Map<string, Map<string, T>>();
  // Lines come in runs from one stream: remember the last pair (same string objects, so
  // the comparison is by identity and cheap) before any map lookup.
  let lastService: string | undefined;
  let lastStage: string | undefined;
  let last: T | undefined;
  return (service, stage) => {
    if (service === lastService && stage === lastStage) return last as T;
    let byStage = byService.get(service);
    if (byStage === undefined) byService.set(service, (byStage = new Map()));
    let value = byStage.get(stage);
    if (value === undefined) byStage.set(stage, (value = make(service, stage)));
    lastService = service;
    lastStage = stage;
    last = value;
    return value;
  };
}
