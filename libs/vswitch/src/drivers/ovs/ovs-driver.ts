import { normalizeState } from '../../model/canonical.js';
import type { HostActualState, HostDesiredState } from '../../model/host-state.js';
import { needsDevice, type Operation } from '../../planner/operation.js';
import {
  DriverError,
  type DriftFinding,
  type PortCounters,
  type RuleCounters,
  type TunnelLiveness,
  type VSwitchDriver,
} from '../driver.js';
import { actualState, type Meter } from './actual-state.js';
import { BridgeAclRecords, withoutRepeatedRecords } from './acl-records.js';
import { sweep } from './drift-sweep.js';
import { CONCERN, deleteFlows, policingFlows, RULE_BIT, ruleCookies, TABLE } from './flows.js';
import { learnedGates } from './handover-flows.js';
import { Appctl, Ofctl } from './ovs-clients.js';
import { DRIVER_TABLES, Vsctl } from './vsctl.js';
import {
  resolveOvsOptions,
  type OvsDriverOptions,
  type ResolvedOvsOptions,
} from './ovs-options.js';
import { stepsFor, type OfStep, type OpSteps } from './ovs-steps.js';
import { EXT } from './ovsdb-commands.js';
import { asString, asStringMap, asUuid, asUuids } from './ovsdb-json.js';
import { watchDevices } from './device-watch.js';
import { OvsdbClient } from './ovsdb/client.js';
import { IfaceIdBinding } from './vif-binding.js';
import { collectQosRows } from './qos-gc.js';
import { commandChunks, inBatches, mergeSteps, type Tagged } from './batching.js';
import { isInterfaceOp, OvsHostInterfaces } from './host-interfaces.js';
import { readTunnelLiveness } from './tunnel-ports.js';

/** Operations whose OVSDB commands only write the host's own records (external_ids). */
const RECORDS_ONLY = new Set<Operation['kind']>([
  'setPortAcls',
  'setPortAddress',
  'setPortSecurity',
]);

/**
 * Open vSwitch through one OVSDB connection (a monitored replica for reads, one transaction per
 * phase: vsctl.ts) and one OpenFlow connection per bridge (bundles, meters, statistics:
 * ovs-clients.ts, Ofctl).
 */
export class OvsVSwitchDriver implements VSwitchDriver {
  readonly kind = 'ovs';
  readonly options: ResolvedOvsOptions;
  private readonly ovsdb: OvsdbClient;
  private readonly vsctl: Vsctl;
  private readonly ofctl: Ofctl;
  private readonly appctl: Appctl;
  private absent = new Set<string>();
  /** With `vifBinding: 'iface-id'`: which interface the hypervisor plugged for each VIF. */
  private readonly binding: IfaceIdBinding | undefined;
  private readonly interfaces: OvsHostInterfaces;

  constructor(options: OvsDriverOptions = {}) {
    this.options = resolveOvsOptions(options);
    this.ovsdb = new OvsdbClient({
      socket: this.options.dbSocket,
      tables: DRIVER_TABLES,
      timeoutMs: this.options.timeoutMs,
    });
    this.vsctl = new Vsctl(this.ovsdb);
    this.ofctl = new Ofctl(this.options, (bridge) => this.vsctl.ofportsOn(bridge));
    this.appctl = new Appctl(this.options);
    this.binding = this.options.vifBinding === 'iface-id' ? new IfaceIdBinding() : undefined;
    this.interfaces = new OvsHostInterfaces(this.options, this.vsctl, this.ofctl);
  }

  /**
   * The host's own interfaces around the switch's operations, in the planner's order: those
   * taken away first, those written once their uplink bridges exist (plan-interfaces.ts).
   */
  async apply(requested: readonly Operation[]): Promise<void> {
    const first = requested.findIndex((op) => !isInterfaceOp(op));
    const leading = first < 0 ? requested : requested.slice(0, first);
    for (const op of leading) await this.applyInterface(op);
    const rest = requested.slice(leading.length);
    await this.applySwitch(rest.filter((op) => !isInterfaceOp(op)));
    for (const op of rest.filter(isInterfaceOp)) await this.applyInterface(op);
  }

