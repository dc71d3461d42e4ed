import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildScenarioImage, docker, dockerOk, inspect, logs, removeAll, runDetached, untimed, until, waitExit, waitForLog, type Trees } from './docker';

// What users rely on under a real Docker: logs, stop, exit codes, forwarded signals,
// HEALTHCHECK, --read-only, --user, deadlines, reaping, --init, a shared PID namespace.
// Each scenario is a service tree in one test image, chosen with DINIT_DIR.

const IMAGE = 'dinit-test/scenarios';
const HEALTH_IMAGE = 'dinit-test/scenarios-health';
const idle = 'trap "exit 0" TERM; while :; do sleep 0.1; done';

const trees: Trees = {
  idle: {
    app: { run: `echo '{"msg":"up","uid":'"$(id -u)"'}'; echo "to stderr" >&2; ${idle}` },
  },
  fail: {
    bad: { run: 'echo "bad: failing" >&2; sleep 0.5; exit 2' },
    calm: { run: idle },
  },
  hup: {
    app: { run: `trap 'echo "got HUP" >&2' HUP; trap 'exit 0' TERM; echo ready >&2; while :; do sleep 0.1; done` },
  },
  health: {
    web: { run: 'while [ ! -e /tmp/disable ]; do sleep 0.1; done; echo "web: disabling itself" >&2; exit 115' },
    other: { run: idle },
  },
  stubborn: {
    stubborn: { run: `trap '' TERM; echo ready >&2; while :; do sleep 0.1; done` },
  },
  orphans: {
    // 40 short-lived orphans and one that would live on: all must be reaped (and the long one terminated).
    forker: {
      run: `i=0; while [ $i -lt 40 ]; do (sleep 0.01 &); i=$((i + 1)); sleep 0.02; done; (sleep 1000 &); echo "forked" >&2; ${idle}`,
    },
  },
};

before(() => {
  buildScenarioImage(IMAGE, trees);
  buildScenarioImage(HEALTH_IMAGE, trees, 'HEALTHCHECK --interval=1s --timeout=10s --retries=1 CMD ["dinit", "status"]\n');
});
after(removeAll);

const tree = (name: string, ...env: string[]): string[] => ['-e', `DINIT_DIR=/trees/${name}`, '-e', 'DINIT_LOG_LEVEL=info', ...env.flatMap((e) => ['-e', e])];

/** `docker stop`, returning how long it took; asserts the stop command itself worked. */
function stop(name: string, seconds = 10): number {
  const started = Date.now();
  const r = docker(['stop', '-t', String(seconds), name], { timeout: (seconds + 30) * 1000 });
  assert.equal(r.code, 0, r.stderr);
  return Date.now() - started;
}

/** The zombies in a container's PID namespace (state Z in /proc/<pid>/stat). */
function zombies(name: string): string[] {
  const r = docker(['exec', name, 'sh', '-c', 'cat /proc/[0-9]*/stat 2>/dev/null']);
  return r.stdout.split('\n').filter((l) => /^\d+ \(.*\) Z /.test(l));
}

test('docker logs: JSON stdout with the fields added, text stderr; docker stop exits 0 quickly', { timeout: 60000 }, async () => {
  const name = runDetached(IMAGE, tree('idle'));
  await waitForLog(name, /"msg":"up"/);
  const took = stop(name);
  assert.equal(waitExit(name), 0);
  assert.ok(took < 3000, `docker stop took ${took} ms`);
  const { stdout, stderr } = logs(name);
  const line = JSON.parse(stdout.trim().split('\n')[0]) as Record<string, unknown>;
  assert.deepEqual(Object.keys(line), ['msg', 'uid', 'service', 'stage', 'logged']);
  assert.deepEqual([line.service, line.stage, line.uid], ['app', 'run', 0]);
  const err = untimed(stderr);
  assert.ok(err.includes('app/run: to stderr'), stderr);
  assert.ok(err.includes('dinit: info: got signal 15, terminating services'), stderr);
  assert.equal(err.at(-1), 'dinit: info: dinit exiting with status 0');
});

test('a failing program makes the container exit 3, after the others were stopped', { timeout: 60000 }, async () => {
  const name = runDetached(IMAGE, tree('fail'));
  assert.equal(waitExit(name), 3);
  const err = untimed(logs(name).stderr);
  assert.ok(err.some((l) => /^dinit: info: bad\/run: PID \d+ finished with status 2$/.test(l)), err.join('\n'));
  assert.ok(err.some((l) => /^dinit: info: calm\/run: PID \d+ finished with status 0$/.test(l)), err.join('\n'));
  assert.equal(err.at(-1), 'dinit: info: dinit exiting with status 3');
});

