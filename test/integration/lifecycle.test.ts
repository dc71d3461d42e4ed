import assert from 'node:assert/strict';
import { test } from 'node:test';
import { grep, makeTree, runDinit } from './harness';

const idle = 'exec sleep 1000';

test('when one program exits 0 the others get SIGTERM and dinit exits 0', async () => {
  const dir = makeTree({ a: { run: 'sleep 0.3' }, b: { run: idle } });
  const r = await runDinit(dir);
  assert.equal(r.code, 0);
  assert.deepEqual(r.err.slice(-5), [
    'T dinit: info: a/run: PID <pid> finished with status 0',
    'T dinit: info: b/run: terminating',
    'T dinit: info: b/run: sending SIGTERM to PID <pid>',
    'T dinit: info: b/run: PID <pid> finished with signal 15',
    'T dinit: info: dinit exiting with status 0',
  ]);
});

test('a program exiting non-zero makes the exit status 3', async () => {
  const dir = makeTree({ a: { run: 'exit 2' }, b: { run: idle } });
  const r = await runDinit(dir);
  assert.equal(r.code, 3);
  assert.ok(r.err.includes('T dinit: info: a/run: PID <pid> finished with status 2'));
  assert.equal(r.err.at(-1), 'T dinit: info: dinit exiting with status 3');
});

test('a program killed by a signal dinit did not send makes the exit status 3', async () => {
  const dir = makeTree({ a: { run: 'kill -9 $$' } });
  const r = await runDinit(dir);
  assert.equal(r.code, 3);
  assert.ok(r.err.includes('T dinit: info: a/run: PID <pid> finished with signal 9'));
});

test('exit status 115 means disabled: nothing else happens until SIGTERM', async () => {
  const dir = makeTree({ off: { run: 'exit 115' }, on: { run: idle } });
  const r = await runDinit(dir, {
    during: async (d) => {
      await d.waitFor(/off\/run: PID \d+ finished and disabled itself/);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(grep(d.stderr().split('\n'), 'on/run: terminating').length, 0);
      d.signal('SIGTERM');
    },
  });
  assert.equal(r.code, 0);
  assert.ok(r.err.includes('T dinit: info: got signal 15, terminating services'));
  assert.ok(r.err.includes('T dinit: info: on/run: PID <pid> finished with signal 15'));
});

test('when every program disabled itself dinit exits 0', async () => {
  const r = await runDinit(makeTree({ off: { run: 'exit 115' } }));
  assert.equal(r.code, 0);
});

test('SIGTERM: everything stops, status 0 even when programs complain; a second signal is noted', async () => {
  const dir = makeTree({
    grumpy: { run: `trap 'sleep 0.3; exit 7' TERM; while :; do sleep 0.05; done` },
    calm: { run: idle },
  });
  const r = await runDinit(dir, {
    during: async (d) => {
      await d.waitFor(/grumpy\/run: running with PID/);
      await d.waitFor(/calm\/run: running with PID/);
      d.signal('SIGTERM');
      await d.waitFor(/got signal 15, terminating services/);
      d.signal('SIGINT');
    },
  });
  assert.equal(r.code, 0);
  assert.ok(r.err.includes('T dinit: info: got signal 2, already terminating services'));
  assert.ok(r.err.includes('T dinit: info: grumpy/run: PID <pid> finished with status 7'));
  assert.equal(r.err.at(-1), 'T dinit: info: dinit exiting with status 0');
});

test('SIGINT stops everything like SIGTERM', async () => {
  const r = await runDinit(makeTree({ a: { run: idle } }), {
    during: async (d) => {
      await d.waitFor(/a\/run: running with PID/);
      d.signal('SIGINT');
    },
  });
  assert.equal(r.code, 0);
  assert.ok(r.err.includes('T dinit: info: got signal 2, terminating services'));
});

