import { ipv4Bytes, macBytes } from '../announce.js';
import { parseNumber } from './flow-text.js';

/**
 * A flow's match as OpenFlow 1.4 OXM (ofp_match of type OFPMT_OXM), byte for byte as Open
 * vSwitch's own encoder writes it (lib/nx-match.c, nx_put_raw): the fields in its fixed order,
 * not the order of the text; a field whose mask is all ones sent unmasked, one whose mask is
 * zero not at all. Fields without an OpenFlow-assigned OXM (registers, ct_state) keep their
 * Nicira NXM header (class 0x0001), as Open vSwitch sends them at 1.4.
 */

/** An OXM header: class, field, has-mask bit, payload length. */
const header = (oxmClass: number, field: number, masked: boolean, bytes: number): number =>
  ((oxmClass << 16) | (field << 9) | ((masked ? 1 : 0) << 8) | (masked ? bytes * 2 : bytes)) >>> 0;

const OFB = 0x8000;
const NXM1 = 0x0001;

/** OpenFlow basic fields (OFPXMT_OFB_*) used here, with their payload sizes. */
const FIELD = {
  inPort: [OFB, 0, 4],
  ethDst: [OFB, 3, 6],
  ethSrc: [OFB, 4, 6],
  ethType: [OFB, 5, 2],
  ipProto: [OFB, 10, 1],
  ipv4Src: [OFB, 11, 4],
  ipv4Dst: [OFB, 12, 4],
  tcpSrc: [OFB, 13, 2],
  tcpDst: [OFB, 14, 2],
  udpSrc: [OFB, 15, 2],
  udpDst: [OFB, 16, 2],
  icmpv4Type: [OFB, 19, 1],
  icmpv4Code: [OFB, 20, 1],
  arpOp: [OFB, 21, 2],
  arpSpa: [OFB, 22, 4],
  arpTpa: [OFB, 23, 4],
  arpSha: [OFB, 24, 6],
  arpTha: [OFB, 25, 6],
  ipv6Src: [OFB, 26, 16],
  ipv6Dst: [OFB, 27, 16],
  icmpv6Type: [OFB, 29, 1],
  icmpv6Code: [OFB, 30, 1],
  ndTarget: [OFB, 31, 16],
  ndSll: [OFB, 32, 6],
  ndTll: [OFB, 33, 6],
  /** NXM_NX_CT_STATE. */
  ctState: [NXM1, 105, 4],
} as const satisfies Record<string, readonly [number, number, number]>;
type Field = keyof typeof FIELD;

/** NXM_NX_REGn: the header Open vSwitch writes for a register at 1.4, in matches and actions. */
export const regHeader = (n: number, masked = false): number => header(NXM1, n, masked, 4);

export const ETH_TYPE = { ip: 0x0800, arp: 0x0806, rarp: 0x8035, ipv6: 0x86dd } as const;
const PROTO = { icmp: 1, tcp: 6, udp: 17, icmp6: 58 } as const;

/** Shorthands as ovs-ofctl reads them: an EtherType and maybe an IP protocol. */
const SHORTHANDS: Record<string, [number, number?]> = {
  ip: [ETH_TYPE.ip],
  ipv6: [ETH_TYPE.ipv6],
  arp: [ETH_TYPE.arp],
  rarp: [ETH_TYPE.rarp],
  tcp: [ETH_TYPE.ip, PROTO.tcp],
  tcp6: [ETH_TYPE.ipv6, PROTO.tcp],
  udp: [ETH_TYPE.ip, PROTO.udp],
  udp6: [ETH_TYPE.ipv6, PROTO.udp],
  icmp: [ETH_TYPE.ip, PROTO.icmp],
  icmp6: [ETH_TYPE.ipv6, PROTO.icmp6],
};

/** ct_state flags (lib/packets.h, CS_*). */
const CT_STATE: Record<string, number> = {
  new: 0x01,
  est: 0x02,
  rel: 0x04,
  rpl: 0x08,
  inv: 0x10,
  trk: 0x20,
  snat: 0x40,
  dnat: 0x80,
};

interface Masked {
  value: Buffer;
  mask: Buffer;
}

const uint = (value: number, bytes: number): Buffer => {
  const out = Buffer.alloc(bytes);
  out.writeUIntBE(value >>> 0, 0, bytes);
  return out;
};
const ones = (bytes: number) => Buffer.alloc(bytes, 0xff);