test('docker kill -s HUP reaches the program with DINIT_FORWARD_SIGNALS=HUP, and dinit runs on', { timeout: 60000 }, async () => {
  const name = runDetached(IMAGE, tree('hup', 'DINIT_FORWARD_SIGNALS=HUP'));
  await waitForLog(name, /app\/run: ready/);
  dockerOk(['kill', '-s', 'HUP', name]);
  await waitForLog(name, /app\/run: got HUP/);
  assert.ok(untimed(logs(name).stderr).some((l) => /^dinit: info: app\/run: sending SIGHUP to PID \d+$/.test(l)), logs(name).stderr);
  assert.equal(inspect(name, '{{.State.Running}}'), 'true');
  stop(name);
  assert.equal(waitExit(name), 0);
});

test('HEALTHCHECK with dinit status: healthy while every program runs, unhealthy once one is down', { timeout: 90000 }, async () => {
  const name = runDetached(HEALTH_IMAGE, tree('health'));
  await until('healthy', () => inspect(name, '{{.State.Health.Status}}') === 'healthy', 40000);
  dockerOk(['exec', name, 'touch', '/tmp/disable']);
  await until('unhealthy', () => inspect(name, '{{.State.Health.Status}}') === 'unhealthy', 40000);
  const log = inspect(name, '{{range .State.Health.Log}}{{.ExitCode}} {{.Output}}{{end}}');
  assert.match(log, /not ok: not running: web\/run \(disabled\)/);
  assert.equal(inspect(name, '{{.State.Running}}'), 'true', 'a program that disabled itself does not stop the container');
  stop(name);
  assert.equal(waitExit(name), 0);
});

test('--read-only: dinit runs, answers dinit status and stops with 0 (it needs no writable path)', { timeout: 60000 }, async () => {
  const name = runDetached(IMAGE, ['--read-only', ...tree('idle')]);
  await waitForLog(name, /"msg":"up"/);
  const status = docker(['exec', name, 'dinit', 'status']);
  assert.equal(status.code, 0, status.stdout + status.stderr);
  assert.match(status.stdout, /ok: 1 service running/);
  stop(name);
  assert.equal(waitExit(name), 0);
});

test('--user 1000: dinit and its programs run as that user; status and stop work', { timeout: 60000 }, async () => {
  const name = runDetached(IMAGE, ['--user', '1000:1000', ...tree('idle')]);
  await waitForLog(name, /"msg":"up"/);
  assert.match(logs(name).stdout, /"uid":1000/);
  const status = docker(['exec', name, 'dinit', 'status']);
  assert.equal(status.code, 0, status.stdout + status.stderr);
  stop(name);
  assert.equal(waitExit(name), 0);
});

test('a program ignoring SIGTERM, without DINIT_STOP_TIMEOUT: Docker kills PID 1 after its timeout (137)', { timeout: 60000 }, async () => {
  const name = runDetached(IMAGE, tree('stubborn'));
  await waitForLog(name, /stubborn\/run: ready/);
  const took = stop(name, 2);
  assert.equal(waitExit(name), 137);
  assert.ok(took >= 2000, `docker stop took ${took} ms`);
  const err = untimed(logs(name).stderr);
  assert.ok(err.includes('dinit: info: got signal 15, terminating services'));
  assert.equal(err.filter((l) => l.startsWith('dinit: info: dinit exiting')).length, 0, 'cut off by SIGKILL');
});

test('a program ignoring SIGTERM, with DINIT_STOP_TIMEOUT=1: dinit kills it itself and exits 0 with its logs', { timeout: 60000 }, async () => {
  const name = runDetached(IMAGE, tree('stubborn', 'DINIT_STOP_TIMEOUT=1'));
  await waitForLog(name, /stubborn\/run: ready/);
  const took = stop(name, 10);
  assert.equal(waitExit(name), 0);
  assert.ok(took < 6000, `docker stop took ${took} ms (dinit's deadline is 1 s, Docker's 10 s)`);
  const err = untimed(logs(name).stderr);
  assert.ok(err.includes('dinit: warning: stubborn/run: still running 1 s after the stop began (DINIT_STOP_TIMEOUT)'), err.join('\n'));
  assert.ok(err.some((l) => /^dinit: info: stubborn\/run: PID \d+ finished with signal 9$/.test(l)), err.join('\n'));
  assert.equal(err.at(-1), 'dinit: info: dinit exiting with status 0');
});