  private async applyInterface(op: Operation): Promise<void> {
    if (!isInterfaceOp(op)) return;
    try {
      await this.interfaces.apply(op);
    } catch (cause) {
      throw new DriverError(String(cause), op, { cause });
    }
  }

  private async applySwitch(requested: readonly Operation[]): Promise<void> {
    if (this.binding && requested.length > 0) {
      const [bridges = [], ports = [], interfaces = []] = await this.vsctl.list([
        ['Bridge', 'name,ports,external_ids'],
        ['Port', '_uuid,interfaces'],
        ['Interface', '_uuid,name,ofport,ifindex,external_ids'],
      ]);
      this.binding.refresh({ bridges, ports, interfaces });
    }
    const ops = this.binding ? this.binding.operations(requested) : requested;
    if (ops.length === 0) return;
    for (const op of ops) if (op.kind === 'deletePort') this.absent.delete(op.port);
    let next = 0;
    const id = () => `pn${next++}`;
    const planned = ops.map((op) => ({ op, steps: stepsFor(op, this.options, id) }));
    /** The ports with a device, once a step that names a port needs to know. */
    let devices: Map<string, number> | undefined;
    const plugged = (op: Operation) => !devices || !needsDevice(op) || devices.has(op.port);
    const phase = <K extends keyof OpSteps>(key: K): Tagged<OpSteps[K][number]>[] =>
      planned
        .filter(({ op }) => key === 'db' || plugged(op))
        .flatMap(({ op, steps }) => steps[key].map((step) => ({ op, step })));
    const devicesFor = (keys: (keyof OpSteps)[]) =>
      planned.some(
        ({ op, steps }) =>
          (needsDevice(op) || op.kind === 'setBridgeFlood') &&
          keys.some((k) => steps[k].length > 0),
      );

    if (devicesFor(['before'])) devices = await this.devices(ops);
    await this.openflow(phase('before'));
    // The transaction waits for ovs-vswitchd to reconfigure (a pass over every port) only when the
    // OpenFlow steps need what it does (ports, tags). external_ids alone need no wait (ovs-vswitchd
    // does not even read them), nor do operations with no OVSDB command in this phase (a
    // bridge's flood flows): raising next_cfg for them costs ovs-vswitchd a full reconfiguration.
    await this.transact(withoutRepeatedRecords(phase('db')), {
      wait: planned.some(({ op, steps }) => steps.db.length > 0 && !RECORDS_ONLY.has(op.kind)),
    });
    // A port whose device is absent gets its records and stays in the dead VLAN; the steps that
    // name it in OpenFlow (flows, meter, forwarding, announcements) wait for the device.
    if (devicesFor(['flows', 'afterDb', 'afterFlows'])) {
      const present = (devices = await this.devices(ops));
      // Nor do flooded frames get copied to a new port before it has its flows.
      for (const entry of planned) {
        if (entry.op.kind !== 'setBridgeFlood') continue;
        const ports = entry.op.ports.filter((port) => present.has(port));
        entry.steps.afterFlows = stepsFor({ ...entry.op, ports }, this.options, id).afterFlows;
      }
    }
    await this.openflow(phase('flows'));
    await this.transact(phase('afterDb'));
    await this.openflow(phase('afterFlows'));
    if (ops.some((op) => ['setPortQos', 'deletePort', 'deleteBridge'].includes(op.kind))) {
      await collectQosRows(this.vsctl);
    }
    // ovs-vswitchd does not revalidate cached datapath flows when a mirror changes, so traffic
    // already flowing would go unmirrored (or stay mirrored); drop the cache and let it refill.
    if (ops.some((op) => op.kind === 'setMirrors')) await this.appctl.call('revalidator/purge');
  }

  /** Closes the OVSDB and OpenFlow connections (a driver is otherwise used for the process's lifetime). */
  close(): void {
    this.ovsdb.close();
    void this.ofctl.close();
  }

