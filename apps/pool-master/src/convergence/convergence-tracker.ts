import { type HostReport } from '@pool/contracts';
import { CommandError } from '../commands/command-errors.js';

interface Waiter {
  pool: string;
  version: number;
  hosts: string[];
  resolve: (hosts: Record<string, number>) => void;
}

/**
 * The convergence barrier: the latest applied version each host reported, and the commands
 * waiting for every enabled host to reach their version.
 */
export class ConvergenceTracker {
  private readonly applied = new Map<string, Map<string, number>>();
  private readonly waiters = new Set<Waiter>();

  /** Records a host report (from `POOLNET_REPORTS`); versions never move backwards. */
  record(report: Pick<HostReport, 'pool' | 'host' | 'appliedVersion'>): void {
    let hosts = this.applied.get(report.pool);
    if (!hosts) this.applied.set(report.pool, (hosts = new Map<string, number>()));
    if ((hosts.get(report.host) ?? -1) >= report.appliedVersion) return;
    hosts.set(report.host, report.appliedVersion);
    for (const waiter of this.waiters) {
      if (waiter.pool === report.pool && waiter.hosts.includes(report.host)) this.check(waiter);
    }
  }

  appliedVersions(pool: string): Record<string, number> {
    return Object.fromEntries(this.applied.get(pool) ?? []);
  }

  /** Resolves when every host in `hosts` applied `version`; a timeout names those behind. */
  waitFor(
    pool: string,
    version: number,
    hosts: string[],
    timeoutMs: number,
    committed: { commandId: string },
  ): Promise<Record<string, number>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const versions = this.appliedVersions(pool);
        const behind = hosts
          .filter((h) => (versions[h] ?? 0) < version)
          .map((host) => ({ host, appliedVersion: versions[host] ?? null }));
        reject(
          new CommandError(
            504,
            'CONVERGENCE_TIMEOUT',
            `The command was committed at version ${version}, but ${behind.length} host(s) had not ` +
              `applied it after ${timeoutMs} ms: ${behind.map((b) => b.host).join(', ')}.`,
            { version, commandId: committed.commandId, behind },
          ),
        );
      }, timeoutMs);
      const waiter: Waiter = {
        pool,
        version,
        hosts,
        resolve: (result) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(result);
        },
      };
      this.waiters.add(waiter);
      this.check(waiter);
    });
  }

  private check(waiter: Waiter): void {
    const versions = this.applied.get(waiter.pool);
    const result: Record<string, number> = {};
    for (const host of waiter.hosts) {
      const v = versions?.get(host) ?? 0;
      if (v < waiter.version) return;
      result[host] = v;
    }
    waiter.resolve(result);
  }
}
