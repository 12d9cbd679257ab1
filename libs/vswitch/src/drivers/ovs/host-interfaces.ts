import type { HostInterface } from '../../model/host-state.js';
import type { IpConfig } from '../../model/topology.js';
import type { Operation } from '../../planner/operation.js';
import { DhcpClients, type DhcpFamily } from './dhcp-client.js';
import { run } from './exec.js';
import { gratuitousArp, neighbourAdvertisement } from './announce.js';
import { packetOut } from './flows.js';
import type { Ofctl } from './ovs-clients.js';
import { RouterAdvertisements } from './router-advertisements.js';
import type { Vsctl } from './vsctl.js';
import type { ResolvedOvsOptions } from './ovs-options.js';
import { asMap, asOptionalNumber, asString, asUuid, asUuids, type Row } from './ovsdb-json.js';

/** The host's record of each interface it configured, in Open_vSwitch's external_ids. */
const RECORD = 'poolnet-if-';

type InterfaceOp = Extract<Operation, { kind: 'setHostInterface' | 'deleteHostInterface' }>;

export const isInterfaceOp = (op: Operation): op is InterfaceOp =>
  op.kind === 'setHostInterface' || op.kind === 'deleteHostInterface';

interface IpAddrInfo {
  family: 'inet' | 'inet6';
  local: string;
  prefixlen: number;
  scope: string;
}
interface IpLink {
  ifname: string;
  address?: string;
  flags: string[];
  addr_info: IpAddrInfo[];
}
interface IpRoute {
  dst: string;
  gateway?: string;
  dev?: string;
}

const FAMILY = { 4: 'inet', 6: 'inet6' } as const;

/** The Linux device that holds the interface's addresses: its internal port or its PIF. */
const deviceOf = (iface: HostInterface): string => (iface.bridge ? iface.name : iface.device);

/** A record as ovs-vsctl takes it in a map value without quoting: base64url of the JSON. */
const encode = (iface: HostInterface): string =>
  Buffer.from(JSON.stringify(iface)).toString('base64url');

const decode = (text: string): HostInterface | undefined => {
  try {
    return JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as HostInterface;
  } catch {
    return undefined;
  }
};

/**
 * The host's own interfaces on Open vSwitch and Linux (DESIGN §1, host interfaces): an internal
 * port on the uplink bridge (tagged with the VLAN) or the PIF itself, given its addresses and
 * default routes with iproute2, in the namespace ovs-vswitchd runs in (its internal ports
 * appear there). What it configured is recorded in Open_vSwitch's external_ids; reading back
 * checks each record against the switch and the kernel, so an address, route or port removed
 * by hand reads as missing and is put back. Each family in `dhcp` mode gets a DHCP client of
 * the host's (dhcp-client.ts: `dhclient -4` or `-6`) once its device exists, stopped with a
 * release when the interface goes, moves to another mode, or its device was recreated (then
 * started again); without the `dhcp` option the machine's own clients keep the lease. IPv6 in
 * `autoconf` or `dhcp` mode has the device accept router advertisements (router-advertisements
 * .ts), read back like a client: undone by hand, it reads as not configured and is set again.
 * What a client leased (or SLAAC configured) reads back as `leased`, never as the
 * configuration; the DNS servers the leases carry are `leasedDns` (the resolver's fallback).
 */
export class OvsHostInterfaces {
  private readonly dhcp: DhcpClients | undefined;
  private readonly routerAds: RouterAdvertisements;

  constructor(
    private readonly options: ResolvedOvsOptions,
    private readonly vsctl: Vsctl,
    private readonly ofctl: Ofctl,
  ) {
    this.dhcp = options.dhcp && new DhcpClients(options, options.dhcp, (args) => this.ip(args));
    this.routerAds = new RouterAdvertisements(options);
  }

