import { type HostReport } from '@pool/contracts';
import { CommandError } from '../commands/command-errors.js';
import { holdsBelow, rolledBackError, type HeldHost } from './rolled-back.js';

interface Waiter {
  pool: string;
  version: number;
  hosts: string[];
  /** The hosts not yet at `version`: a report costs O(1) per waiter, not O(hosts). */
  behind: Set<string>;
  resolve: (hosts: Record<string, number>) => void;
  reject: (error: Error) => void;
  commandId: string;
}

/**
 * The convergence barrier: the latest applied version each host reported, and the commands
 * waiting for every enabled host to reach their version.
 */
export class ConvergenceTracker {
  private readonly applied = new Map<string, Map<string, number>>();
  /** Per pool and host, the VIFs whose port waits for its device, as last reported. */
  private readonly waitingForDevice = new Map<string, Map<string, string[]>>();
  private readonly waiters = new Set<Waiter>();
  /** Per pool, the hosts holding an earlier version after a rollback, as last reported. */
  private readonly held = new Map<string, Map<string, HeldHost>>();

  /**
   * Records a host report (from `POOLNET_REPORTS`); versions never move backwards. The ports
   * not plugged follow the newest report, even of the same version: a device appearing is not
   * a new version.
   */
  record(report: Pick<HostReport, 'pool' | 'host' | 'appliedVersion' | 'ports' | 'held'>): void {
    this.recordHold(report);
    let hosts = this.applied.get(report.pool);
    if (!hosts) this.applied.set(report.pool, (hosts = new Map<string, number>()));
    const known = hosts.get(report.host) ?? -1;
    if (report.ports && known <= report.appliedVersion) {
      const waiting = report.ports.filter((p) => p.plugged === false).map((p) => p.vif);
      const pool = this.waitingForDevice.get(report.pool) ?? new Map<string, string[]>();
      this.waitingForDevice.set(report.pool, pool.set(report.host, waiting.sort()));
    }
    if (known >= report.appliedVersion) return;
    hosts.set(report.host, report.appliedVersion);
    for (const waiter of this.waiters) {
      if (waiter.pool !== report.pool || report.appliedVersion < waiter.version) continue;
      if (waiter.behind.delete(report.host) && waiter.behind.size === 0) this.settle(waiter);
    }
  }

  /**
   * Follows a host's hold (its newest report says): a waiter whose version the host has read
   * and still holds below is answered at once with the rollback, not left to time out.
   */
  private recordHold(report: Pick<HostReport, 'pool' | 'host' | 'held'>): void {
    const pool = this.held.get(report.pool) ?? new Map<string, HeldHost>();
    this.held.set(report.pool, pool);
    if (!report.held) {
      pool.delete(report.host);
      return;
    }
    const held = { host: report.host, ...report.held };
    pool.set(report.host, held);
    for (const waiter of this.waiters) {
      if (waiter.pool === report.pool && waiter.behind.has(report.host)) this.checkHeld(waiter);
    }
  }

  /** Hosts holding below `version` after a rollback. */
  heldBelow(pool: string, version: number, hosts: readonly string[]): HeldHost[] {
    const held = this.held.get(pool);
    return hosts.map((h) => held?.get(h)).filter((h) => holdsBelow(h, version));
  }

  private checkHeld(waiter: Waiter): void {
    const held = this.heldBelow(waiter.pool, waiter.version, [...waiter.behind]);
    if (held.length > 0) waiter.reject(rolledBackError(waiter.version, waiter.commandId, held));
  }

  appliedVersions(pool: string): Record<string, number> {
    return Object.fromEntries(this.applied.get(pool) ?? []);
  }

  /**
   * The VIFs whose port on one of `hosts` waits for its device (the hypervisor has not plugged
   * the VM's NIC there yet): the host applied their settings, and they take effect when it does.
   */
  notPlugged(pool: string, hosts: readonly string[]): { hostId: string; vifId: string }[] {
    const waiting = this.waitingForDevice.get(pool);
    return hosts.flatMap((hostId) =>
      (waiting?.get(hostId) ?? []).map((vifId) => ({ hostId, vifId })),
    );
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
      const versions = this.applied.get(pool);
      const waiter: Waiter = {
        pool,
        version,
        hosts,
        behind: new Set(hosts.filter((host) => (versions?.get(host) ?? 0) < version)),
        resolve: (result) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(result);
        },
        reject: (error) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          reject(error);
        },
        commandId: committed.commandId,
      };
      this.waiters.add(waiter);
      if (waiter.behind.size === 0) this.settle(waiter);
      else this.checkHeld(waiter);
    });
  }

  private settle(waiter: Waiter): void {
    const versions = this.applied.get(waiter.pool);
    const result: Record<string, number> = {};
    for (const host of waiter.hosts) result[host] = versions?.get(host) ?? 0;
    waiter.resolve(result);
  }
}
