import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { makeTree, runDinit, type Result } from './harness';

// Go dinit's own lines (v0.4), after the harness's normalisation (`T`, `PID <pid>`, `/<pid>: `):
// at error, warn, info and debug dinit may write these and nothing else, so that the upstream
// e2e comparison (its tests/: defaults, adopt and nojson at DINIT_LOG_LEVEL=debug) holds.
const LABEL = String.raw`[^ /]+/[^ :]+`;
const GO_LINES: RegExp[] = [
  // error
  /^error: invalid (log level|kill timeout|reparenting policy) .*$/,
  /^error: exiting: .+$/,
  new RegExp(`^error: ${LABEL}: error running: .+$`),
  // warning
  /^warning: no services found, exiting$/,
  new RegExp(`^warning: ${LABEL}: error (reading stdout|reading stderr|writing stdout): .+$`),
  new RegExp(`^warning: ${LABEL}: not JSON stdout: .*$`),
  new RegExp(`^warning: ${LABEL}: (adopting|terminating) reparented child process with PID <pid>(: .*)?$`),
  new RegExp(`^warning: ${LABEL}: reaping process with PID <pid>(: .*)?$`),
  new RegExp(`^warning: ${LABEL}: error redirecting stdout and stderr: .+$`),
  // info
  /^info: not running as a PID 1, but PID <pid>, registering as a process subreaper$/,
  /^info: got signal \d+, (already )?terminating services$/,
  /^info: dinit exiting with status \d+$/,
  new RegExp(`^info: ${LABEL}: PID <pid> finished (with status \\d+|with signal \\d+|and disabled itself|before adopting complete)$`),
  new RegExp(`^info: ${LABEL}: (starting|terminating)$`),
  new RegExp(`^info: ${LABEL}: running with PID <pid>$`),
  new RegExp(`^info: ${LABEL}: sending SIG(TERM|KILL) to PID <pid>$`),
  // debug: Go's only debug line is its exit-code stack trace (which we do not write).
  /^debug: setting exit code to \d+ at .*$/,
];

const OWN = /^T dinit: (.*)$/;
// A program's line on stderr: `T <name>/<stage>: <text>`.
const PROGRAM = new RegExp(`^T ${LABEL}: `);

/** Every stderr line is dinit's own (and then one of Go's) or a program's: nothing else, no Node warning. */
function assertOnlyGoLines(r: Result): void {
  for (const line of r.err) {
    const own = OWN.exec(line);
    if (own) assert.ok(GO_LINES.some((re) => re.test(own[1])), `not a line Go dinit writes at its levels: ${line}\n${r.stderr}`);
    else assert.match(line, PROGRAM, `neither dinit's nor a program's line: ${line}\n${r.stderr}`);
  }
}

// Like Go dinit's own e2e tree: JSON and non-JSON output, a terminate file, a plain SIGTERM, a
// log program, a program that disables itself, orphans (one quiet, one that writes), and a
// plain file in the service folder (skipped).
function goLikeTree(): string {
  const dir = makeTree({
    main: {
      run: [
        `echo '{"level":"info","msg":"hello"}'`,
        'echo not json',
        'echo main stderr >&2',
        `sh -c 'sleep 1000 &'`,
        `(bash -c 'sleep 1.5; echo x y z; exec sleep 1000' &)`,
        'sleep 3',
        'exit 0',
      ].join('\n'),
    },
    termed: { run: 'exec sleep 1000', terminate: 'echo "terminate $DINIT_PID" >&2\nkill "$DINIT_PID"' },
    plain: { run: 'exec sleep 1000' },
    logged: { run: `echo '{"a":1}'\necho logged stderr >&2\nexec sleep 1000`, 'log/run': 'while read -r l; do echo "got $l" >&2; done' },
    disabled: { run: 'exit 115', 'log/run': 'exec cat' },
  });
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'not a service\n');
  return dir;
}

const MODES: Array<[string, Record<string, string>]> = [
  ['defaults', {}],
  ['adopt', { DINIT_REPARENTING_POLICY: 'adopt' }],
  ['nojson', { DINIT_JSON_STDOUT: '0' }],
];

for (const [mode, env] of MODES) {
  test(`${mode} at DINIT_LOG_LEVEL=debug: only Go dinit's lines`, { timeout: 60000 }, async () => {
    const r = await runDinit(goLikeTree(), { env: { ...env, DINIT_LOG_LEVEL: 'debug' }, timeoutMs: 30000 });
    assert.equal(r.code, 0, r.stderr);
    assertOnlyGoLines(r);
    // The run did go through the events the lines are about.
    for (const expected of [
      'T dinit: info: main/run: PID <pid> finished with status 0',
      'T dinit: info: termed/term: running with PID <pid>',
      'T dinit: info: plain/run: sending SIGTERM to PID <pid>',
      'T dinit: info: disabled/run: PID <pid> finished and disabled itself',
      'T dinit: info: dinit exiting with status 0',
    ]) {
      assert.ok(r.err.includes(expected), `missing ${expected}\n${r.stderr}`);
    }
    const policy = mode === 'adopt' ? 'adopting' : 'terminating';
    assert.ok(r.err.some((l) => l.includes(`: ${policy} reparented child process with PID <pid>: sleep 1000`)), r.stderr);
    if (mode === 'adopt') assert.ok(r.err.includes('T dinit: warning: bash/<pid>: not JSON stdout: x y z'), r.stderr);
  });
}

test('SIGTERM at debug: the signal line is Go\'s too', { timeout: 60000 }, async () => {
  const r = await runDinit(goLikeTree(), {
    env: { DINIT_LOG_LEVEL: 'debug' },
    timeoutMs: 30000,
    during: async (d) => {
      await d.waitFor(/terminating reparented child process with PID \d+: sleep 1000/);
      d.signal('SIGTERM');
    },
  });
  assert.equal(r.code, 0, r.stderr);
  assertOnlyGoLines(r);
  assert.ok(r.err.includes('T dinit: info: got signal 15, terminating services'), r.stderr);
});

test('DINIT_LOG_LEVEL=trace adds our own diagnostics as trace lines', { timeout: 60000 }, async () => {
  const r = await runDinit(goLikeTree(), { env: { DINIT_LOG_LEVEL: 'trace', DINIT_REPARENTING_POLICY: 'adopt' }, timeoutMs: 30000 });
  assert.equal(r.code, 0, r.stderr);
  const trace = r.err.filter((l) => l.startsWith('T dinit: trace: '));
  for (const expected of [
    /^T dinit: trace: native calls: waitpid via /,
    /^T dinit: trace: status: listening on @dinit-status-/,
    /^T dinit: trace: bash\/<pid>: redirected stdout and stderr of PID <pid>(, \d+)*$/,
    /^T dinit: trace: skipping \S*\/notes\.txt: not a directory$/,
  ]) {
    assert.ok(trace.some((l) => expected.test(l)), `missing ${expected}\n${r.stderr}`);
  }
  // Without the trace lines, the rest is Go's, as at debug.
  assertOnlyGoLines({ ...r, err: r.err.filter((l) => !l.startsWith('T dinit: trace: ')) });
});