  async apply(op: InterfaceOp): Promise<void> {
    if (op.kind === 'deleteHostInterface') return this.remove(op.iface);
    const { iface } = op;
    if (iface.bridge) {
      // In one transaction: a port already there stays (the same name deleted and added is no
      // change to ovs-vswitchd), one on another bridge moves.
      await this.vsctl.transact([
        ['--if-exists', 'del-port', iface.name],
        ['add-port', iface.bridge, iface.name],
        ['set', 'Interface', iface.name, 'type=internal'],
        iface.vlan === undefined
          ? ['clear', 'Port', iface.name, 'tag']
          : ['set', 'Port', iface.name, `tag=${iface.vlan}`],
      ]);
    }
    const device = deviceOf(iface);
    await this.waitForDevice(device);
    // A client left from dhcp mode releases its lease before another mode takes its place (and
    // before IPv6 is restarted for SLAAC, which takes the address the release is sent from).
    for (const family of [4, 6] as const) {
      if (configOf(iface, family).mode !== 'dhcp') await this.dhcp?.stop(device, family);
    }
    if (dynamic(iface.ipv6)) {
      const [link] = JSON.parse(await this.ip(['-j', 'link', 'show', 'dev', device])) as IpLink[];
      const up = link?.flags.includes('UP') ?? false;
      await this.routerAds.accept(device, iface.ipv6.mode === 'autoconf', up);
    }
    if (iface.ipv6.mode === 'static') await this.routerAds.noSlaac(device);
    await this.ip(['link', 'set', 'dev', device, 'up']);
    for (const family of [4, 6] as const) {
      await this.setAddress(device, family, configOf(iface, family));
    }
    for (const family of [4, 6] as const) {
      if (configOf(iface, family).mode === 'dhcp') await this.dhcp?.ensure(device, family);
    }
    await this.announce(iface, device);
    await this.vsctl.transact([
      ['set', 'Open_vSwitch', '.', `external_ids:${RECORD}${iface.name}=${encode(iface)}`],
    ]);
  }

  /**
   * What holds of each recorded interface, as the planner compares it with the desired one,
   * from the rows readActual lists anyway (the Open_vSwitch row, bridges, ports, interfaces).
   */
  async read(tables: {
    system: Row[];
    bridges: Row[];
    ports: Row[];
    interfaces: Row[];
  }): Promise<HostInterface[]> {
    const { system, bridges, ports, interfaces } = tables;
    const records = recordsOf(system);
    if (records.length === 0) return [];
    const links = await this.links();
    const routes = [
      ...(JSON.parse(await this.ip(['-j', 'route', 'show', 'default'])) as IpRoute[]),
      ...(JSON.parse(await this.ip(['-j', '-6', 'route', 'show', 'default'])) as IpRoute[]),
    ];
    const portOn = portPlacement(bridges, ports, interfaces);
    const read: HostInterface[] = [];
    for (const iface of records) {
      if (iface.bridge && !samePlace(portOn.get(iface.name), iface)) continue;
      const link = links.get(deviceOf(iface));
      if (!link?.flags.includes('UP')) continue;
      const held = (family: 4 | 6, config: IpConfig): IpConfig =>
        heldConfig(config, link, family, routes);
      const leased = leasedAddresses(iface, link);
      const served = async (family: DhcpFamily): Promise<boolean> => {
        const config = configOf(iface, family);
        // No client on the device as it is now: the repair starts one (the drift pass
        // supervises); a device that stopped taking router advertisements is set again.
        if (config.mode === 'dhcp' && this.dhcp && !(await this.dhcp.running(link.ifname, family)))
          return false;
        if (family === 6 && dynamic(config)) {
          return this.routerAds.accepting(link.ifname, config.mode === 'autoconf');
        }
        return true;
      };
      read.push({
        ...iface,
        ipv4: (await served(4)) ? held(4, iface.ipv4) : { mode: 'none' },
        ipv6: (await served(6)) ? held(6, iface.ipv6) : { mode: 'none' },
        ...(leased.length > 0 ? { leased } : {}),
      });
    }
    return read;
  }

  /**
   * Per recorded interface in `dhcp` or `autoconf` mode, the addresses its device holds now
   * (what reports show; cheaper than a full read-back: one OVSDB row and one `ip addr`).
   */
  async leases(): Promise<Map<string, string[]>> {
    const [system = []] = await this.vsctl.list([['Open_vSwitch', 'external_ids']]);
    const records = recordsOf(system).filter((i) => dynamic(i.ipv4) || dynamic(i.ipv6));
    if (records.length === 0) return new Map();
    const links = await this.links();
    return new Map(
      records.map((i) => {
        const link = links.get(deviceOf(i));
        return [i.name, link ? leasedAddresses(i, link) : []];
      }),
    );
  }

