import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

// Every Dockerfile a user can copy from the documentation is a file the container suite
// builds: a ```dockerfile block in README.md or docs/*.md must be byte for byte one of
// examples/**/Dockerfile*. A fragment that is not a whole Dockerfile cannot be built, so
// it is not allowed either: make it a complete example under examples/ and show that.

const ROOT = path.resolve(__dirname, '../../..');

interface Block {
  where: string;
  text: string;
}

/** Fenced blocks whose info string says Dockerfile, however it is spelled (`dockerfile`, `Dockerfile`, `docker`). */
function dockerfileBlocks(file: string): Block[] {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*(dockerfile|docker)\b.*$/i.exec(lines[i]!);
    if (!open) continue;
    const fence = open[2]!;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !lines[end]!.trimStart().startsWith(fence)) end++;
    assert.ok(end < lines.length, `${path.relative(ROOT, file)}:${i + 1}: unclosed dockerfile block`);
    blocks.push({ where: `${path.relative(ROOT, file)}:${i + 1}`, text: lines.slice(start, end).join('\n') + '\n' });
    i = end;
  }
  return blocks;
}

function exampleDockerfiles(dir = path.join(ROOT, 'examples')): Map<string, string> {
  const found = new Map<string, string>();
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules') for (const [k, v] of exampleDockerfiles(full)) found.set(k, v);
    else if (entry.isFile() && entry.name.startsWith('Dockerfile')) found.set(path.relative(ROOT, full), fs.readFileSync(full, 'utf8'));
  }
  return found;
}

function documents(): string[] {
  const docs = path.join(ROOT, 'docs');
  const files = fs.existsSync(docs) ? fs.readdirSync(docs).filter((f) => f.endsWith('.md')).map((f) => path.join(docs, f)) : [];
  return [path.join(ROOT, 'README.md'), ...files.sort()];
}

test('every dockerfile block in README.md and docs/*.md is byte-identical to an examples/**/Dockerfile*', () => {
  const examples = exampleDockerfiles();
  assert.ok(examples.size > 0, 'no examples/**/Dockerfile* found');
  const wrong: string[] = [];
  for (const file of documents()) {
    for (const block of dockerfileBlocks(file)) {
      if (![...examples.values()].includes(block.text)) {
        wrong.push(`${block.where}: not byte-identical to any of ${[...examples.keys()].join(', ')}`);
      }
    }
  }
  assert.deepEqual(wrong, []);
});

test("the README's front door shows examples/Dockerfile itself", () => {
  const readme = dockerfileBlocks(path.join(ROOT, 'README.md'));
  assert.ok(readme.length > 0, 'README.md has no dockerfile block');
  assert.equal(readme[0]!.text, fs.readFileSync(path.join(ROOT, 'examples/Dockerfile'), 'utf8'), `${readme[0]!.where}`);
});

test('the block reader sees every spelling and keeps bytes exact', () => {
  const file = path.join(fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'dinit-docs-')), 'x.md');
  fs.writeFileSync(file, '# x\n```Dockerfile\nFROM a\n```\n\n~~~docker\nFROM b  \n\n~~~\n```sh\nnot this\n```\n');
  assert.deepEqual(
    dockerfileBlocks(file).map((b) => b.text),
    ['FROM a\n', 'FROM b  \n\n'],
  );
});
