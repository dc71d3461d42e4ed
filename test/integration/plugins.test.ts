import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { grep, makeFiles, makeTree, runDinit, trustedCopy, type RunOptions } from './harness';

// Copied where root may load them (docs/security.md): the checkout may not be root's.
const EXAMPLES = trustedCopy(path.resolve(__dirname, '../../examples/plugins'));
const json = (value: unknown) => JSON.stringify(value, null, 2);

/** dinit with its working directory searched for the config file, as asked for with DINIT_CONFIG=. */
const runIn = (dir: string, options: RunOptions) => runDinit(dir, { ...options, env: { DINIT_CONFIG: '.', ...options.env } });

/** A config folder with dinit.config.json and the given plugin modules. */
function configDir(config: unknown, modules: Record<string, string> = {}): string {
  return makeFiles({ 'dinit.config.json': json(config), ...modules });
}

test('precedence: defaults < config file < DINIT_* variables; the file is found in the working directory (DINIT_CONFIG=.)', async () => {
  const services = makeTree({ app: { run: `echo '{"a":1}'; echo text` } });
  const cwd = configDir({ dir: services, jsonStdout: false, logLevel: 'warn' });
  const fromFile = await runIn('', { cwd, env: { DINIT_LOG_LEVEL: '' } });
  assert.equal(fromFile.code, 0);
  assert.deepEqual(fromFile.out, ['T app/run: {"a":1}', 'T app/run: text']);
  assert.equal(grep(fromFile.err, 'info:').length, 0);
  const envWins = await runIn('', { cwd, env: { DINIT_JSON_STDOUT: '1' } });
  assert.deepEqual(envWins.out, ['{"a":1,"service":"app","stage":"run","logged":"T"}']);
});

test('DINIT_CONFIG names the file; a missing one is an error', async () => {
  const services = makeTree({ app: { run: 'echo hi >&2' } });
  const dir = makeFiles({ 'conf/x.yaml': `jsonStdout: false\nlogLevel: error\n` });
  const r = await runDinit(services, { env: { DINIT_CONFIG: `${dir}/conf/x.yaml`, DINIT_LOG_LEVEL: '' } });
  assert.equal(r.code, 0);
  assert.deepEqual(r.err, ['T app/run: hi']);
  const missing = await runDinit(services, { env: { DINIT_CONFIG: '/nonexistent/dinit.json' } });
  assert.equal(missing.code, 1);
  assert.deepEqual(missing.err, ['T dinit: error: config file /nonexistent/dinit.json (DINIT_CONFIG): no such file']);
});

test('bad configuration: one clear error naming file, key or plugin and reason; nothing starts', async () => {
  const services = makeTree({ app: { run: 'echo started >&2; sleep 1' } });
  const throwing = `module.exports = { name: 'boom', apply() { throw new Error('no way') } };`;
  const cases: Array<[unknown, Record<string, string>, RegExp]> = [
    [{ colour: 'red' }, {}, /: unknown key "colour"; known keys: dir, jsonStdout/],
    [{ killTimeout: '5' }, {}, /: key "killTimeout" must be whole seconds from 0 to 2147483 \(the longest a timer can wait, about 24 days\), got "5"/],
    [{ logLevel: 'loud' }, {}, /: key "logLevel" must be one of none, error, warn, info, debug, trace, got "loud"/],
    [{ plugins: 'x' }, {}, /: key "plugins" must be a list, got "x"/],
    [{ plugins: [42] }, {}, /: plugins\[0\] must be "specifier"/],
    [{ plugins: ['./nope.cjs'] }, {}, /: plugin "\.\/nope\.cjs" not found/],
    [{ plugins: ['./bad.cjs'] }, { 'bad.cjs': 'module.exports = { apply() {} };' }, /: plugin "\.\/bad\.cjs" must export \{ name: string, apply\(kernel, options\) \} \(got an object with keys apply\)/],
    [{ plugins: ['./boom.cjs'] }, { 'boom.cjs': throwing }, /: plugin boom failed to apply: no way/],
    [{ plugins: [['log-jsn', false]] }, {}, /: plugin "log-jsn" cannot be disabled: no built-in has that name/],
    [{ plugins: [[`${EXAMPLES}/regex-json/index.cjs`, { pattern: '' }]] }, {}, /: plugin regex-json failed to apply: regex-json: option "pattern" must be a non-empty string/],
  ];
  for (const [config, modules, message] of cases) {
    const cwd = configDir(config, modules);
    const r = await runIn(services, { cwd });
    assert.equal(r.code, 1, JSON.stringify(config));
    assert.equal(r.err.length, 1, r.stderr);
    assert.match(r.err[0], new RegExp(`^T dinit: error: config file ${cwd}/dinit\\.config\\.json${message.source}`));
    assert.equal(grep(r.err, 'started').length, 0);
  }
});

