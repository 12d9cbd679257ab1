import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PortCounters } from '../driver.js';
import type { Meter } from './actual-state.js';
import { run } from './exec.js';
import { mgmtSocket, mgmtTarget, type ResolvedOvsOptions } from './ovs-options.js';
import { noFloodPortsOn, OF10, setPortFloodOn, type PortFlood } from './openflow/port-flood.js';
import type { Of10Connection } from './openflow/of10-connection.js';
import { RULE_BIT } from './flows.js';
import { BridgeConnections } from './openflow/bridge-connections.js';
import { numberPorts, portNames } from './openflow/flow-text.js';
import { InstalledFlows } from './openflow/installed-flows.js';
import type { Of14Connection, PipelineStep } from './openflow/of14-connection.js';
import { OFPP } from './openflow/oxm-match.js';
import {
  decodeFlowStats,
  decodeMeterConfig,
  decodePortStats,
  encodeFlowStatsRequest,
  encodeMeterConfigRequest,
  encodeMeterMod,
  encodePortStatsRequest,
  MeterCommand,
} from './openflow/of14-messages.js';

/**
 * A bundle's time grows with its lines (a booting host with 1,000 ports with ACLs writes ~45,000
 * flows in one bundle, and ovs-vswitchd commits them all at once), so the configured timeout,
 * meant for one request, is what a bundle gets on top of a millisecond per line: a big bundle
 * on a loaded machine is not killed half-way and retried from the start.
 */
export const bundleTimeoutMs = (timeoutMs: number, lines: number): number => timeoutMs + lines;

/**
 * A bridge's OpenFlow state. The per-change path goes over one long-lived OpenFlow 1.4
 * connection per bridge (openflow/bridge-connections.ts): bundles of flow mods and packet-outs,
 * meters, flow and port statistics, with no process started. The drift pass's whole-table
 * comparison and repair (dump-flows, diff-flows, replace-flows) still run ovs-ofctl, which
 * prints and compares flows in its own canonical text.
 */
export class Ofctl {
  private readonly openflow: BridgeConnections;
  /** Port configs (no-flood) need OpenFlow 1.0: a second long-lived session per bridge. */
  private readonly openflow10: BridgeConnections<Of10Connection>;

  /**
   * `ofportsOn` numbers a bridge's ports without asking the switch (the OVSDB replica's
   * `ofport`s); the switch's port descriptions are read only for a name it does not know yet.
   */
  constructor(
    private readonly options: ResolvedOvsOptions,
    private readonly ofportsOn?: (bridge: string) => Promise<ReadonlyMap<string, number>>,
  ) {
    this.openflow = new BridgeConnections(
      (bridge) => mgmtSocket(options, bridge),
      options.timeoutMs,
    );
    this.openflow10 = new BridgeConnections(
      (bridge) => mgmtSocket(options, bridge),
      options.timeoutMs,
      OF10,
    );
  }

  private exec(
    command: string,
    bridge: string,
    extra: string[] = [],
    input?: string,
    flags: string[] = [],
    answers: number[] = [],
  ) {
    const args = [
      '-O',
      'OpenFlow14',
      ...flags,
      command,
      mgmtTarget(this.options, bridge),
      ...extra,
    ];
    return run(this.options.ofctl, args, { input, timeoutMs: this.options.timeoutMs, answers });
  }

  /**
   * Flow-mod lines (`add …`, `delete …`, `delete_strict …`) and packet-outs applied atomically
   * as one OpenFlow bundle, in order: a port's drop flow goes, then its announcements leave, in
   * one round trip (openflow/of14-connection.ts).
   */
  async bundle(bridge: string, lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return;
    const timeoutMs = bundleTimeoutMs(this.options.timeoutMs, lines.length);
    await this.openflow.use(bridge, async (connection) => {
      const installed = this.installedOn(bridge, connection);
      const narrowed = installed.narrow(await this.numbered(bridge, lines, connection, timeoutMs));
      await this.send(installed, connection, [{ lines: narrowed.lines }], timeoutMs, 'the bundle');
      narrowed.commit();
    });
  }

