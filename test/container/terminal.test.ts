import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { DOCKER, buildScenarioImage, docker, untimed } from './docker';

// `docker run -it` and Ctrl-C: the terminal's line discipline sends SIGINT to its foreground
// process group, which is dinit's. It must reach dinit alone (every program has a group of
// its own), and dinit then stops the programs its way: SIGTERM, or the terminate file.
// `script` (util-linux) gives docker the pseudo-terminal a person's shell would.

const IMAGE = 'dinit-test/terminal';
const name = `dinit-test-tty-${process.pid}`;

before(() =>
  buildScenarioImage(IMAGE, {
    tty: {
      calm: { run: `trap 'echo "got INT" >&2; exit 0' INT; trap 'echo "got TERM" >&2; exit 0' TERM; echo ready >&2; while :; do sleep 0.1; done` },
      custom: {
        run: `trap 'echo "got INT" >&2; exit 0' INT; trap '' TERM; echo ready >&2; while :; do sleep 0.1; done`,
        terminate: `echo "stopping $DINIT_PID my way" >&2; kill -KILL "$DINIT_PID"`,
      },
    },
  }),
);
after(() => docker(['rm', '-f', name]));

test('Ctrl-C under docker run -it reaches dinit only, which stops the programs its way; exit 0', { timeout: 90000 }, async () => {
  const command = [DOCKER, 'run', '-it', '--rm', '--name', name, '--network', 'none', '-e', 'DINIT_DIR=/trees/tty', '-e', 'DINIT_LOG_LEVEL=info', IMAGE].join(' ');
  const child = spawn('script', ['--quiet', '--flush', '--return', '--command', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let screen = '';
  child.stdout.on('data', (d) => (screen += d));
  child.stderr.on('data', (d) => (screen += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const killer = setTimeout(() => child.kill('SIGKILL'), 80000);
  try {
    const readyBoth = (): boolean => /calm\/run: ready/.test(screen) && /custom\/run: ready/.test(screen);
    for (let i = 0; !readyBoth(); i++) {
      if (i > 600) throw new Error(`the programs did not start; screen:\n${screen}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    child.stdin.write('\x03');
    const code = await exited;
    const lines = untimed(screen.replaceAll('\r', '').replaceAll('^C', ''));
    assert.equal(code, 0, screen);
    assert.ok(lines.includes('dinit: info: got signal 2, terminating services'), screen);
    assert.deepEqual(lines.filter((l) => l.includes('got INT')), [], 'no program saw the terminal\'s SIGINT');
    assert.ok(lines.includes('calm/run: got TERM'), screen);
    assert.ok(lines.some((l) => /^custom\/term: stopping \d+ my way$/.test(l)), screen);
    assert.ok(lines.some((l) => /^dinit: info: custom\/run: PID \d+ finished with signal 9$/.test(l)), screen);
    assert.equal(lines.at(-1), 'dinit: info: dinit exiting with status 0');
  } finally {
    clearTimeout(killer);
    child.stdin.end();
  }
});
