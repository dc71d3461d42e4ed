/**
 * A value per (service, stage), made on first use. Two map lookups instead of a
 * `service\0stage` key: the `line` hook is the hot path, and building (and hashing) a
 * key string per line costs an allocation each time.
 */
export function perStream<T>(make: (service: string, stage: string) => T): (service: string, stage: string) => T {
  const byService = new Map<string, Map<string, T>>();
  return (service, stage) => {
    let byStage = byService.get(service);
    if (byStage === undefined) byService.set(service, (byStage = new Map()));
    let value = byStage.get(stage);
    if (value === undefined) byStage.set(stage, (value = make(service, stage)));
    return value;
  };
}