test('disabling built-ins: log-json (plain text fallback), runit-dir (no services), terminate-file, stop-on-exit', async () => {
  const services = makeTree({
    a: { run: `echo '{"a":1}'; sleep 0.3` },
    b: { run: 'exec sleep 1000', terminate: 'echo term-file-ran >&2; kill $DINIT_PID' },
  });
  const noJson = await runIn(services, { cwd: configDir({ plugins: [['log-json', false]] }) });
  assert.deepEqual(noJson.out, ['T a/run: {"a":1}']);
  assert.ok(noJson.err.includes('T b/term: term-file-ran'));

  const noLoader = await runIn(services, { cwd: configDir({ plugins: [['runit-dir', false]] }) });
  assert.equal(noLoader.code, 0);
  assert.ok(noLoader.err.includes('T dinit: warning: no services found, exiting'));

  const noTermFile = await runIn(services, { cwd: configDir({ plugins: [['terminate-file', false]] }) });
  assert.ok(noTermFile.err.includes('T dinit: info: b/run: sending SIGTERM to PID <pid>'));
  assert.equal(grep(noTermFile.err, 'term-file-ran').length, 0);

  const noStop = await runIn(services, {
    cwd: configDir({ plugins: [['stop-on-exit', false]] }),
    during: async (d) => {
      await d.waitFor(/a\/run: PID \d+ finished with status 0/);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(grep(d.stderr().split('\n'), 'b/run: terminating').length, 0);
      d.signal('SIGTERM');
    },
  });
  assert.equal(noStop.code, 0);
});

test('replacing built-ins by name: log-text and reparent-terminate', async () => {
  const services = makeTree({ a: { run: 'echo oops >&2; (sleep 1000 &); sleep 0.5' } });
  const cwd = configDir(
    { plugins: ['./my-text.cjs', './keep.cjs', '...'] },
    {
      'my-text.cjs': `module.exports = { name: 'log-text', apply(k) { k.hooks.line.tap({ name: 'log-text', stage: k.STAGE.FORMAT }, (r) => {
        if (r.output === undefined && r.stream === 'stderr') r.output = { fd: 2, data: ['[' + r.service + '] ', r.line, '\\n'] };
        return r; }); } };`,
      'keep.cjs': `module.exports = { name: 'reparent-terminate', apply(k) { k.hooks.reparent.tapPromise('reparent-terminate', async (o) => { k.log.warn('keeping ' + o.name); return true; }); } };`,
    },
  );
  const r = await runIn(services, { cwd });
  assert.ok(r.err.includes('[a] oops'), r.stderr);
  assert.ok(r.err.includes('T dinit: warning: keeping sleep'));
  // Kept alive by the policy until the stop, then terminated by the kernel.
  const stop = r.err.indexOf('T dinit: info: a/run: PID <pid> finished with status 0');
  const term = r.err.indexOf('T dinit: warning: sleep/<pid>: terminating reparented child process with PID <pid>: sleep 1000');
  assert.ok(stop >= 0 && term > stop, r.stderr);
});

