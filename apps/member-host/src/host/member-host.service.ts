import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { HOST_SENDER_ROLE, subjects } from '@pool/contracts';
import { HealthRegistry, NatsClient } from '@pool/platform';
import {
  MemoryDatapath,
  MemoryVSwitchDriver,
  OvsVSwitchDriver,
  SharedUnderlay,
  type VSwitchDriver,
} from '@pool/vswitch';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { Datapath } from '../agent/datapath.js';
import { HostAgent, type LogBehind, type OtherLog } from '../agent/host-agent.js';
import { JetStreamFeed } from '../agent/jetstream-feed.js';
import { Joiner } from '../agent/joiner.js';
import { NetworkHoldFile, type NetworkHold } from '../agent/network-hold.js';
import { NetworkWatchdog } from '../agent/network-watchdog.js';
import { Reporter } from '../agent/reporter.js';
import { ResolverFile } from '../agent/resolver-file.js';
import { sleep } from '../agent/serial.js';
import { NatsSnapshotSource } from '../agent/snapshot-client.js';
import { StateStore } from '../agent/state-store.js';
import { MemberHostConfig } from '../config/member-host.config.js';
import { loadInventory, type NicInventory } from '../inventory/nic-inventory.js';
import { ManagementGate } from './management-gate.js';
import { memberHostMetrics } from './member-host.metrics.js';
import { recordRollback } from './rollback-recorder.js';

/**
 * The member host's lifecycle around its HostAgent: boot from the state dir and converge the
 * switch before anything else (the host forwards without master or NATS), then follow the pool
 * once NATS is reachable, join it, report, and read the switch back on a timer.
 */
/**
 * How long health stays failed after the pool's log was found behind this host: the host has
 * resynchronised by then, but an operator must learn that versions it had applied are gone.
 */
const LOG_BEHIND_UNHEALTHY_MS = 5 * 60_000;

