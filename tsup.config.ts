import { defineConfig } from 'tsup';

// One self-contained CLI file (tapable inlined: it is on the start-up path) plus the
// library entry with .d.ts for plugin authors. Native modules stay external: their
// binaries must be resolved from node_modules at run time.
export default defineConfig({
  entry: { cli: 'src/cli.ts', index: 'src/index.ts' },
  format: ['cjs'],
  target: 'node20',
  platform: 'node',
  sourcemap: true,
  dts: { entry: { index: 'src/index.ts' } },
  clean: true,
  splitting: false,
  noExternal: ['tapable'],
  external: ["koffi", "posix-node", "cosmiconfig"],
});