  /**
   * VIF ports whose device is absent, as of the last `readActual` or `apply` (which see every
   * port they touch), and the watch below between them.
   */
  adoptedDevices(): Map<string, string> {
    return this.binding?.devices() ?? new Map<string, string>();
  }

  /**
   * What the OpenFlow path has cost since the driver started: flow-mod lines sent, how often
   * a bundle had to ask the switch for its port numbers because the OVSDB replica did not know a
   * port yet (each is a round trip more), and the OpenFlow sessions (1.4 and 1.0) it opened.
   */
  openflowCounters(): { linesSent: number; portDescriptionReads: number; sessionsOpened: number } {
    return {
      linesSent: this.ofctl.linesSent,
      portDescriptionReads: this.ofctl.portDescriptionReads,
      sessionsOpened: this.ofctl.sessionsOpened(),
    };
  }

  unpluggedPorts(): string[] {
    const absent = [...this.absent].map((name) => this.binding?.planned(name) ?? name);
    return [...new Set([...absent, ...(this.binding?.unplugged() ?? [])])].sort();
  }

  /**
   * Calls `onChange` when a device appears for a port waiting for one, or a port's device goes
   * away: the OVSDB monitor's updates of the Interface table's `ofport` and `ifindex` (ovs-vswitchd
   * sets them as soon as the kernel announces the device), so the member host converges at
   * once, not at its next drift pass. A port the host creates with its device present does
   * not call it (it was never waiting).
   */
  watchDevices(onChange: () => void): () => void {
    return watchDevices(this.ovsdb, ({ change, name, plugged, ifaceId }) => {
      // The host's own port creations (inserts) are not news; the hypervisor's may be.
      if (this.binding?.concerns(ifaceId, name)) onChange();
      else if (change === 'modify' && (!plugged || this.absent.has(name))) onChange();
    });
  }

  /** The interfaces with a device (and their OpenFlow ports); updates `absent` for `ops`' ports. */
  private async devices(ops: readonly Operation[]): Promise<Map<string, number>> {
    const ofports = await this.vsctl.ofports();
    for (const op of ops.filter(needsDevice)) {
      if (ofports.has(op.port)) this.absent.delete(op.port);
      else this.absent.add(op.port);
    }
    return ofports;
  }

  async readActual(): Promise<HostActualState> {
    const [
      bridges = [],
      ports = [],
      interfaces = [],
      mirrors = [],
      qos = [],
      queues = [],
      system = [],
    ] = await this.vsctl.list([
      ['Bridge', '_uuid,name,ports,mirrors,external_ids'],
      ['Port', '_uuid,name,interfaces,tag,qos,bond_mode,lacp,protected'],
      ['Interface', '_uuid,name,type,options,bfd,ofport,ifindex,mtu_request,external_ids'],
      ['Mirror', '_uuid,name,select_src_port,select_dst_port,output_port,external_ids'],
      ['QoS', '_uuid,type,queues,external_ids'],
      ['Queue', '_uuid,other_config,external_ids'],
      ['Open_vSwitch', 'external_ids'],
    ]);
    const names = bridges
      .filter((b) => asStringMap(b.external_ids).has(EXT.network))
      .map((b) => asString(b.name));
    const flows = new Map<string, Map<bigint, number>>();
    const meters = new Map<string, Map<number, Meter>>();
    const announcements = new Map<string, number>();
    await inBatches(names, async (name) => {
      const cookies = await this.ofctl.flowCookies(name);
      flows.set(name, cookies);
      // Meters only matter where a port has a policing flow; skip the second dump elsewhere.
      const policed = [...cookies.keys()].some((c) => (c & 0xffn) === BigInt(CONCERN.qos));
      meters.set(name, policed ? await this.ofctl.meters(name) : new Map<number, Meter>());
      // When a VM announced itself, from the learned gate's age (handover-flows.ts).
      if ([...cookies.keys()].some((c) => (c & 0xffn) === BigInt(CONCERN.announced))) {
        const dump = await this.ofctl.dumpFlowsWithStats(name, `table=${TABLE.handover}`);
        const gated = handoverPorts(interfaces);
        for (const [port, { at }] of learnedGates(dump, gated, Date.now())) {
          announcements.set(port, at);
        }
      }
    });
    const tables = { bridges, ports, interfaces, mirrors, qos, queues };
    this.binding?.refresh(tables);
    const read = actualState({
      tables,
      flows,
      meters,
      announcements,
      tunnelBfdMs: this.options.tunnelBfdMs,
    });
    const bound = this.binding ? this.binding.actual(read) : read;
    this.absent = new Set(
      bound.bridges.flatMap((b) => b.ports.filter((p) => p.plugged === false).map((p) => p.name)),
    );
    const own = await this.interfaces.read({ system, bridges, ports, interfaces });
    return own.length > 0 ? normalizeState({ ...bound, interfaces: own }) : bound;
  }

