import { parseOfLine, type FlowModText, type PacketOutText } from './flow-text.js';
import { encodeActionList, encodeInstructions } from './nx-actions.js';
import { encodeVersionedHeader, helloAdmits } from './of10-messages.js';
import { encodeMatch, OFPP, portNumber, readMatch, type PortNumbers } from './oxm-match.js';

/**
 * The OpenFlow 1.4 messages poolnet sends each bridge for flows (specification 1.4.1 §7; Open
 * vSwitch's include/openflow/openflow-1.4.h, lib/ofp-flow.c, lib/ofp-bundle.c, lib/ofp-meter.c).
 * Why 1.4: it is what `ovs-ofctl --bundle` itself speaks (whatever `-O` says, a bundle needs
 * 1.4's OFPT_BUNDLE_*), and meters exist from 1.3 on, so the policing flows cannot be said at
 * 1.0 at all; Open vSwitch's extensions (NXM fields, resubmit, ct, learn, clone) are carried as
 * NXM-class OXM fields and experimenter actions. Pure encoders and decoders; the socket is
 * of14-connection.ts.
 */

export const OFP14_VERSION = 0x05;
export const HEADER_BYTES = 8;

export const Of14Type = {
  hello: 0,
  error: 1,
  echoRequest: 2,
  echoReply: 3,
  portStatus: 12,
  packetOut: 13,
  flowMod: 14,
  multipartRequest: 18,
  multipartReply: 19,
  barrierRequest: 20,
  barrierReply: 21,
  meterMod: 29,
  bundleControl: 33,
  bundleAdd: 34,
} as const;

export const Multipart = { flow: 1, portStats: 4, meterConfig: 10, portDesc: 13 } as const;
const MULTIPART_REPLY_MORE = 1;

const FLOW_COMMAND = { add: 0, delete: 3, delete_strict: 4 } as const;
const DEFAULT_PRIORITY = 0x8000;
const ALL_TABLES = 0xff;
const NO_BUFFER = 0xffffffff;
const OFPG_ANY = 0xffffffff;

export const encodeHeader = (type: number, xid: number, bodyBytes = 0): Buffer =>
  encodeVersionedHeader(OFP14_VERSION, type, xid, bodyBytes);

/** A 1.4 hello whose version bitmap admits 1.4 only, as ovs-ofctl's at `-O OpenFlow14`. */
export function encodeHello(xid: number): Buffer {
  const message = encodeHeader(Of14Type.hello, xid, 8);
  message.writeUInt16BE(1, 8); // OFPHET_VERSIONBITMAP
  message.writeUInt16BE(8, 10);
  message.writeUInt32BE(1 << OFP14_VERSION, 12);
  return message;
}

/** Whether the switch's hello admits 1.4 (its bitmap, or a plain hello of version ≥ 1.4). */
export const helloAdmitsOf14 = (message: Buffer): boolean => helloAdmits(message, OFP14_VERSION);

/** ofp14_flow_mod: header, cookie, cookie mask, table, command, timeouts, priority, …, match. */
export function encodeFlowMod(xid: number, flow: FlowModText, ports: PortNumbers): Buffer {
  const match = encodeMatch(readMatch(flow.match, ports));
  const instructions =
    flow.command === 'add' ? encodeInstructions(flow.actions, ports) : Buffer.alloc(0);
  const message = encodeHeader(Of14Type.flowMod, xid, 40 + match.length + instructions.length);
  message.writeBigUInt64BE(flow.cookie, 8);
  message.writeBigUInt64BE(flow.cookieMask, 16);
  const table = flow.table ?? (flow.command === 'add' ? 0 : ALL_TABLES);
  message.writeUInt8(table, 24);
  message.writeUInt8(FLOW_COMMAND[flow.command], 25);
  message.writeUInt16BE(flow.idleTimeout, 26);
  message.writeUInt16BE(0, 28); // hard_timeout
  message.writeUInt16BE(flow.priority ?? DEFAULT_PRIORITY, 30);
  message.writeUInt32BE(NO_BUFFER, 32);
  message.writeUInt32BE(OFPP.any, 36); // out_port
  message.writeUInt32BE(OFPG_ANY, 40); // out_group
  message.writeUInt16BE(0, 44); // flags
  message.writeUInt16BE(0, 46); // importance
  match.copy(message, 48);
  instructions.copy(message, 48 + match.length);
  return message;
}

/** ofp14 packet-out: no buffer, in_port, the actions, then the frame. */
export function encodePacketOut(xid: number, out: PacketOutText, ports: PortNumbers): Buffer {
  const actions = encodeActionList(out.actions, ports);
  const message = encodeHeader(Of14Type.packetOut, xid, 16 + actions.length + out.packet.length);
  message.writeUInt32BE(NO_BUFFER, 8);
  message.writeUInt32BE(portNumber(out.inPort, ports), 12);
  message.writeUInt16BE(actions.length, 16);
  actions.copy(message, 24);
  out.packet.copy(message, 24 + actions.length);
  return message;
}