export function ipv6Bytes(text: string): Buffer {
  const halves = text.split('::');
  if (halves.length > 2) throw new Error(`not an IPv6 address: ${text}`);
  const groups = (part: string | undefined) => (part ? part.split(':') : []);
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  const all = [...head, ...Array<string>(fill).fill('0'), ...tail];
  if (all.length !== 8 || all.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) {
    throw new Error(`not an IPv6 address: ${text}`);
  }
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(Number.parseInt(g, 16), i * 2));
  return out;
}

/** A prefix length as a mask of `bytes` bytes. */
function prefixMask(length: number, bytes: number): Buffer {
  if (!Number.isInteger(length) || length < 0 || length > bytes * 8) {
    throw new Error(`bad prefix length ${length}`);
  }
  const mask = Buffer.alloc(bytes);
  for (let bit = 0; bit < length; bit++) mask[bit >> 3]! |= 0x80 >> (bit & 7);
  return mask;
}

function address(text: string, parse: (t: string) => Buffer, bytes: number): Masked {
  const [addr = '', mask] = text.split('/');
  const value = parse(addr);
  if (mask === undefined) return { value, mask: ones(bytes) };
  const m = /^\d+$/.test(mask) ? prefixMask(Number(mask), bytes) : parse(mask);
  return { value: and(value, m), mask: m };
}

function integer(text: string, bytes: number): Masked {
  const [value = '', mask] = text.split('/');
  const m = mask === undefined ? ones(bytes) : uint(parseNumber(mask), bytes);
  return { value: and(uint(parseNumber(value), bytes), m), mask: m };
}

const and = (a: Buffer, b: Buffer): Buffer => Buffer.from(a.map((byte, i) => byte & b[i]!));

function ctState(text: string): Masked {
  let value = 0;
  let mask = 0;
  for (const [, sign, flag = ''] of text.matchAll(/([+-])([a-z]+)/g)) {
    const bit = CT_STATE[flag];
    if (bit === undefined) throw new Error(`unknown ct_state flag ${flag}`);
    mask |= bit;
    if (sign === '+') value |= bit;
  }
  return { value: uint(value, 4), mask: uint(mask, 4) };
}

const mac = (v: string) => address(v, macBytes, 6);
const ipv4 = (v: string) => address(v, ipv4Bytes, 4);
const ipv6 = (v: string) => address(v, ipv6Bytes, 16);

/**
 * Match keys of the flow text and the field each sets. `icmp_type`/`icmp_code` and
 * `tp_src`/`tp_dst` are read as ICMPv4 and TCP, and renamed once the protocol is known.
 */
const TEXT_FIELDS: Record<string, [Field, (value: string) => Masked]> = {
  dl_src: ['ethSrc', mac],
  dl_dst: ['ethDst', mac],
  nw_src: ['ipv4Src', ipv4],
  nw_dst: ['ipv4Dst', ipv4],
  ipv6_src: ['ipv6Src', ipv6],
  ipv6_dst: ['ipv6Dst', ipv6],
  arp_spa: ['arpSpa', ipv4],
  arp_tpa: ['arpTpa', ipv4],
  arp_sha: ['arpSha', mac],
  arp_tha: ['arpTha', mac],
  nd_target: ['ndTarget', ipv6],
  nd_sll: ['ndSll', mac],
  nd_tll: ['ndTll', mac],
  icmp_type: ['icmpv4Type', (v) => integer(v, 1)],
  icmp_code: ['icmpv4Code', (v) => integer(v, 1)],
  tp_src: ['tcpSrc', (v) => integer(v, 2)],
  tp_dst: ['tcpDst', (v) => integer(v, 2)],
  ct_state: ['ctState', ctState],
};

/** Resolves a port name (or number, or LOCAL) to its OpenFlow port number. */
export type PortNumbers = (name: string) => number;

export const OFPP = {
  inPort: 0xfffffff8,
  table: 0xfffffff9,
  normal: 0xfffffffa,
  local: 0xfffffffe,
  any: 0xffffffff,
};

export function portNumber(text: string, ports: PortNumbers): number {
  if (text === 'LOCAL') return OFPP.local;
  if (/^\d+$/.test(text)) return Number(text);
  return ports(text);
}

