/**
 * The shape of src/: lines per folder, the largest files, the imports between folders, and
 * every import cycle. `node --import tsx scripts/layout.ts [--max-lines 300] [--cycles-only]`;
 * exits 1 when a cycle exists or (without --cycles-only) a file is over the limit.
 *
 * Imports are read with TypeScript's own pre-processor (no type-checking, no regexes), and
 * `import type` counts too: a type-only cycle still ties two rooms together for a reader.
 */
import fs = require('node:fs');
import path = require('node:path');
import ts = require('typescript');

const ROOT = path.resolve(__dirname, '..', 'src');
const maxArg = process.argv.indexOf('--max-lines');
/** `--cycles-only`: only an import cycle fails (files over the limit are still listed). */
const cyclesOnly = process.argv.includes('--cycles-only');
const MAX_LINES = maxArg > 0 ? Number(process.argv[maxArg + 1]) : 300;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** The file an import specifier names, or undefined for packages and node: built-ins. */
function resolveImport(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(from), specifier);
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts')]) if (fs.existsSync(candidate)) return candidate;
  return undefined;
}

const files = sourceFiles(ROOT).sort();
const rel = (file: string): string => path.relative(ROOT, file);
/** The room of a file: its top folder, but plugins/<concern> and a nested sys/ are rooms of their own. */
const room = (file: string): string => {
  const parts = rel(file).split(path.sep);
  if (parts.length === 1) return '.';
  if (parts[0] === 'plugins' && parts.length > 2) return `plugins/${parts[1]}`;
  if (parts[1] === 'sys' && parts.length > 2) return `${parts[0]}/sys`;
  return parts[0];
};

const lines = new Map<string, number>();
const edges = new Map<string, string[]>();
for (const file of files) {
  const text = fs.readFileSync(file, 'utf8');
  lines.set(file, text.split('\n').length - (text.endsWith('\n') ? 1 : 0));
  const info = ts.preProcessFile(text, true, true);
  edges.set(
    file,
    info.importedFiles.map((ref) => resolveImport(file, ref.fileName)).filter((target): target is string => target !== undefined),
  );
}

// Lines per room.
const perRoom = new Map<string, { files: number; lines: number }>();
for (const file of files) {
  const entry = perRoom.get(room(file)) ?? { files: 0, lines: 0 };
  entry.files++;
  entry.lines += lines.get(file) ?? 0;
  perRoom.set(room(file), entry);
}
const total = [...lines.values()].reduce((a, b) => a + b, 0);
console.log(`src/: ${files.length} files, ${total} lines`);
for (const [name, entry] of [...perRoom].sort(([a], [b]) => a.localeCompare(b))) {
  console.log(`  ${name.padEnd(22)} ${String(entry.files).padStart(3)} files ${String(entry.lines).padStart(6)} lines`);
}

// Files over the limit.
const big = files.filter((file) => (lines.get(file) ?? 0) > MAX_LINES);
console.log(`\nfiles over ${MAX_LINES} lines: ${big.length === 0 ? 'none' : ''}`);
for (const file of big) console.log(`  ${rel(file)} (${lines.get(file)})`);

// Which room imports which (only across rooms).
const roomEdges = new Map<string, Set<string>>();
for (const [file, targets] of edges) {
  for (const target of targets) {
    if (room(file) === room(target)) continue;
    const set = roomEdges.get(room(file)) ?? new Set<string>();
    set.add(room(target));
    roomEdges.set(room(file), set);
  }
}
console.log('\nimports between rooms:');
for (const [from, to] of [...roomEdges].sort(([a], [b]) => a.localeCompare(b))) console.log(`  ${from} -> ${[...to].sort().join(', ')}`);

// Cycles between files: strongly connected components with more than one file (Tarjan).
const index = new Map<string, number>();
const low = new Map<string, number>();
const stack: string[] = [];
const onStack = new Set<string>();
const cycles: string[][] = [];
let counter = 0;
function visit(file: string): void {
  index.set(file, counter);
  low.set(file, counter++);
  stack.push(file);
  onStack.add(file);
  for (const target of edges.get(file) ?? []) {
    if (!index.has(target)) {
      visit(target);
      low.set(file, Math.min(low.get(file)!, low.get(target)!));
    } else if (onStack.has(target)) low.set(file, Math.min(low.get(file)!, index.get(target)!));
  }
  if (low.get(file) !== index.get(file)) return;
  const component: string[] = [];
  for (;;) {
    const member = stack.pop()!;
    onStack.delete(member);
    component.push(member);
    if (member === file) break;
  }
  if (component.length > 1 || (edges.get(file) ?? []).includes(file)) cycles.push(component.map(rel).sort());
}
for (const file of files) if (!index.has(file)) visit(file);
console.log(`\nimport cycles: ${cycles.length === 0 ? 'none' : ''}`);
for (const cycle of cycles) console.log(`  ${cycle.join(' <-> ')}`);

process.exitCode = cycles.length > 0 || (big.length > 0 && !cyclesOnly) ? 1 : 0;