  /**
   * Per recorded interface with a family in `dhcp` mode, the DNS servers its clients' leases
   * carry now (for the management interface's resolver when the log gives it none).
   */
  async leasedDns(): Promise<Map<string, string[]>> {
    const dhcp = this.dhcp;
    if (!dhcp) return new Map();
    const [system = []] = await this.vsctl.list([['Open_vSwitch', 'external_ids']]);
    const records = recordsOf(system).filter(
      (i) => i.ipv4.mode === 'dhcp' || i.ipv6.mode === 'dhcp',
    );
    const found = new Map<string, string[]>();
    for (const i of records) found.set(i.name, await dhcp.dns(deviceOf(i)));
    return found;
  }

  private async remove(iface: HostInterface): Promise<void> {
    // Released while the port is still there to send the DHCPRELEASE from.
    await this.dhcp?.stop(deviceOf(iface));
    const commands = [
      ['--if-exists', 'remove', 'Open_vSwitch', '.', 'external_ids', `${RECORD}${iface.name}`],
    ];
    if (iface.bridge) commands.unshift(['--if-exists', 'del-port', iface.name]);
    else {
      // The PIF stays; the addresses written on it go (a lease of the machine's client stays).
      for (const config of [iface.ipv4, iface.ipv6]) {
        if (config.mode === 'static') {
          await this.ip(['addr', 'del', config.address, 'dev', iface.device]).catch(() => '');
        }
      }
    }
    await this.vsctl.transact(commands);
  }

  /** Exactly the static address of the family (others of global scope go), and its route. */
  private async setAddress(device: string, family: 4 | 6, config: IpConfig): Promise<void> {
    if (config.mode === 'dhcp' || config.mode === 'autoconf') return;
    const [link] = JSON.parse(await this.ip(['-j', 'addr', 'show', 'dev', device])) as IpLink[];
    const global = (link?.addr_info ?? []).filter(
      (a) => a.family === FAMILY[family] && a.scope === 'global',
    );
    const want = config.mode === 'static' ? config.address : undefined;
    for (const a of global) {
      const text = `${a.local}/${a.prefixlen}`;
      if (text !== want) await this.ip([`-${family}`, 'addr', 'del', text, 'dev', device]);
    }
    if (want && !global.some((a) => `${a.local}/${a.prefixlen}` === want)) {
      // IPv6 duplicate address detection would hold the address back (tentative) for a second.
      const nodad = family === 6 ? ['nodad'] : [];
      await this.ip([`-${family}`, 'addr', 'add', want, 'dev', device, ...nodad]);
    }
    if (config.mode === 'static' && config.gateway) {
      const route = ['route', 'replace', 'default', 'via', config.gateway, 'dev', device];
      await this.ip([`-${family}`, ...route]);
    }
  }

  /**
   * A gratuitous ARP from an internal port's static IPv4 address, and an unsolicited neighbour
   * advertisement (override) from its static IPv6 one, sent into its bridge as if the port sent
   * them, after every apply that wrote the interface. A moved interface is a new internal
   * port with a new MAC, on another bridge and maybe other NICs: without it, neighbours (the
   * gateway, the pool's other hosts) keep the old MAC until their cache entry times out, and a
   * physical switch the old port, so a moved management address went unanswered for up to a
   * minute. An address on the PIF itself is the kernel's to announce.
   */
  private async announce(iface: HostInterface, device: string): Promise<void> {
    const { ipv4, ipv6 } = iface;
    if (!iface.bridge || (ipv4.mode !== 'static' && ipv6.mode !== 'static')) return;
    const [link] = JSON.parse(await this.ip(['-j', 'link', 'show', 'dev', device])) as IpLink[];
    const mac = link?.address;
    if (!mac) return;
    const frames = [
      ...(ipv4.mode === 'static' ? [gratuitousArp(mac, ipv4.address.split('/')[0]!)] : []),
      ...(ipv6.mode === 'static' ? [neighbourAdvertisement(mac, ipv6.address.split('/')[0]!)] : []),
    ];
    const lines = frames.map((frame) => packetOut(iface.name, frame.toString('hex')));
    await this.ofctl.bundle(iface.bridge, lines);
  }