test('an orphan workload leaves no zombie; a long-lived orphan is terminated', { timeout: 60000 }, async () => {
  const name = runDetached(IMAGE, tree('orphans', 'DINIT_KILL_TIMEOUT=2'));
  await waitForLog(name, /forker\/run: forked/);
  await waitForLog(name, /terminating reparented child process with PID \d+: sleep 1000/);
  await until('no zombie', () => zombies(name).length === 0, 10000).catch((error: Error) => {
    throw new Error(`${error.message}: ${zombies(name).join('; ')}`);
  });
  stop(name);
  assert.equal(waitExit(name), 0);
});

test('--init: dinit is not PID 1; it registers as a subreaper, reaps orphans and stops with 0', { timeout: 60000 }, async () => {
  const name = runDetached(IMAGE, ['--init', ...tree('orphans', 'DINIT_KILL_TIMEOUT=2')]);
  await waitForLog(name, /not running as a PID 1, but PID \d+, registering as a process subreaper/);
  await waitForLog(name, /terminating reparented child process with PID \d+: sleep 1000/);
  await until('no zombie', () => zombies(name).length === 0, 10000);
  const took = stop(name);
  assert.equal(waitExit(name), 0);
  assert.ok(took < 3000, `docker stop took ${took} ms`);
});

test('a shared PID namespace (--pid=container:<other>): dinit reaps its own orphans and leaves the other alone', { timeout: 90000 }, async () => {
  const first = runDetached(IMAGE, tree('idle'));
  await waitForLog(first, /"msg":"up"/);
  const second = runDetached(IMAGE, ['--pid', `container:${first}`, ...tree('orphans', 'DINIT_KILL_TIMEOUT=2')]);
  await waitForLog(second, /registering as a process subreaper/);
  await waitForLog(second, /terminating reparented child process with PID \d+: sleep 1000/);
  await until('no zombie', () => zombies(second).length === 0, 10000);
  stop(second);
  assert.equal(waitExit(second), 0);
  // The first container's programs were never touched.
  assert.equal(inspect(first, '{{.State.Running}}'), 'true');
  assert.equal(untimed(logs(first).stderr).filter((l) => l.includes('terminating')).length, 0);
  stop(first);
  assert.equal(waitExit(first), 0);
});

/** A pod as Kubernetes makes it with shareProcessNamespace: one PID and one network namespace. */
function pod(env: string[] = []): { first: string; second: string } {
  const first = runDetached(IMAGE, tree('idle', ...env.map((e) => e.replace('@', 'first'))));
  const second = runDetached(IMAGE, ['--pid', `container:${first}`, '--network', `container:${first}`, ...tree('health', ...env.map((e) => e.replace('@', 'second')))]);
  return { first, second };
}

/** `dinit status` in `name` until it answers (the second dinit may still be starting). */
function statusIn(name: string, env: string[] = []): Promise<string> {
  return until(`dinit status to answer in ${name}`, () => {
    const r = docker(['exec', ...env.flatMap((e) => ['-e', e]), name, 'dinit', 'status']);
    return r.code === 0 && r.stdout;
  });
}

async function stopPod({ first, second }: { first: string; second: string }): Promise<void> {
  stop(second);
  assert.equal(waitExit(second), 0);
  stop(first);
  assert.equal(waitExit(first), 0);
}

test('a Kubernetes-like pod (shared PID and network namespace) with DINIT_STATUS_SOCKET: each dinit status answers for its own container', { timeout: 90000 }, async () => {
  const p = pod(['DINIT_STATUS_SOCKET=dinit-@']);
  await waitForLog(p.second, /other\/run: running with PID/);
  const second = await statusIn(p.second, ['DINIT_STATUS_SOCKET=dinit-second']);
  assert.match(second, /^web +run +\d+ +running/m);
  assert.doesNotMatch(second, /^app /m);
  assert.match(await statusIn(p.first, ['DINIT_STATUS_SOCKET=dinit-first']), /^app +run +\d+ +running/m);
  await stopPod(p);
});

test(
  'a Kubernetes-like pod without DINIT_STATUS_SOCKET: dinit status in the second container answers for the second',
  // Both dinits derive one base name; the one that shares the caller's mount namespace (the
  // container's file system) is the caller's (src/commands/status-target.ts).
  { timeout: 90000 },
  async () => {
    const p = pod();
    await waitForLog(p.second, /other\/run: running with PID/);
    try {
      const second = await statusIn(p.second);
      assert.doesNotMatch(second, /^app /m, 'the first container\'s programs');
      assert.match(second, /^web +run +\d+ +running/m);
    } finally {
      await stopPod(p);
    }
  },
);
