import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { DEFAULT_CONFIG } from '../../../../src/kernel/config';
import { Kernel } from '../../../../src/kernel/kernel';
import { readiness } from '../../../../src/plugins/status/readiness';

const sys = { waitpid: () => ({ pid: 0, code: null, signal: null }), peekExited: () => false, pipe: () => [0, 0], setChildSubreaper: () => {} };
const loaded = (name: string): boolean => Object.keys(require.cache).some((file) => file.endsWith(`${path.sep}${name}.ts`));

test('readiness: without a check file the check runner is not even loaded; with one it is', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dinit-ready-lazy-'));
  fs.mkdirSync(path.join(root, 'a'));
  fs.mkdirSync(path.join(root, 'b'));
  const spec = (name: string) => ({ name, dir: path.join(root, name), run: [path.join(root, name, 'run')] });
  const kernel = new Kernel({ config: DEFAULT_CONFIG, sys: sys as never });
  kernel.use(readiness, undefined);
  await kernel.hooks.load.promise([spec('a'), spec('b')], DEFAULT_CONFIG);
  assert.equal(loaded('readiness-checks'), false, 'readiness-checks.ts was loaded without any check file');
  fs.writeFileSync(path.join(root, 'b', 'check'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  const other = new Kernel({ config: DEFAULT_CONFIG, sys: sys as never });
  other.use(readiness, undefined);
  await other.hooks.load.promise([spec('a'), spec('b')], DEFAULT_CONFIG);
  assert.equal(loaded('readiness-checks'), true);
  fs.rmSync(root, { recursive: true });
});