test('log/run reads run stdout from a pipe; its stdout is stage run, its stderr stage log', async () => {
  const dir = makeTree({
    svc: {
      run: `echo one; echo two; echo problem >&2; sleep 0.2`,
      'log/run': `while read -r l; do echo "{\\"got\\":\\"$l\\",\\"cwd\\":\\"$(basename "$PWD")\\"}"; echo "log saw $l" >&2; done`,
    },
  });
  const r = await runDinit(dir);
  assert.equal(r.code, 0);
  assert.deepEqual(r.out, [
    '{"got":"one","cwd":"log","service":"svc","stage":"run","logged":"T"}',
    '{"got":"two","cwd":"log","service":"svc","stage":"run","logged":"T"}',
  ]);
  // log/run's stderr keeps its own order; run's stderr is a separate pipe.
  assert.deepEqual(grep(r.err, /^T svc\/log: /), ['T svc/log: log saw one', 'T svc/log: log saw two']);
  assert.ok(r.err.includes('T svc/log: log saw one'));
  assert.ok(r.err.includes('T svc/run: problem'));
  assert.ok(r.err.includes('T dinit: info: svc/log: starting'));
  assert.ok(r.err.includes('T dinit: info: svc/log: running with PID <pid>'));
  // log/run is not signalled: it ends on EOF after run exits.
  assert.equal(grep(r.err, 'svc/log: sending').length, 0);
  assert.ok(r.err.includes('T dinit: info: svc/log: PID <pid> finished with status 0'));
});

test('log/run exiting while run still runs stops the container', async () => {
  const dir = makeTree({ svc: { run: idle, 'log/run': 'exit 0' } });
  const r = await runDinit(dir);
  assert.equal(r.code, 0);
  assert.ok(r.err.includes('T dinit: info: svc/run: terminating'));
});

test('a terminate file stops the program, with DINIT_PID and stage term', async () => {
  const dir = makeTree({
    a: { run: 'sleep 0.3' },
    b: {
      run: `trap 'echo "got TERM" >&2; exit 0' TERM; while :; do sleep 0.05; done`,
      terminate: `echo "terminating $DINIT_PID from $(basename "$PWD")" >&2; kill -TERM "$DINIT_PID"`,
      finish: 'echo finish must not run >&2',
    },
  });
  const r = await runDinit(dir);
  assert.equal(r.code, 0);
  const runPid = /b\/run: running with PID (\d+)/.exec(r.stderr)![1];
  assert.ok(r.stderr.includes(`b/term: terminating ${runPid} from b\n`));
  assert.ok(r.err.includes('T dinit: info: b/term: running with PID <pid>'));
  assert.ok(r.err.includes('T b/run: got TERM'));
  assert.ok(r.err.includes('T dinit: info: b/term: PID <pid> finished with status 0'));
  assert.equal(grep(r.err, 'finish must not run').length, 0);
  assert.equal(grep(r.err, 'b/run: sending SIGTERM').length, 0);
});

test('a finish file is used when there is no terminate file', async () => {
  const dir = makeTree({
    a: { run: 'sleep 0.3' },
    b: { run: idle, finish: `echo "finishing $DINIT_PID" >&2; kill "$DINIT_PID"` },
  });
  const r = await runDinit(dir);
  assert.equal(r.code, 0);
  assert.equal(grep(r.err, /b\/term: finishing \d+/).length, 1);
});

test('invalid configuration values: exact message, status 1, nothing started', async () => {
  const dir = makeTree({ a: { run: 'echo started >&2' } });
  const cases: Array<[Record<string, string>, string]> = [
    [{ DINIT_LOG_LEVEL: 'loud' }, 'dinit: error: invalid log level loud'],
    [{ DINIT_KILL_TIMEOUT: '1.5' }, 'dinit: error: invalid kill timeout 1.5'],
    [{ DINIT_KILL_TIMEOUT: '0x' }, 'dinit: error: invalid kill timeout 0x'],
    [{ DINIT_REPARENTING_POLICY: 'keep' }, 'dinit: error: invalid reparenting policy keep'],
  ];
  for (const [env, message] of cases) {
    const r = await runDinit(dir, { env });
    assert.equal(r.code, 1, JSON.stringify(env));
    assert.deepEqual(r.err, [`T ${message}`]);
    assert.equal(r.stdout, '');
  }
  for (const ok of ['0x1f', '0o17', '017', '1_000', '+5', '-1', '0b101']) {
    const r = await runDinit(makeTree({ a: { run: 'true' } }), { env: { DINIT_KILL_TIMEOUT: ok } });
    assert.equal(r.code, 0, ok);
  }
});