  /** ovs-vsctl returns once ovs-vswitchd has the port; its tap device follows at once. */
  private async waitForDevice(device: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.ip(['link', 'show', 'dev', device]);
        return;
      } catch (error) {
        if (attempt >= 50) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  /** Every device in the host's namespace with its addresses, by name. */
  private async links(): Promise<Map<string, IpLink>> {
    const links = JSON.parse(await this.ip(['-j', 'addr', 'show'])) as IpLink[];
    return new Map(links.map((l) => [l.ifname, l]));
  }

  private ip(args: string[]): Promise<string> {
    const netns = this.options.netns ? ['-n', this.options.netns] : [];
    return run(this.options.ip, [...netns, ...args], { timeoutMs: this.options.timeoutMs });
  }
}

/** internal port name → its bridge and tag, for the ports that are internal. */
function portPlacement(bridges: Row[], ports: Row[], interfaces: Row[]) {
  const internal = new Set(
    interfaces.filter((i) => asString(i.type) === 'internal').map((i) => asUuid(i._uuid)),
  );
  const bridgeOf = new Map<string, string>();
  for (const b of bridges) for (const p of asUuids(b.ports)) bridgeOf.set(p, asString(b.name));
  const placed = new Map<string, { bridge: string; vlan?: number }>();
  for (const port of ports) {
    const uuid = asUuid(port._uuid) ?? '';
    const bridge = bridgeOf.get(uuid);
    if (!bridge || !asUuids(port.interfaces).some((i) => internal.has(i))) continue;
    placed.set(asString(port.name), { bridge, vlan: asOptionalNumber(port.tag) });
  }
  return placed;
}

const samePlace = (
  found: { bridge: string; vlan?: number } | undefined,
  iface: HostInterface,
): boolean => found !== undefined && found.bridge === iface.bridge && found.vlan === iface.vlan;

/** The interfaces the host recorded in the Open_vSwitch row's external_ids. */
const recordsOf = (system: Row[]): HostInterface[] =>
  [...asMap(system[0]?.external_ids)]
    .filter(([key]) => key.startsWith(RECORD))
    .flatMap(([, value]) => decode(String(value)) ?? []);

const configOf = (iface: HostInterface, family: DhcpFamily): IpConfig =>
  family === 4 ? iface.ipv4 : iface.ipv6;

/** A family whose address a server (DHCP) or the routers (SLAAC) give. */
const dynamic = (config: IpConfig): boolean => config.mode === 'dhcp' || config.mode === 'autoconf';

/** The global addresses of the families `iface` leaves to DHCP or SLAAC, as `ip/prefix`. */
function leasedAddresses(iface: HostInterface, link: IpLink): string[] {
  const families = new Set<string>([
    ...(dynamic(iface.ipv4) ? [FAMILY[4]] : []),
    ...(dynamic(iface.ipv6) ? [FAMILY[6]] : []),
  ]);
  return link.addr_info
    .filter((a) => families.has(a.family) && a.scope === 'global')
    .map((a) => `${a.local}/${a.prefixlen}`);
}

/**
 * A static address the device does not hold reads as `none`; its gateway, without the default
 * route through the device, reads as absent. Other modes read as recorded (the lease is not
 * the driver's to check).
 */
function heldConfig(config: IpConfig, link: IpLink, family: 4 | 6, routes: IpRoute[]): IpConfig {
  if (config.mode !== 'static') return config;
  const held = link.addr_info.some(
    (a) => a.family === FAMILY[family] && `${a.local}/${a.prefixlen}` === config.address,
  );
  if (!held) return { mode: 'none' };
  const { gateway, ...rest } = config;
  const routed = routes.some((r) => r.gateway === gateway && r.dev === link.ifname);
  return gateway && routed ? config : rest;
}