  interfaceLeases(): Promise<Map<string, string[]>> {
    return this.interfaces.leases();
  }

  leasedDns(): Promise<Map<string, string[]>> {
    return this.interfaces.leasedDns();
  }

  /** Every flow and port of the owned bridges against `desired`, by content (drift-sweep.ts). */
  sweep(desired: HostDesiredState): Promise<DriftFinding[]> {
    const bound = this.binding ? this.binding.desired(desired) : desired;
    return sweep(bound, { vsctl: this.vsctl, ofctl: this.ofctl, options: this.options });
  }

  /** Each overlay tunnel's BFD state, by tunnel port name (tunnel-ports.ts). */
  async tunnelLiveness(): Promise<Map<string, TunnelLiveness>> {
    // bfd_status is not monitored: ovs-vswitchd rewrites it on its own, and only this reads it.
    const interfaces = await this.vsctl.select('Interface', ['name', 'bfd_status', 'external_ids']);
    return readTunnelLiveness(interfaces);
  }

  /** Live OpenFlow port statistics of VIF ports; rx is what the VM sent into the switch. */
  async counters(): Promise<PortCounters[]> {
    const [bridges = [], interfaces = []] = await this.vsctl.list([
      ['Bridge', 'name,external_ids'],
      ['Interface', 'name,external_ids'],
    ]);
    const vifs = new Set(
      interfaces
        .filter((i) => asStringMap(i.external_ids).has(EXT.vif))
        .map((i) => asString(i.name)),
    );
    const counters: PortCounters[] = [];
    const names = bridges.filter((b) => asStringMap(b.external_ids).has(EXT.network));
    await inBatches(names, async (bridge) => {
      const stats = await this.ofctl.portStats(asString(bridge.name));
      const named = (c: PortCounters) => ({ ...c, port: this.binding?.planned(c.port) ?? c.port });
      counters.push(...stats.filter((c) => vifs.has(c.port)).map(named));
    });
    return counters.sort((a, b) => a.port.localeCompare(b.port));
  }

  /**
   * Hits per ACL rule of VIF ports, from one stats dump of the rule flows per bridge: a flow's
   * cookie names its port and the rule's slot, given back by the rules the host stored for the
   * port (acl-records.ts).
   */
  async ruleCounters(): Promise<RuleCounters[]> {
    const [bridges = [], ports = [], interfaces = []] = await this.vsctl.list([
      ['Bridge', 'name,ports,external_ids'],
      ['Port', '_uuid,interfaces'],
      ['Interface', '_uuid,name,external_ids'],
    ]);
    const rules = new Map<bigint, { port: string; rule: string }>();
    const ifaces = new Map(interfaces.map((i) => [asUuid(i._uuid) ?? '', i]));
    const portIfaces = new Map(ports.map((p) => [asUuid(p._uuid) ?? '', asUuids(p.interfaces)]));
    for (const bridge of bridges) {
      const records = new BridgeAclRecords(asStringMap(bridge.external_ids));
      for (const uuid of asUuids(bridge.ports).flatMap((p) => portIfaces.get(p) ?? [])) {
        const iface = ifaces.get(uuid);
        const acls = iface && records.portRules(asStringMap(iface.external_ids));
        if (!iface || !acls) continue;
        const port = asString(iface.name);
        const cookies = ruleCookies(
          port,
          acls.map(({ id }) => id),
        );
        acls.forEach(({ id }, index) => {
          const c = cookies[index]!;
          if (c & RULE_BIT) rules.set(c, { port, rule: id });
        });
      }
    }
    const counters: RuleCounters[] = [];
    const names = bridges.filter((b) => asStringMap(b.external_ids).has(EXT.network));
    await inBatches(names, async (bridge) => {
      for (const [c, { packets, bytes }] of await this.ofctl.ruleStats(asString(bridge.name))) {
        const owner = rules.get(c);
        const port = owner && (this.binding?.planned(owner.port) ?? owner.port);
        if (owner && port) counters.push({ ...owner, port, packets, bytes });
      }
    });
    return counters.sort((a, b) => a.port.localeCompare(b.port) || a.rule.localeCompare(b.rule));
  }