test('a missing service directory: error naming it, status 1', async () => {
  const r = await runDinit('/nonexistent/services');
  assert.equal(r.code, 1);
  assert.ok(
    r.err.includes('T dinit: error: exiting: cannot read service directory /nonexistent/services: no such file or directory (ENOENT)'),
    r.stderr,
  );
});

test('no services: warning and status 0; dot entries and files are skipped', async () => {
  const dir = makeTree({ '.hidden': { run: 'echo hidden >&2' } });
  require('node:fs').writeFileSync(`${dir}/plain-file`, 'x');
  const r = await runDinit(dir);
  assert.equal(r.code, 0);
  assert.ok(r.err.includes('T dinit: warning: no services found, exiting'));
  assert.equal(grep(r.err, 'hidden').length, 0);
});

test('a run that cannot be executed: status 1 with a message naming the path', async () => {
  const dir = makeTree({ a: { run: idle } });
  const fs = require('node:fs');
  fs.mkdirSync(`${dir}/broken`);
  fs.writeFileSync(`${dir}/broken/run`, '#!/bin/sh\necho hi\n', { mode: 0o644 });
  const r = await runDinit(dir);
  assert.equal(r.code, 1);
  // Checked before anything starts: nothing runs, nothing needs stopping.
  assert.deepEqual(r.err, [`T dinit: error: exiting: ${dir}/broken/run: not executable (mode 0644; chmod +x it)`, 'T dinit: info: dinit exiting with status 1']);
});

test('not PID 1: registers as a subreaper and says so', async () => {
  const r = await runDinit(makeTree({ a: { run: 'true' } }), { pid1: false });
  assert.equal(r.code, 0);
  assert.match(r.err[0], /^T dinit: info: not running as a PID <pid>, but PID <pid>, registering as a process subreaper$/);
});

test('a stalled stdout consumer does not delay SIGTERM reaching programs', async () => {
  const dir = makeTree({
    flood: {
      // The writer is a child (blocked in write once the pipe is full); the shell waits
      // interruptibly, so its trap shows when SIGTERM arrives.
      run: `yes '{"filler":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}' &
trap 'date +%s%N > "$PWD/../term-at"; kill $!; exit 0' TERM
wait`,
    },
  });
  let sentAt = 0n;
  const r = await runDinit(dir, {
    stallStdout: true,
    env: { DINIT_LOG_LEVEL: 'info' },
    during: async (d) => {
      await d.waitFor(/flood\/run: running with PID/);
      // Let the pipes and dinit's buffers fill up while nobody reads dinit's stdout.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      sentAt = process.hrtime.bigint();
      const wallSent = BigInt(Date.now()) * 1000000n;
      d.signal('SIGTERM');
      await d.waitFor(/flood\/run: sending SIGTERM/, 5000);
      const fs = require('node:fs');
      for (let i = 0; i < 100 && !fs.existsSync(`${dir}/term-at`); i++) await new Promise((r) => setTimeout(r, 10));
      const termAt = BigInt(fs.readFileSync(`${dir}/term-at`, 'utf8').trim());
      const latencyMs = Number(termAt - wallSent) / 1e6;
      assert.ok(latencyMs < 200, `SIGTERM reached the program after ${latencyMs} ms`);
    },
  });
  assert.ok(sentAt > 0n);
  assert.equal(r.code, 0);
});