test('a throwing tap on any hook is logged with plugin and hook; the built-in behaviour goes on', async () => {
  // Runs past one 1 s discovery scan, so the orphan meets the reparent hook before the stop.
  const services = makeTree({ a: { run: `echo '{"ok":1}'; echo e >&2; (sleep 1000 &); sleep 1.5` }, b: { run: 'exec sleep 1000' } });
  const hooks = ['load', 'spawn', 'line', 'reparent', 'exit', 'shutdown', 'stopping'];
  const plugin = `module.exports = { name: 'faulty', apply(k) {
    for (const h of ${JSON.stringify(hooks)}) {
      const hook = k.hooks[h];
      const fail = () => { throw new Error('bad ' + h); };
      if (h === 'line' || h === 'stopping') hook.tap('faulty', fail); else hook.tapPromise('faulty', async () => fail());
    }
  } };`;
  const r = await runIn(services, { cwd: configDir({ plugins: ['./faulty.cjs'] }, { 'faulty.cjs': plugin }) });
  assert.equal(r.code, 0, r.stderr);
  for (const h of hooks) assert.ok(grep(r.err, `dinit: error: plugin faulty failed in hook ${h}`).length >= 1, `${h}\n${r.stderr}`);
  assert.deepEqual(r.out, ['{"ok":1,"service":"a","stage":"run","logged":"T"}']);
  assert.ok(r.err.includes('T a/run: e'));
  assert.ok(r.err.includes('T dinit: warning: sleep/<pid>: terminating reparented child process with PID <pid>: sleep 1000'));
});

test('example regex-json: text lines become JSON in process; non-matching lines go to stderr', async () => {
  const services = makeTree({
    web: { run: `echo '127.0.0.1 GET /x 200'; echo 'garbage'; echo '{"already":true}'` },
    other: { run: `echo 'x 1 2 3'; sleep 0.3` },
  });
  const pattern = String.raw`^(?P<ip>\S+) (?P<method>\S+) (?P<path>\S+) (?P<status___int>\d+)$`;
  const cwd = configDir({ plugins: [[`${EXAMPLES}/regex-json/index.cjs`, { pattern, services: ['web'] }]] });
  const r = await runIn(services, { cwd });
  assert.deepEqual(r.out, [
    '{"ip":"127.0.0.1","method":"GET","path":"/x","status":200,"service":"web","stage":"run","logged":"T"}',
    '{"already":true,"service":"web","stage":"run","logged":"T"}',
  ]);
  assert.ok(r.err.includes('T web/run: garbage'), r.stderr);
  assert.ok(r.err.includes('T dinit: warning: other/run: not JSON stdout: x 1 2 3'));
});

test('example regex-json: Go time layouts, as regex2json does', async () => {
  const services = makeTree({ d: { run: `echo 'Sun Nov 29 18:51:09 UTC 2026'` } });
  const pattern = String.raw`(?P<date___time__UnixDate>.+\d+)`;
  const r = await runIn(services, { cwd: configDir({ plugins: [[`${EXAMPLES}/regex-json/index.cjs`, { pattern }]] }) });
  assert.match(r.stdout, /^\{"date":"2026-11-29T18:51:09\.000Z","service":"d","stage":"run","logged":"[^"]+"\}\n$/);
});

test('example logfmt-json: key=value lines become JSON', async () => {
  const services = makeTree({ l: { run: `echo 'level=info msg="hello world" ok'` } });
  const r = await runIn(services, { cwd: configDir({ plugins: [`${EXAMPLES}/logfmt-json/index.cjs`] }) });
  assert.deepEqual(r.out, ['{"level":"info","msg":"hello world","ok":true,"service":"l","stage":"run","logged":"T"}']);
});

test('example adopt-matching: adopts listed names, terminates the rest', async () => {
  const services = makeTree({ a: { run: `(sleep 1000 &); (sh -c 'sleep 2; exit 5' &); exec sleep 1000` } });
  const cwd = configDir({ plugins: [[`${EXAMPLES}/adopt-matching/index.cjs`, { adopt: ['sh'] }]] });
  const r = await runIn(services, { cwd });
  assert.equal(r.code, 3, r.stderr);
  assert.ok(r.err.includes('T dinit: warning: sleep/<pid>: terminating reparented child process with PID <pid>: sleep 1000'));
  // Under heavy load the scan may meet the orphan before its exec, still a copy of the run shell.
  assert.equal(grep(r.err, /^T dinit: warning: sh\/<pid>: adopting reparented child process with PID <pid>: /).length, 1, r.stderr);
  assert.ok(r.err.includes('T dinit: info: sh/<pid>: PID <pid> finished with status 5'));
});