/** The match's fields, read from the text (flow-text.ts), not yet ordered. */
export function readMatch(
  items: readonly [string, string | undefined][],
  ports: PortNumbers,
): Map<Field | `reg${number}`, Masked> {
  const fields = new Map<Field | `reg${number}`, Masked>();
  let proto: number | undefined;
  let ethType: number | undefined;
  const set = (field: Field | `reg${number}`, value: Masked) => fields.set(field, value);
  const need = (key: string, value: string | undefined): string => {
    if (value === undefined) throw new Error(`${key} needs a value`);
    return value;
  };
  for (const [key, value] of items) {
    const shorthand = SHORTHANDS[key];
    if (shorthand && value === undefined) {
      [ethType, proto] = [shorthand[0], shorthand[1] ?? proto];
      continue;
    }
    const reg = /^reg(\d+)$/.exec(key);
    if (reg) {
      set(`reg${Number(reg[1])}`, integer(need(key, value), 4));
      continue;
    }
    const v = need(key, value);
    if (key === 'in_port') set('inPort', { value: uint(portNumber(v, ports), 4), mask: ones(4) });
    else if (key === 'dl_type') ethType = parseNumber(v);
    else if (key === 'nw_proto') proto = parseNumber(v);
    else {
      const field = TEXT_FIELDS[key];
      if (!field) throw new Error(`match field ${key} is not one this encoder knows`);
      set(field[0], field[1](v));
    }
  }
  if (ethType !== undefined) set('ethType', { value: uint(ethType, 2), mask: ones(2) });
  if (proto !== undefined) set('ipProto', { value: uint(proto, 1), mask: ones(1) });
  const rename = (from: Field, to: Field) => {
    const value = fields.get(from);
    if (value === undefined) return;
    fields.delete(from);
    fields.set(to, value);
  };
  if (proto === PROTO.udp) {
    rename('tcpSrc', 'udpSrc');
    rename('tcpDst', 'udpDst');
  } else if (proto === PROTO.icmp6) {
    rename('icmpv4Type', 'icmpv6Type');
    rename('icmpv4Code', 'icmpv6Code');
  }
  return fields;
}

/** nx_put_raw's order (OpenFlow 1.4): what this encoder may meet of it. */
const ORDER: (Field | 'regs')[] = [
  'inPort',
  'ethSrc',
  'ethDst',
  'ethType',
  'ipv4Src',
  'ipv4Dst',
  'ipv6Src',
  'ipv6Dst',
  'ipProto',
  'tcpSrc',
  'tcpDst',
  'udpSrc',
  'udpDst',
  'icmpv4Type',
  'icmpv4Code',
  'icmpv6Type',
  'icmpv6Code',
  'ndTarget',
  'ndSll',
  'ndTll',
  'arpOp',
  'arpSpa',
  'arpTpa',
  'arpSha',
  'arpTha',
  'regs',
  'ctState',
];

function entry(head: [number, number, number], { value, mask }: Masked): Buffer | undefined {
  const [oxmClass, field, bytes] = head;
  if (mask.every((b) => b === 0)) return undefined;
  const full = mask.every((b) => b === 0xff);
  const h = Buffer.alloc(4);
  h.writeUInt32BE(header(oxmClass, field, !full, bytes));
  return Buffer.concat(full ? [h, value] : [h, value, mask]);
}

/** The OXM fields of a match, in Open vSwitch's order, without the ofp_match wrapper. */
export function encodeOxmFields(fields: ReturnType<typeof readMatch>): Buffer {
  const parts: Buffer[] = [];
  for (const name of ORDER) {
    if (name === 'regs') {
      for (let n = 0; n < 16; n++) {
        const reg = fields.get(`reg${n}`);
        const e = reg && entry([NXM1, n, 4], reg);
        if (e) parts.push(e);
      }
      continue;
    }
    const value = fields.get(name);
    const e = value && entry([...FIELD[name]], value);
    if (e) parts.push(e);
  }
  return Buffer.concat(parts);
}

/** ofp_match { type = OFPMT_OXM, length, fields, padding to 8 bytes }. */
export function encodeMatch(fields: ReturnType<typeof readMatch>): Buffer {
  const oxm = encodeOxmFields(fields);
  const length = 4 + oxm.length;
  const out = Buffer.alloc(Math.ceil(length / 8) * 8);
  out.writeUInt16BE(1, 0);
  out.writeUInt16BE(length, 2);
  oxm.copy(out, 4);
  return out;
}
