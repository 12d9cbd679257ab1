import type { PifInventory } from '@pool/domain';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** What a host joins its pool with. */
export interface NicInventory {
  pifs: PifInventory[];
  managementDevice: string;
}

export interface InventorySource {
  driver: 'memory' | 'ovs';
  pool: string;
  host: string;
  file?: string;
  /** Only these devices (ovs); default every physical NIC. */
  devices?: string[];
  managementDevice?: string;
  netns?: string;
}

export async function loadInventory(source: InventorySource): Promise<NicInventory> {
  let pifs: PifInventory[];
  let management: string | undefined = source.managementDevice;
  if (source.file) {
    const parsed = JSON.parse(await readFile(source.file, 'utf8')) as
      PifInventory[] | { pifs: PifInventory[]; managementDevice?: string };
    pifs = Array.isArray(parsed) ? parsed : parsed.pifs;
    if (!Array.isArray(parsed)) management ??= parsed.managementDevice;
  } else if (source.driver === 'memory') {
    // The in-memory datapath has the NICs it is told to have (PIF_DEVICES), eth0 by default.
    pifs = (source.devices ?? ['eth0']).map((device) => ({
      device,
      mac: syntheticMac(source, device),
      mtu: 1500,
      speedMbps: 10_000,
      carrier: true,
    }));
  } else {
    pifs = await systemNics(source.netns, source.devices);
  }
  if (source.devices) pifs = pifs.filter((p) => source.devices!.includes(p.device));
  const first = pifs[0]?.device;
  if (!first) throw new Error('the NIC inventory is empty: a host joins with at least one NIC');
  return { pifs, managementDevice: management ?? first };
}

/** A stable, locally administered unicast MAC per pool and host (memory datapath only). */
function syntheticMac({ pool, host }: { pool: string; host: string }, device: string): string {
  // eth0 keeps the MAC it had before hosts could have several synthetic NICs.
  const key = device === 'eth0' ? `${pool}/${host}` : `${pool}/${host}/${device}`;
  const hash = createHash('sha256').update(key).digest();
  const octets = [0x02, ...hash.subarray(0, 5)];
  return octets.map((o) => o.toString(16).padStart(2, '0')).join(':');
}

interface IpLink {
  ifname: string;
  address?: string;
  mtu: number;
  flags?: string[];
  link_type?: string;
  linkinfo?: { info_kind?: string };
}

/**
 * The host's NICs from `ip -json -details link` (in `netns` when set): Ethernet devices with no
 * link kind (real hardware; veth, bridges, OVS ports and the like all have one), or exactly
 * the listed devices whatever they are.
 */
async function systemNics(netns: string | undefined, devices?: string[]): Promise<PifInventory[]> {
  const ns = netns ? ['-n', netns] : [];
  const { stdout } = await exec('ip', [...ns, '-json', '-details', 'link', 'show']);
  const links = (JSON.parse(stdout) as IpLink[]).filter((link) =>
    devices
      ? devices.includes(link.ifname)
      : link.link_type === 'ether' && !link.linkinfo?.info_kind,
  );
  return Promise.all(
    links.map(async (link) => ({
      device: link.ifname,
      mac: link.address ?? '',
      mtu: link.mtu,
      speedMbps: await linkSpeed(netns, link.ifname),
      carrier: link.flags?.includes('LOWER_UP') ?? false,
    })),
  );
}

/** Mb/s from sysfs; 0 when the device does not say (veth, no carrier). */
async function linkSpeed(netns: string | undefined, device: string): Promise<number> {
  const path = `/sys/class/net/${device}/speed`;
  const text = netns
    ? await exec('ip', ['netns', 'exec', netns, 'cat', path]).then(
        (r) => r.stdout,
        () => '',
      )
    : await readFile(path, 'utf8').catch(() => '');
  const speed = Number.parseInt(text.trim(), 10);
  return Number.isFinite(speed) && speed > 0 ? speed : 0;
}