  /**
   * A port's policing in one exchange: its `clear` flows go, meter `id` is deleted and, for a
   * rate, added again and the port's `flows` written. A 1.4 bundle cannot carry meter mods, so
   * these are bundles and messages back to back, answered by one barrier (the switch takes one
   * connection's messages in order). Deleting a meter also deletes the flows that use it.
   */
  async police(
    bridge: string,
    id: number,
    clear: readonly string[],
    then?: { rate: Meter; flows: readonly string[] },
  ): Promise<void> {
    const timeoutMs = bundleTimeoutMs(this.options.timeoutMs, clear.length + 2);
    await this.openflow.use(bridge, async (connection) => {
      const installed = this.installedOn(bridge, connection);
      const cleared = installed.narrow(await this.numbered(bridge, clear, connection, timeoutMs));
      cleared.commit();
      installed.forgetUsing(`meter:${id},`);
      const flows = then ? await this.numbered(bridge, then.flows, connection, timeoutMs) : [];
      const written = installed.narrow(flows);
      const steps: PipelineStep[] = [
        { lines: cleared.lines },
        { message: (xid) => encodeMeterMod(xid, MeterCommand.delete, id), what: `meter ${id}` },
      ];
      if (then) {
        steps.push(
          {
            message: (xid) => encodeMeterMod(xid, MeterCommand.add, id, then.rate),
            what: `meter ${id} at ${then.rate.kbps} kbps`,
          },
          { lines: written.lines },
        );
      }
      await this.send(installed, connection, steps, timeoutMs, `the policing of meter ${id}`);
      written.commit();
    });
  }

  /** Lines with their port names numbered: compared by number, a port created again has new flows. */
  private async numbered(
    bridge: string,
    lines: readonly string[],
    connection: Of14Connection,
    timeoutMs: number,
  ): Promise<readonly string[]> {
    const names = new Set(lines.flatMap(portNames));
    if (names.size === 0) return lines;
    const resolve = connection.resolver(
      await this.portNumbers(bridge, names, connection, timeoutMs),
    );
    return lines.map((line) => numberPorts(line, resolve));
  }

  /** A pipeline on the connection; a failure leaves nothing known of what the table holds. */
  private async send(
    installed: InstalledFlows,
    connection: Of14Connection,
    steps: PipelineStep[],
    timeoutMs: number,
    what: string,
  ): Promise<void> {
    this.linesSent += steps.reduce((n, step) => n + ('lines' in step ? step.lines.length : 0), 0);
    try {
      await connection.pipeline(steps, timeoutMs, what);
    } catch (error) {
      installed.forgetAll();
      throw error;
    }
  }

  /** Port reads by asking the switch, since this client was made (the replica answers the rest). */
  portDescriptionReads = 0;

  private async portNumbers(
    bridge: string,
    names: ReadonlySet<string>,
    connection: Of14Connection,
    timeoutMs: number,
  ): Promise<ReadonlyMap<string, number>> {
    const known = await this.ofportsOn?.(bridge);
    if (known && [...names].every((name) => known.has(name))) return known;
    this.portDescriptionReads++;
    return connection.portNumbers(timeoutMs);
  }

  /** Flow-mod lines sent since this client was made (what "only the difference" saves shows here). */
  linesSent = 0;

  /**
   * What this host wrote on each bridge over its current connection (openflow/installed-flows.ts):
   * a new connection, as after ovs-vswitchd restarted, starts knowing nothing.
   */
  private readonly installed = new Map<
    string,
    { connection: Of14Connection; flows: InstalledFlows }
  >();

  private installedOn(bridge: string, connection: Of14Connection): InstalledFlows {
    const known = this.installed.get(bridge);
    if (known && known.connection === connection) return known.flows;
    const flows = new InstalledFlows();
    this.installed.set(bridge, { connection, flows });
    return flows;
  }

