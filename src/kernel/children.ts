import type { ServiceSpec } from '../hooks/types';
import type { SysCalls } from '../sys';
import type { Logger } from './log';
import { Orphans, type OrphanHost } from './orphans';
import { Reaper } from './reaper';

/**
 * Every child of dinit that is not one of its programs: the reaper finds them (and reaps
 * zombies), Orphans applies what the `reparent` hook decided. What the exit decision needs to
 * know of them (are any left?) is answered here too.
 */
export class Children {
  readonly orphans: Orphans;
  readonly reaper: Reaper;
  /** Live or zombie children not in the table, as the last scan saw them. */
  private foreign = 0;
  /** The services' program files (known once loaded): a process still naming one has not exec'd yet. */
  private programFiles = new Set<string>();

  constructor(pid: number, sys: SysCalls, log: Logger, host: OrphanHost, scanned: () => void) {
    this.orphans = new Orphans(host);
    this.reaper = new Reaper(pid, sys, log, {
      isOwn: (child) => host.programs.get(child)?.origin === 'spawned',
      isProgramCopy: (cmdline) => this.isProgramCopy(cmdline),
      reparented: (orphan) => void this.orphans.decide(orphan),
      reaped: (child, result) => this.orphans.reaped(child, result),
      scanned: (foreign) => {
        this.foreign = foreign;
        scanned();
      },
    });
    this.orphans.attach(this.reaper);
  }

  /** The services are loaded: their program files tell a fork that has not exec'd yet. */
  knowPrograms(services: readonly ServiceSpec[]): void {
    this.programFiles = new Set(services.flatMap((spec) => [spec.run[0], ...(spec.log ? [spec.log.argv[0]] : [])]));
  }

  /** A foreign child (at the last scan) or an orphan whose policy is still being decided holds the exit. */
  get busy(): boolean {
    return this.foreign > 0 || this.orphans.pending > 0;
  }

  /**
   * Whether `cmdline` still names one of the services' program files (`/bin/sh /etc/service/x/run`):
   * a fork of a run script that has not exec'd yet. Static: the program itself may have exec'd since.
   */
  private isProgramCopy(cmdline: string): boolean {
    return cmdline.split(' ').some((word) => this.programFiles.has(word));
  }
}