/** One line of flow-mod text (flows.ts) as its OpenFlow 1.4 message. */
export function encodeOfLine(xid: number, line: string, ports: PortNumbers): Buffer {
  const parsed = parseOfLine(line);
  return parsed.kind === 'flowMod'
    ? encodeFlowMod(xid, parsed, ports)
    : encodePacketOut(xid, parsed, ports);
}

export const BundleCtrl = {
  openRequest: 0,
  openReply: 1,
  commitRequest: 4,
  commitReply: 5,
  discardRequest: 6,
} as const;
/** OFPBF_ATOMIC | OFPBF_ORDERED: all or nothing, in the order sent (ovs-ofctl's flags). */
const BUNDLE_FLAGS = 0x3;

export function encodeBundleControl(xid: number, bundleId: number, type: number): Buffer {
  const message = encodeHeader(Of14Type.bundleControl, xid, 8);
  message.writeUInt32BE(bundleId >>> 0, 8);
  message.writeUInt16BE(type, 12);
  message.writeUInt16BE(BUNDLE_FLAGS, 14);
  return message;
}

/** OFPT_BUNDLE_ADD_MESSAGE wrapping `inner`, under the inner message's xid (as Open vSwitch). */
export function encodeBundleAdd(bundleId: number, inner: Buffer): Buffer {
  const xid = inner.readUInt32BE(4);
  const message = encodeHeader(Of14Type.bundleAdd, xid, 8 + inner.length);
  message.writeUInt32BE(bundleId >>> 0, 8);
  message.writeUInt16BE(BUNDLE_FLAGS, 14);
  inner.copy(message, 16);
  return message;
}

export const encodeBarrierRequest = (xid: number): Buffer =>
  encodeHeader(Of14Type.barrierRequest, xid);

export const MeterCommand = { add: 0, modify: 1, delete: 2 } as const;
const METER_KBPS = 0x1;
const METER_BURST = 0x4;

/** OFPT_METER_MOD: one drop band in kbps (with a burst size when it is not 0), or a delete. */
export function encodeMeterMod(
  xid: number,
  command: number,
  meterId: number,
  band?: { kbps: number; burstKb: number },
): Buffer {
  const message = encodeHeader(Of14Type.meterMod, xid, band ? 24 : 8);
  message.writeUInt16BE(command, 8);
  if (band) message.writeUInt16BE(METER_KBPS | (band.burstKb > 0 ? METER_BURST : 0), 10);
  message.writeUInt32BE(meterId >>> 0, 12);
  if (band) {
    message.writeUInt16BE(1, 16); // OFPMBT_DROP
    message.writeUInt16BE(16, 18);
    message.writeUInt32BE(band.kbps >>> 0, 20);
    message.writeUInt32BE(band.burstKb >>> 0, 24);
  }
  return message;
}

/** OFPT_MULTIPART_REQUEST of `type` with `body`. */
export function encodeMultipartRequest(xid: number, type: number, body = Buffer.alloc(0)) {
  const message = encodeHeader(Of14Type.multipartRequest, xid, 8 + body.length);
  message.writeUInt16BE(type, 8);
  body.copy(message, 16);
  return message;
}

/** ofp11_flow_stats_request: every table, any port and group, by cookie and mask. */
export function encodeFlowStatsRequest(xid: number, cookie: bigint, cookieMask: bigint): Buffer {
  const body = Buffer.alloc(40);
  body.writeUInt8(ALL_TABLES, 0);
  body.writeUInt32BE(OFPP.any, 4);
  body.writeUInt32BE(OFPG_ANY, 8);
  body.writeBigUInt64BE(cookie, 16);
  body.writeBigUInt64BE(cookieMask, 24);
  body.writeUInt16BE(1, 32); // an empty OXM match
  body.writeUInt16BE(4, 34);
  return encodeMultipartRequest(xid, Multipart.flow, body);
}

export function encodePortStatsRequest(xid: number): Buffer {
  const body = Buffer.alloc(8);
  body.writeUInt32BE(OFPP.any, 0);
  return encodeMultipartRequest(xid, Multipart.portStats, body);
}

export function encodeMeterConfigRequest(xid: number): Buffer {
  const body = Buffer.alloc(8);
  body.writeUInt32BE(0xffffffff, 0); // OFPM_ALL
  return encodeMultipartRequest(xid, Multipart.meterConfig, body);
}

export const encodePortDescRequest = (xid: number): Buffer =>
  encodeMultipartRequest(xid, Multipart.portDesc);