  /** The bridge's flows' cookies and counters, those whose cookie matches `cookie/mask`. */
  private async flowStats(bridge: string, cookie: bigint, mask: bigint) {
    return this.openflow.use(bridge, async (connection) =>
      (
        await connection.multipart(
          (xid) => encodeFlowStatsRequest(xid, cookie, mask),
          this.options.timeoutMs,
          'flow statistics',
        )
      ).flatMap(decodeFlowStats),
    );
  }

  /** Packets and bytes per cookie of the bridge's ACL rule flows (flows.ts, ruleCookies). */
  async ruleStats(bridge: string): Promise<Map<bigint, FlowStats>> {
    const stats = new Map<bigint, FlowStats>();
    for (const { cookie, packets, bytes } of await this.flowStats(bridge, RULE_BIT, RULE_BIT)) {
      const sum = stats.get(cookie) ?? { packets: 0, bytes: 0 };
      stats.set(cookie, {
        packets: sum.packets + Number(packets),
        bytes: sum.bytes + Number(bytes),
      });
    }
    return stats;
  }

  /** How many flows each cookie has (cookie 0 left out, as `dump-flows --no-stats` shows it). */
  async flowCookies(bridge: string): Promise<Map<bigint, number>> {
    const all = new Map<bigint, number>();
    for (const { cookie } of await this.flowStats(bridge, 0n, 0n)) {
      all.set(cookie, (all.get(cookie) ?? 0) + 1);
    }
    // What this host believes it installed must still be there, flow for flow.
    this.installed.get(bridge)?.flows.check(all);
    all.delete(0n);
    return all;
  }

  /** `ovs-ofctl dump-flows` of the flows matching `match`, with their ages (`duration=`). */
  async dumpFlowsWithStats(bridge: string, match: string): Promise<string> {
    return this.exec('dump-flows', bridge, [match]);
  }

  /** `ovs-ofctl dump-flows --no-stats` of the flows matching `match` (e.g. `table=5`). */
  async dumpFlows(bridge: string, match: string): Promise<string> {
    return this.exec('dump-flows', bridge, ['--no-stats', match]);
  }

  /**
   * `ovs-ofctl diff-flows` of the bridge against `flows` (specs, port names allowed): ovs-ofctl
   * parses both sides into its own form, so the comparison is by content. Empty: they match.
   * OpenFlow 1.4 on both sides: at 1.0 a stored goto_table reads back as resubmit.
   */
  async diffFlows(bridge: string, flows: readonly string[]): Promise<string> {
    return this.withFile(flows, (file) =>
      this.exec('diff-flows', bridge, [file], undefined, ['--names'], [2]),
    );
  }

  /** Makes the bridge's table equal `flows` in one bundle, touching only the flows that differ. */
  async replaceFlows(bridge: string, flows: readonly string[]): Promise<void> {
    // The repaired table is written by ovs-ofctl: what this host knew of it no longer holds.
    this.installed.get(bridge)?.flows.forgetAll();
    await this.withFile(flows, (file) =>
      this.exec('replace-flows', bridge, [file], undefined, ['--names', '--bundle']),
    );
  }

