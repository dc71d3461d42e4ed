import fs = require('node:fs');

/** Candidate names of the C library to hand to koffi, glibc first unless we know we are on musl. */
export function libcCandidates(): string[] {
  const arch = process.arch === 'arm64' ? 'aarch64' : 'x86_64';
  const musl = [`/lib/ld-musl-${arch}.so.1`, `/usr/lib/libc.musl-${arch}.so.1`, `/lib/libc.musl-${arch}.so.1`].filter((path) =>
    fs.existsSync(path),
  );
  const glibc = ['libc.so.6', 'libc.so'];
  return isGlibc() ? [...glibc, ...musl] : [...musl, ...glibc];
}

/** Node's own report says which libc it runs on; musl builds have no glibc version. */
export function isGlibc(): boolean {
  try {
    const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
    return Boolean(report?.header?.glibcVersionRuntime);
  } catch {
    return true;
  }
}

type Koffi = typeof import('koffi');
let cached: { koffi: Koffi; lib: ReturnType<Koffi['load']> } | undefined;

/** koffi and the loaded libc, loaded on first use (koffi costs start-up time). */
export function loadLibc(): { koffi: Koffi; lib: ReturnType<Koffi['load']> } {
  if (cached) return cached;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const koffi: Koffi = require('koffi');
  const errors: string[] = [];
  for (const name of libcCandidates()) {
    try {
      cached = { koffi, lib: koffi.load(name) };
      return cached;
    } catch (error) {
      errors.push(`${name}: ${(error as Error).message}`);
    }
  }
  throw new Error(`cannot load the C library through koffi (${errors.join('; ')})`);
}