/** A multipart reply's type, whether more replies follow, and its body. */
export function decodeMultipart(message: Buffer): { type: number; more: boolean; body: Buffer } {
  return {
    type: message.readUInt16BE(8),
    more: (message.readUInt16BE(10) & MULTIPART_REPLY_MORE) !== 0,
    body: message.subarray(16, message.readUInt16BE(2)),
  };
}

export interface FlowEntry {
  cookie: bigint;
  packets: bigint;
  bytes: bigint;
}

/** ofp14 flow stats entries: the cookie and counters of each (match and actions skipped). */
export function decodeFlowStats(body: Buffer): FlowEntry[] {
  const entries: FlowEntry[] = [];
  for (let at = 0; at + 48 <= body.length;) {
    const length = body.readUInt16BE(at);
    if (length < 48) break;
    entries.push({
      cookie: body.readBigUInt64BE(at + 24),
      packets: body.readBigUInt64BE(at + 32),
      bytes: body.readBigUInt64BE(at + 40),
    });
    at += length;
  }
  return entries;
}

export interface PortDesc {
  portNo: number;
  name: string;
}

/** ofp14_port entries (each carries its own length: properties follow the fixed part). */
export function decodePortDesc(body: Buffer): PortDesc[] {
  const ports: PortDesc[] = [];
  for (let at = 0; at + 40 <= body.length;) {
    const length = body.readUInt16BE(at + 4);
    if (length < 40) break;
    const raw = body.subarray(at + 16, at + 32);
    const end = raw.indexOf(0);
    ports.push({
      portNo: body.readUInt32BE(at),
      name: raw.subarray(0, end < 0 ? 16 : end).toString('utf8'),
    });
    at += length;
  }
  return ports;
}

export interface PortStatsEntry {
  portNo: number;
  rxPackets: bigint;
  txPackets: bigint;
  rxBytes: bigint;
  txBytes: bigint;
  rxDropped: bigint;
  txDropped: bigint;
}

/** ofp14_port_stats entries (length-prefixed; Ethernet and other properties after). */
export function decodePortStats(body: Buffer): PortStatsEntry[] {
  const entries: PortStatsEntry[] = [];
  for (let at = 0; at + 80 <= body.length;) {
    const length = body.readUInt16BE(at);
    if (length < 80) break;
    const n = (offset: number) => body.readBigUInt64BE(at + offset);
    entries.push({
      portNo: body.readUInt32BE(at + 4),
      rxPackets: n(16),
      txPackets: n(24),
      rxBytes: n(32),
      txBytes: n(40),
      rxDropped: n(48),
      txDropped: n(56),
    });
    at += length;
  }
  return entries;
}

export interface MeterConfig {
  meterId: number;
  kbps: number;
  burstKb: number;
}

/** ofp13_meter_config entries with their first band (poolnet writes one drop band). */
export function decodeMeterConfig(body: Buffer): MeterConfig[] {
  const meters: MeterConfig[] = [];
  for (let at = 0; at + 8 <= body.length;) {
    const length = body.readUInt16BE(at);
    if (length < 8) break;
    const flags = body.readUInt16BE(at + 2);
    if (length >= 24 && (flags & METER_KBPS) !== 0) {
      meters.push({
        meterId: body.readUInt32BE(at + 4),
        kbps: body.readUInt32BE(at + 12),
        // ovs-ofctl shows (and poolnet compares) a burst only where the meter has the flag.
        burstKb: (flags & METER_BURST) !== 0 ? body.readUInt32BE(at + 16) : 0,
      });
    }
    at += length;
  }
  return meters;
}

export interface Of14Error {
  type: number;
  code: number;
  /** The start of the message it refers to (its header at least). */
  data: Buffer;
}

export const decodeError = (message: Buffer): Of14Error => ({
  type: message.readUInt16BE(8),
  code: message.readUInt16BE(10),
  data: message.subarray(12, message.readUInt16BE(2)),
});

/** OpenFlow 1.4 error type names (ofp_error_type) a person reads in a failure. */
const ERROR_TYPES: Record<number, string> = {
  0: 'HELLO_FAILED',
  1: 'BAD_REQUEST',
  2: 'BAD_ACTION',
  3: 'BAD_INSTRUCTION',
  4: 'BAD_MATCH',
  5: 'FLOW_MOD_FAILED',
  6: 'GROUP_MOD_FAILED',
  7: 'PORT_MOD_FAILED',
  12: 'METER_MOD_FAILED',
  17: 'BUNDLE_FAILED',
  0xffff: 'EXPERIMENTER',
};

export const describeError = ({ type, code }: Pick<Of14Error, 'type' | 'code'>): string =>
  `${ERROR_TYPES[type] ?? `type ${type}`} code ${code}`;
