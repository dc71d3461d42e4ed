import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { test } from 'node:test';
import type { Program } from '../../../../src/hooks/types';
import { DEFAULT_CONFIG } from '../../../../src/kernel/config';
import { Kernel } from '../../../../src/kernel/kernel';
import { escapeLabel, exposition } from '../../../../src/plugins/status/prometheus';
import { formatReport } from '../../../../src/commands/status';
import { createMemory, remember, report } from '../../../../src/plugins/status/status-report';

const sys = { waitpid: () => ({ pid: 0, code: null, signal: null }), peekExited: () => false, pipe: () => [0, 0], setChildSubreaper: () => {} };

function kernelWith(services: string[]): Kernel {
  const kernel = new Kernel({ config: DEFAULT_CONFIG, sys: sys as never });
  kernel.services = services.map((name) => ({ name, dir: `/s/${name}`, run: [`/s/${name}/run`] }));
  return kernel;
}

const program = (service: string, pid: number, extra: Partial<Program> = {}): Program => ({
  service,
  stage: 'run',
  pid,
  origin: 'spawned',
  startedAt: Date.now(),
  state: 'running',
  ...extra,
});

test('every start of a run after the first is a restart; probes are not programs of the report', () => {
  const kernel = kernelWith(['a', 'b']);
  const memory = createMemory();
  const first = program('a', 10, { state: 'exited', exit: { code: 1, signal: null } });
  remember(memory, first);
  const second = program('a', 11);
  kernel.programs.add(second);
  remember(memory, second);
  const b = program('b', 12);
  kernel.programs.add(b);
  remember(memory, b);
  const check = program('b', 13, { stage: 'check', probe: true });
  kernel.programs.add(check);
  remember(memory, check);
  kernel.readiness.set('b', false, 'check exited with status 1', 'nope\n');
  const r = report(kernel, memory);
  assert.deepEqual(
    r.programs.map((p) => [p.service, p.stage, p.pid, p.state, p.ready, p.restarts]),
    [
      ['a', 'run', 11, 'running', true, 1],
      ['b', 'run', 12, 'running', false, 0],
    ],
  );
  assert.deepEqual(r.programs[0].lastExit, { code: 1, signal: null });
  assert.equal(r.programs[1].lastExit, null);
  // The table: READY (a service has a check) and RESTARTS with LAST EXIT (something restarted).
  assert.deepEqual(
    formatReport(r)
      .split('\n')
      .map((l) => l.split(/ {2,}/).slice(0, 7)),
    [
      ['SERVICE', 'STAGE', 'PID', 'STATE', 'READY', 'RESTARTS', 'LAST EXIT'],
      ['a', 'run', '11', 'running', 'yes', '1', 'exited 1'],
      ['b', 'run', '12', 'running', 'no', '0', '-'],
      ['not ok: not ready: b/run (check exited with status 1)'],
      ['b/check output:'],
      ['', 'nope'],
      [''],
    ],
  );
  assert.deepEqual(r.programs[1].check && { detail: r.programs[1].check.detail, output: r.programs[1].check.output }, { detail: 'check exited with status 1', output: 'nope\n' });
  assert.equal(r.healthy, false);
  kernel.readiness.set('b', true, 'check passed', '');
  assert.equal(report(kernel, memory).healthy, true);
});

test('the exposition: HELP and TYPE per family, escaped labels, 128 + signal for a kill; promtool accepts it', () => {
  assert.equal(escapeLabel('a\\b"c\nd'), 'a\\\\b\\"c\\nd');
  const kernel = kernelWith(['a', 'x"y']);
  const memory = createMemory();
  remember(memory, program('a', 10, { state: 'exited', exit: { code: null, signal: 9 } }));
  const xy = program('x"y', 11);
  kernel.programs.add(xy);
  remember(memory, xy);
  const text = exposition(report(kernel, memory));
  assert.match(text, /^dinit_program_last_exit_status\{service="a",stage="run"\} 137$/m);
  assert.match(text, /^dinit_program_up\{service="x\\"y",stage="run"\} 1$/m);
  assert.match(text, /^dinit_program_up\{service="a",stage="run"\} 0$/m);
  const families = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1], m[2]]);
  assert.ok(families.length >= 10);
  for (const [name, type] of families) {
    assert.match(name!, /^dinit_[a-z_]+$/);
    if (type === 'counter') assert.match(name!, /_total$/);
    assert.ok(text.includes(`# HELP ${name} `), name);
  }
  if (fs.existsSync('/usr/bin/promtool')) {
    const r = spawnSync('/usr/bin/promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  }
});
