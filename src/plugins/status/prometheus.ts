import type { StatusReport } from './status-report';

/**
 * The Prometheus text exposition format (version 0.0.4) of a status report: what
 * `dinit status --prometheus` prints and GET /metrics serves. Names follow Prometheus'
 * conventions: `dinit_` prefix, `_total` counters, `_seconds` units, labels service/stage/stream.
 */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

interface Family {
  name: string;
  type: 'gauge' | 'counter';
  help: string;
  samples: Array<[labels: Record<string, string>, value: number]>;
}

export function exposition(report: StatusReport): string {
  const programs = report.programs;
  const labels = (p: { service: string; stage: string }): Record<string, string> => ({ service: p.service, stage: p.stage });
  const families: Family[] = [
    {
      name: 'dinit_program_up',
      type: 'gauge',
      help: 'Whether the program is running (1) or not (0).',
      samples: programs.map((p) => [labels(p), p.state === 'running' ? 1 : 0]),
    },
    {
      name: 'dinit_program_ready',
      type: 'gauge',
      help: 'Whether the program is ready (1): running, and its readiness check passed when it has one.',
      samples: programs.map((p) => [labels(p), p.ready ? 1 : 0]),
    },
    {
      name: 'dinit_program_restarts_total',
      type: 'counter',
      help: 'Starts of the program after its first.',
      samples: programs.map((p) => [labels(p), p.restarts]),
    },
    {
      name: 'dinit_program_start_time_seconds',
      type: 'gauge',
      help: 'When the program last started, in seconds since the Unix epoch.',
      samples: programs.filter((p) => p.startedAt !== null).map((p) => [labels(p), Date.parse(p.startedAt!) / 1000]),
    },
    {
      name: 'dinit_program_last_exit_status',
      type: 'gauge',
      help: 'Exit status of the program\'s last run that ended (128 + the signal number when killed by a signal).',
      samples: programs.filter((p) => p.lastExit).map((p) => [labels(p), p.lastExit!.code ?? 128 + (p.lastExit!.signal ?? 0)]),
    },
    {
      name: 'dinit_lines_total',
      type: 'counter',
      help: 'Lines read from programs, per service, stage and stream.',
      samples: report.lines.map((l) => [{ service: l.service, stage: l.stage, stream: l.stream }, l.lines]),
    },
    {
      name: 'dinit_reparented_reaped_total',
      type: 'counter',
      help: 'Processes reparented to dinit that it reaped.',
      samples: [[{}, report.reparented.reaped]],
    },
    {
      name: 'dinit_reparented_terminated_total',
      type: 'counter',
      help: 'Processes reparented to dinit that it terminated.',
      samples: [[{}, report.reparented.terminated]],
    },
    {
      name: 'dinit_reparented_adopted_total',
      type: 'counter',
      help: 'Processes reparented to dinit that it adopted.',
      samples: [[{}, report.reparented.adopted]],
    },
    {
      name: 'dinit_healthy',
      type: 'gauge',
      help: 'Whether every service\'s run is running and ready (1), as "dinit status" exits 0.',
      samples: [[{}, report.healthy ? 1 : 0]],
    },
    {
      name: 'dinit_uptime_seconds',
      type: 'gauge',
      help: 'Seconds since dinit started.',
      samples: [[{}, report.uptimeMs / 1000]],
    },
  ];
  let text = '';
  for (const family of families) {
    text += `# HELP ${family.name} ${family.help}\n# TYPE ${family.name} ${family.type}\n`;
    for (const [set, value] of family.samples) text += `${family.name}${labelText(set)} ${value}\n`;
  }
  return text;
}

function labelText(set: Record<string, string>): string {
  const pairs = Object.entries(set).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
}

/** Label values per the exposition format: backslash, double quote and line feed escaped. */
export function escapeLabel(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}