@Injectable()
export class MemberHostService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly agent: HostAgent;
  readonly driver: VSwitchDriver;
  inventory: NicInventory | undefined;
  private readonly logger = new Logger('MemberHost');
  private readonly abort = new AbortController();
  private readonly timers: NodeJS.Timeout[] = [];
  private reporter: Reporter | undefined;
  private feed: JetStreamFeed | undefined;
  private running: Promise<void> | undefined;

  constructor(
    @Inject(MemberHostConfig) private readonly config: MemberHostConfig,
    @Inject(NatsClient) private readonly nats: NatsClient,
    @Inject(HealthRegistry) health: HealthRegistry,
    @Inject(Registry) registry: Registry,
    @Optional() @Inject(ManagementGate) gate?: ManagementGate,
  ) {
    this.driver =
      config.driver === 'ovs'
        ? new OvsVSwitchDriver({
            runDir: config.ovsRunDir,
            dbSocket: config.ovsDbSocket,
            vifBinding: config.vifBinding,
            tunnelBfdMs: config.tunnelBfdMs,
            // Where the host's interfaces get their addresses: the NICs' namespace (NETNS).
            netns: config.netns,
            ...(config.dhcpClient === 'none'
              ? {}
              : { dhcp: { stateDir: join(config.stateDir, 'dhcp'), dhclient: config.dhcpClient } }),
          })
        : // Its modelled DHCP leases differ per host, as real servers' would.
          new MemoryVSwitchDriver(
            new MemoryDatapath({ client: config.hostName }),
            config.memoryUnderlayDir
              ? {
                  host: config.hostName,
                  underlay: new SharedUnderlay(config.memoryUnderlayDir),
                  bfdMs: config.tunnelBfdMs,
                }
              : undefined,
          );
    const manageResolver = config.manageResolvConf ?? config.driver === 'ovs';
    const resolver = manageResolver
      ? new ResolverFile(config.resolvConf, join(config.stateDir, 'resolv.conf.previous'))
      : undefined;
    const { poolId: pool, hostName: host } = config;
    this.agent = new HostAgent({
      pool,
      host,
      store: new StateStore(config.stateDir, { pool, host }),
      datapath: new Datapath(this.driver, host, resolver),
      log: this.logger,
      metrics: memberHostMetrics(registry),
      onChange: () => this.reporter?.soon(),
      holdFile: new NetworkHoldFile(config.stateDir),
      ...(config.networkWatchdogMs > 0
        ? { watchdog: new NetworkWatchdog(() => this.probe(), config.networkWatchdogMs) }
        : {}),
      onRollback: (hold) => this.recordRollback(hold),
    });
    if (gate && this.driver instanceof MemoryVSwitchDriver) {
      this.driver.managementPath.leavesBy(config.testManagementPathDevice);
      this.driver.managementPath.onChange((cut) => (cut ? gate.cut() : gate.heal()));
    }
    health.register('consumer', () => {
      const { phase, lastError } = this.agent;
      if (lastError) return Promise.reject(new Error(`${phase}: ${lastError}`));
      if (phase !== 'following' && phase !== 'catching-up') {
        return Promise.reject(new Error(`not following the pool (${phase})`));
      }
      return Promise.resolve();
    });
    health.register('log', () => {
      const recent = (at: string | undefined) =>
        at !== undefined && Date.now() - Date.parse(at) <= LOG_BEHIND_UNHEALTHY_MS;
      const other = this.agent.otherLog;
      if (other && recent(other.at)) {
        return Promise.reject(
          new Error(
            `at ${other.at} the pool's log was another one (log ${other.logId} at version ` +
              `${other.logVersion}) than this host's (log ${other.hostLogId} at version ` +
              `${other.hostVersion}): resynchronised from the master's snapshot (README: backup ` +
              'and restore)',
          ),
        );
      }
      const behind = this.agent.logBehind;
      if (!behind || !recent(behind.at)) return Promise.resolve();
      return Promise.reject(
        new Error(
          `at ${behind.at} the pool's log was at version ${behind.logVersion}, behind this ` +
            `host's ${behind.hostVersion}: resynchronised from the master's snapshot (README: ` +
            'backup and restore)',
        ),
      );
    });
    health.register('datapath', () => {
      const error = this.agent.datapath.lastError;
      return error ? Promise.reject(new Error(error)) : Promise.resolve();
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    const { config } = this;
    this.inventory = await loadInventory({
      driver: config.driver,
      pool: config.poolId,
      host: config.hostName,
      file: config.nicInventoryFile,
      devices: config.pifDevices?.split(','),
      managementDevice: config.managementDevice,
      netns: config.netns,
    });
    await this.agent.boot();
    const { version } = this.agent.replica;
    this.logger.log(`booted at pool version ${version}, switch converged from the state dir`);
    this.every(config.driftIntervalMs, () => this.agent.checkDrift());
    this.running = this.follow();
  }

  async onApplicationShutdown(): Promise<void> {
    this.abort.abort();
    for (const timer of this.timers) clearInterval(timer);
    await this.running;
    await this.agent.stop();
    // The modelled BFD stops with the host, as ovs-vswitchd's would with its machine.
    if (this.driver instanceof MemoryVSwitchDriver) this.driver.close();
  }

  /**
   * The network watchdog's round trip: a NATS PING/PONG and a JetStream request (the events
   * stream's bounds), the two things this host needs to follow its pool.
   */
  private async probe(): Promise<void> {
    const nc = this.nats.connection;
    await nc.flush();
    if (this.feed) await this.feed.bounds();
  }

  /** Once NATS answers again, has the master record the rollback (in the background). */
  private recordRollback(hold: NetworkHold): void {
    const { config } = this;
    const signal = this.abort.signal;
    const subject = subjects(config.subjectRoot).command(config.poolId, 'RecordNetworkRollback', {
      role: HOST_SENDER_ROLE,
      user: config.hostName,
    });
    void Promise.race([this.nats.connected(), sleep(2 ** 31 - 1, signal)])
      .then((nc) =>
        nc ? recordRollback(nc, subject, config.hostName, hold, this.logger, signal) : false,
      )
      .then((recorded) => (recorded ? this.agent.rollbackRecorded(hold) : undefined))
      .catch((error: unknown) => this.logger.warn(`recording the rollback: ${String(error)}`));
  }

  status() {
    const { agent, config } = this;
    return {
      pool: config.poolId,
      host: config.hostName,
      driver: this.driver.kind,
      phase: agent.phase,
      version: agent.replica.version,
      seq: agent.replica.seq,
      applied: agent.applied ?? null,
      member: agent.replica.state.hosts.has(config.hostName),
      lastError: agent.lastError ?? null,
      logBehind: agent.logBehind ?? null,
      logId: agent.replica.logId ?? null,
      otherLog: agent.otherLog ?? null,
      held: agent.hold
        ? {
            version: agent.hold.version,
            refusedVersion: agent.hold.refusedVersion,
            reason: agent.hold.reason,
            since: agent.hold.since,
            recorded: agent.hold.recorded,
            digest: agent.applied?.digest ?? null,
          }
        : null,
      datapathError: agent.datapath.lastError ?? null,
      ports: agent.datapath.ports,
      tunnels: agent.datapath.tunnelReport(),
      interfaces: agent.datapath.interfaces,
      stats: agent.stats,
      reportsSent: this.reporter?.sent ?? 0,
    };
  }

  private async follow(): Promise<void> {
    const { config } = this;
    const signal = this.abort.signal;
    // connected() never settles if NATS never answers: race it with shutdown.
    const nc = await Promise.race([this.nats.connected(), sleep(2 ** 31 - 1, signal)]);
    if (!nc || signal.aborted) return;
    const names = subjects(config.subjectRoot);
    const { poolId: pool, hostName: host } = config;
    const feed = (this.feed = new JetStreamFeed(nc, {
      pool,
      stream: config.eventsStream,
      subject: names.events(pool),
      durable: `member-${pool}-${host}`,
    }));
    const snapshots = new NatsSnapshotSource(nc, names.snapshot(pool));
    this.reporter = new Reporter(
      nc,
      names.reports(pool, host),
      (full) => this.agent.report(full),
      (message) => this.logger.warn(message),
    );
    this.reporter.soon(); // the master learns where this host stands without waiting
    this.every(config.reportIntervalMs, () => this.reporter!.full());
    const joiner = new Joiner(
      nc,
      // As the NATS user named like the host (deploy/nats/nats.conf lets it send only this).
      names.command(pool, 'JoinHost', { role: 'admin', user: host }),
      {
        hostId: host,
        name: host,
        address: config.hostAddress,
        pifs: this.inventory!.pifs,
        managementDevice: this.inventory!.managementDevice,
      },
      (message) => this.logger.warn(message),
    );
    let joining: Promise<void> | undefined;
    let joinedAfter: [LogBehind | undefined, OtherLog | undefined] = [undefined, undefined];
    await this.agent.run(feed, snapshots, signal, () => {
      // Join once the replica is current, so a host that is already a member never asks; and
      // once more after resynchronising onto a log that may predate its joining.
      const { logBehind, otherLog } = this.agent;
      if (joining && logBehind === joinedAfter[0] && otherLog === joinedAfter[1]) return;
      joinedAfter = [logBehind, otherLog];
      joining = joiner.join(() => this.agent.replica.state.hosts.has(host), signal);
    });
    await joining;
  }

  private every(ms: number, task: () => Promise<unknown>): void {
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      task()
        .catch((error: unknown) => this.logger.warn(String(error)))
        .finally(() => (busy = false));
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }
}
