import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const FIXTURES = path.resolve(__dirname, '../fixtures');

/**
 * A shell command creating `n` orphans that exit at once: the C fixture compiled with the
 * machine's cc (cached per source), or the same logic in perl where no compiler exists.
 */
export function orphanStormCommand(n: number): string {
  const source = path.join(FIXTURES, 'orphan-storm.c');
  const binary = path.join(os.tmpdir(), `dinit-orphan-storm-${fs.statSync(source).mtimeMs}`);
  if (!fs.existsSync(binary)) {
    try {
      execFileSync('cc', ['-O2', '-o', `${binary}.tmp`, source], { stdio: 'ignore' });
      fs.renameSync(`${binary}.tmp`, binary);
    } catch {
      return `perl -e 'pipe(my $r, my $w) or die; for (1..${n}) { my $p = fork; die unless defined $p; if ($p == 0) { if (fork == 0) { close $w; sysread($r, my $x, 1); exit 0 } exit 0 } waitpid($p, 0) } close $w'`;
    }
  }
  return `${binary} ${n}`;
}
