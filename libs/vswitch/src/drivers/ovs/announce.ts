import type { PortAddress } from '../../planner/operation.js';

/**
 * The frames a VM's new port sends on its behalf after a migration, as hex for an OpenFlow
 * packet-out. Each one comes from the VIF's MAC, so every learning switch on the way (the host's
 * bridges, the physical switch, other hosts' bridges) moves that MAC to the new port at once:
 *
 * - a RARP, as QEMU sends after a live migration (it needs no IP);
 * - a gratuitous ARP request for the VIF's IPv4 address (sender = target = that address), which
 *   also refreshes the ARP caches of peers;
 * - an unsolicited neighbour advertisement for its IPv6 address, with the override flag.
 *
 * Port security admits all three: they carry the VIF's own MAC and addresses.
 */
export function announceFrames({ mac, ipv4, ipv6 }: PortAddress): string[] {
  const frames = [rarp(mac)];
  if (ipv4) frames.push(gratuitousArp(mac, ipv4));
  if (ipv6) frames.push(neighbourAdvertisement(mac, ipv6));
  return frames.map((frame) => frame.toString('hex'));
}

const BROADCAST = Buffer.alloc(6, 0xff);
const ETH_ARP = 0x0806;
const ETH_RARP = 0x8035;
const ETH_IPV6 = 0x86dd;
const MIN_FRAME = 60; // Ethernet minimum without the FCS

export function macBytes(mac: string): Buffer {
  const bytes = mac.split(':').map((part) => Number.parseInt(part, 16));
  if (bytes.length !== 6 || bytes.some((b) => !(b >= 0 && b <= 255))) {
    throw new Error(`not a MAC address: ${mac}`);
  }
  return Buffer.from(bytes);
}

export function ipv4Bytes(ip: string): Buffer {
  const bytes = ip.split('.').map(Number);
  if (bytes.length !== 4 || bytes.some((b) => !Number.isInteger(b) || b < 0 || b > 255)) {
    throw new Error(`not an IPv4 address: ${ip}`);
  }
  return Buffer.from(bytes);
}

/** RFC 4291 text (with `::`, without an embedded IPv4 part) to its 16 bytes. */
export function ipv6Bytes(ip: string): Buffer {
  const halves = ip.split('::');
  if (halves.length > 2) throw new Error(`not an IPv6 address: ${ip}`);
  const groups = (text: string | undefined) => (text ? text.split(':') : []);
  const [head, tail] = [groups(halves[0]), groups(halves[1])];
  const missing = 8 - head.length - tail.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) {
    throw new Error(`not an IPv6 address: ${ip}`);
  }
  const all = [...head, ...Array<string>(missing).fill('0'), ...tail];
  const out = Buffer.alloc(16);
  all.forEach((group, i) => {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) throw new Error(`not an IPv6 address: ${ip}`);
    out.writeUInt16BE(Number.parseInt(group, 16), i * 2);
  });
  return out;
}

function ethernet(destination: Buffer, source: Buffer, type: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(14);
  destination.copy(header, 0);
  source.copy(header, 6);
  header.writeUInt16BE(type, 12);
  const frame = Buffer.concat([header, payload]);
  return frame.length >= MIN_FRAME
    ? frame
    : Buffer.concat([frame, Buffer.alloc(MIN_FRAME - frame.length)]);
}

/** An ARP-format packet for Ethernet and IPv4. */
function arpPacket(op: number, sha: Buffer, spa: Buffer, tha: Buffer, tpa: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt16BE(1, 0); // hardware: Ethernet
  header.writeUInt16BE(0x0800, 2); // protocol: IPv4
  header.writeUInt8(6, 4);
  header.writeUInt8(4, 5);
  header.writeUInt16BE(op, 6);
  return Buffer.concat([header, sha, spa, tha, tpa]);
}

export function rarp(mac: string): Buffer {
  const own = macBytes(mac);
  const none = Buffer.alloc(4);
  // Reverse request (3), "who am I", as QEMU's announce_self sends it.
  return ethernet(BROADCAST, own, ETH_RARP, arpPacket(3, own, none, own, none));
}

export function gratuitousArp(mac: string, ipv4: string): Buffer {
  const own = macBytes(mac);
  const ip = ipv4Bytes(ipv4);
  return ethernet(BROADCAST, own, ETH_ARP, arpPacket(1, own, ip, Buffer.alloc(6), ip));
}

const ALL_NODES = ipv6Bytes('ff02::1');
const ALL_NODES_MAC = macBytes('33:33:00:00:00:01');
const ICMPV6 = 58;

export function neighbourAdvertisement(mac: string, ipv6: string): Buffer {
  const own = macBytes(mac);
  const address = ipv6Bytes(ipv6);
  const icmp = Buffer.alloc(32);
  icmp.writeUInt8(136, 0); // neighbour advertisement
  icmp.writeUInt32BE(0x2000_0000, 4); // override; neither router nor solicited
  address.copy(icmp, 8);
  icmp.writeUInt8(2, 24); // option: target link-layer address
  icmp.writeUInt8(1, 25); // length in units of 8 bytes
  own.copy(icmp, 26);
  icmp.writeUInt16BE(icmpv6Checksum(address, ALL_NODES, icmp), 2);
  const ip = Buffer.alloc(40);
  ip.writeUInt32BE(0x6000_0000, 0);
  ip.writeUInt16BE(icmp.length, 4);
  ip.writeUInt8(ICMPV6, 6);
  ip.writeUInt8(255, 7); // hop limit 255: receivers drop neighbour discovery with any other
  address.copy(ip, 8);
  ALL_NODES.copy(ip, 24);
  return ethernet(ALL_NODES_MAC, own, ETH_IPV6, Buffer.concat([ip, icmp]));
}

/** The ones' complement sum over the IPv6 pseudo-header and the message (RFC 4443 §2.3). */
export function icmpv6Checksum(source: Buffer, destination: Buffer, message: Buffer): number {
  const pseudo = Buffer.alloc(40);
  source.copy(pseudo, 0);
  destination.copy(pseudo, 16);
  pseudo.writeUInt32BE(message.length, 32);
  pseudo.writeUInt8(ICMPV6, 39);
  const data = Buffer.concat([pseudo, message, Buffer.alloc(message.length % 2)]);
  let sum = 0;
  for (let i = 0; i < data.length; i += 2) sum += data.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