  /**
   * One OVSDB transaction, or several in order for a very large phase (batching.ts): only the
   * last waits for ovs-vswitchd, which then has them all.
   */
  private async transact(commands: Tagged<string[]>[], { wait = true } = {}): Promise<void> {
    const chunks = commandChunks(commands);
    for (const [i, chunk] of chunks.entries())
      await this.transactChunk(chunk, wait && i === chunks.length - 1);
  }

  private async transactChunk(commands: Tagged<string[]>[], wait: boolean): Promise<void> {
    try {
      await this.vsctl.transact(
        commands.map((c) => c.step),
        { wait },
      );
    } catch (cause) {
      const ops = new Set(commands.map((c) => c.op));
      const only = ops.size === 1 ? commands[0]?.op : undefined;
      const message = `OVSDB transaction for ${ops.size} operation(s) failed: ${String(cause)}`;
      throw new DriverError(message, only, { cause });
    }
  }

  /**
   * Bridges are independent, so each bridge's steps run in order while bridges run side by side;
   * a bridge's consecutive bundles go as one bundle.
   */
  private async openflow(steps: Tagged<OfStep>[]): Promise<void> {
    const byBridge = new Map<string, Tagged<OfStep>[]>();
    for (const step of steps) {
      byBridge.set(step.step.bridge, [...(byBridge.get(step.step.bridge) ?? []), step]);
    }
    let ofports: Promise<Map<string, number>> | undefined;
    await inBatches([...byBridge.values()], async (bridgeSteps) => {
      for (const { op, step } of mergeSteps(bridgeSteps)) {
        try {
          if (step.kind === 'bundle') await this.ofctl.bundle(step.bridge, step.lines);
          else if (step.kind === 'portFlood') await this.ofctl.setFlood(step.bridge, step.ports);
          else await this.setMeter(step, await (ofports ??= this.vsctl.ofports()));
        } catch (cause) {
          throw new DriverError(String(cause), op, { cause });
        }
      }
    });
  }

  /**
   * Meters are numbered after the port's OpenFlow port: unique on the bridge while the port
   * lives, with no allocator to keep. The old meter and its flow go first.
   */
  private async setMeter(step: Extract<OfStep, { kind: 'meter' }>, ofports: Map<string, number>) {
    const { bridge, port, kbps, burstKb } = step;
    const clear = [deleteFlows(port, 'qos')];
    const meter = ofports.get(port);
    if (meter === undefined) {
      if (kbps > 0) throw new Error(`port ${port} has no OpenFlow port (is its device missing?)`);
      await this.ofctl.bundle(bridge, clear);
      return;
    }
    const rate =
      kbps > 0 ? { rate: { kbps, burstKb }, flows: policingFlows(port, meter) } : undefined;
    await this.ofctl.police(bridge, meter, clear, rate);
  }
}

/** The ports the host armed or watches for a migration (EXT.handover), by name. */
const handoverPorts = (interfaces: readonly Record<string, unknown>[]): string[] =>
  interfaces
    .filter((i) => asStringMap(i.external_ids).has(EXT.handover))
    .map((i) => asString(i.name));
