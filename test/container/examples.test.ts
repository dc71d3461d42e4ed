import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  NODE_MAJOR,
  baseImage,
  buildExample,
  docker,
  exampleDockerfiles,
  exampleTag,
  imageExists,
  logs,
  removeAll,
  runDetached,
  untimed,
  waitExit,
  waitForLog,
} from './docker';

// Every examples/**/Dockerfile* builds as written (examples/ as context, the packed dinit in
// it, no network), and the image it makes starts, logs what its services write and stops
// with status 0 on `docker stop`. New Dockerfiles are picked up by the glob.

after(removeAll);

const TIME = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z';

/** The default example on every supported Node line; the others on the default line. */
const builds = exampleDockerfiles().flatMap((file) => (file === 'Dockerfile' ? ['20', '22', '24'] : [NODE_MAJOR]).map((major) => ({ file, major })));

test('the glob finds the three documented examples', () => {
  for (const file of ['Dockerfile', 'Dockerfile.alpine', 'bundle/Dockerfile']) assert.ok(exampleDockerfiles().includes(file), file);
});

for (const { file, major } of builds) {
  test(`examples/${file} builds on Node ${major}, starts and stops with status 0`, { timeout: 400000 }, async (t) => {
    const base = baseImage(file, major);
    if (!imageExists(base)) {
      // node:<major>-alpine needs a musl Node build: none is published on the npm registry
      // and no registry of images is reachable here (docs/docker.md, "Alpine").
      t.skip(`${base} is not on this machine (no musl Node build can be made here)`);
      return;
    }
    const built = buildExample(file, major);
    assert.equal(built.code, 0, built.stderr + built.stdout);
    const name = runDetached(exampleTag(file, major));
    await waitForLog(name, /^\{.*"service":/);
    const started = Date.now();
    const stop = docker(['stop', name], { timeout: 30000 });
    assert.equal(stop.code, 0, stop.stderr);
    assert.equal(waitExit(name), 0);
    assert.ok(Date.now() - started < 5000, `docker stop took ${Date.now() - started} ms`);
    const { stdout, stderr } = logs(name);
    for (const line of stdout.split('\n').filter(Boolean)) assert.doesNotThrow(() => JSON.parse(line), `stdout is JSON: ${line}`);
    if (file.startsWith('Dockerfile')) {
      assert.match(stdout, new RegExp(`^\\{"msg":"hello from a JSON program","service":"hello","stage":"run","logged":"${TIME}"\\}$`, 'm'));
      assert.match(stderr, new RegExp(`^${TIME} hello/run: this goes to stderr$`, 'm'));
    }
    if (file === 'bundle/Dockerfile') {
      const nginx = stdout.split('\n').filter((l) => l.includes('"service":"nginx"')).map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.equal(nginx.length, 1, stdout);
      assert.equal(nginx[0].ip, '203.0.113.9');
      assert.equal(nginx[0].status, 200);
      assert.equal(nginx[0].path, '/index.html');
      const worker = stdout.split('\n').find((l) => l.includes('"service":"worker"'));
      assert.ok(worker, stdout);
      assert.equal((JSON.parse(worker) as Record<string, unknown>).msg, 'job done');
      assert.ok(untimed(stderr).includes('dinit: info: got signal 15, terminating services'), stderr);
    }
  });
}

test('the ticker example: log/run turns its lines into JSON, then it disables itself and the container goes on', { timeout: 120000 }, async () => {
  const name = runDetached(exampleTag('Dockerfile', NODE_MAJOR), ['-e', 'DINIT_LOG_LEVEL=info']);
  await waitForLog(name, /ticker\/run: PID \d+ finished and disabled itself/, 30000);
  const { stdout } = logs(name);
  for (const n of [1, 2, 3]) assert.match(stdout, new RegExp(`^\\{"line":"tick ${n}","service":"ticker","stage":"run","logged":"${TIME}"\\}$`, 'm'));
  assert.equal(docker(['inspect', '-f', '{{.State.Running}}', name]).stdout.trim(), 'true');
  assert.equal(docker(['stop', name], { timeout: 30000 }).code, 0);
  assert.equal(waitExit(name), 0);
});