  /** diff-flows and replace-flows read files only (`-` is taken for a bridge name). */
  private async withFile<T>(lines: readonly string[], use: (file: string) => Promise<T>) {
    const dir = await mkdtemp(join(tmpdir(), 'poolnet-flows-'));
    try {
      const file = join(dir, 'flows');
      await writeFile(file, lines.map((line) => `${line}\n`).join(''));
      return await use(file);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async meters(bridge: string): Promise<Map<number, Meter>> {
    const bodies = await this.openflow.use(bridge, (connection) =>
      connection.multipart(encodeMeterConfigRequest, this.options.timeoutMs, 'meter config'),
    );
    return new Map(
      bodies
        .flatMap(decodeMeterConfig)
        .map(({ meterId, kbps, burstKb }) => [meterId, { kbps, burstKb }]),
    );
  }

  /**
   * Ports' `flood`/`no-flood` config over the bridge's OpenFlow 1.0 session (OFPPC_NO_FLOOD
   * exists in 1.0 only; Open vSwitch keeps it for NORMAL's flood), kept open like the 1.4 one:
   * a session per change cost a connect, hellos and a close on both sides. Returns the ports it
   * skipped because they have no OpenFlow port yet (device absent).
   */
  async setFlood(bridge: string, ports: readonly PortFlood[]): Promise<string[]> {
    if (ports.length === 0) return [];
    return this.openflow10.use(bridge, (connection) =>
      setPortFloodOn(connection, ports, this.options.timeoutMs),
    );
  }

  /** The names of the bridge's ports whose config has NO_FLOOD. */
  async noFloodPorts(bridge: string): Promise<Set<string>> {
    return this.openflow10.use(bridge, (connection) =>
      noFloodPortsOn(connection, this.options.timeoutMs),
    );
  }

  /** Live port statistics (OVSDB's Interface:statistics is refreshed only every 5 s). */
  async portStats(bridge: string): Promise<PortCounters[]> {
    const { timeoutMs } = this.options;
    const [names, bodies] = await this.openflow.use(bridge, (connection) =>
      Promise.all([
        connection.portNumbers(timeoutMs),
        connection.multipart(encodePortStatsRequest, timeoutMs, 'port statistics'),
      ]),
    );
    const byNumber = new Map([...names].map(([name, number]) => [number, name]));
    byNumber.set(OFPP.local, 'LOCAL'); // the bridge's own port, as ovs-ofctl names it
    // All ones: a counter the port does not have (ovs-ofctl prints `?`).
    const n = (value: bigint) => (value === 0xffff_ffff_ffff_ffffn ? 0 : Number(value));
    return bodies.flatMap(decodePortStats).map((s) => ({
      port: byNumber.get(s.portNo) ?? String(s.portNo),
      rxPackets: n(s.rxPackets),
      rxBytes: n(s.rxBytes),
      rxDropped: n(s.rxDropped),
      txPackets: n(s.txPackets),
      txBytes: n(s.txBytes),
      txDropped: n(s.txDropped),
    }));
  }

  /** Closes the bridges' OpenFlow connections. */
  async close(): Promise<void> {
    await Promise.all([this.openflow.close(), this.openflow10.close()]);
  }

  /** OpenFlow sessions opened so far, 1.4 and 1.0, over every bridge. */
  sessionsOpened(): number {
    let opened = 0;
    for (const connections of [this.openflow, this.openflow10]) {
      for (const count of connections.opened.values()) opened += count;
    }
    return opened;
  }

  /** How many times each bridge's OpenFlow connection was opened (reconnects show here). */
  connectionsOpened(bridge: string): number {
    return this.openflow.opened.get(bridge) ?? 0;
  }
}

export interface FlowStats {
  packets: number;
  bytes: number;
}

/** ovs-appctl to the ovs-vswitchd of the run dir. */
export class Appctl {
  /**
   * `ofportsOn` numbers a bridge's ports without asking the switch (the OVSDB replica's
   * `ofport`s); the switch's port descriptions are read only for a name it does not know yet.
   */
  constructor(
    private readonly options: ResolvedOvsOptions,
    private readonly ofportsOn?: (bridge: string) => Promise<ReadonlyMap<string, number>>,
  ) {}

  async call(command: string, args: string[] = []): Promise<string> {
    const target = [
      '-t',
      this.options.vswitchdControl,
      `--timeout=${Math.ceil(this.options.timeoutMs / 1000)}`,
    ];
    return run(this.options.appctl, [...target, command, ...args], {
      env: { ...process.env, OVS_RUNDIR: this.options.runDir },
      timeoutMs: this.options.timeoutMs,
    });
  }
}
