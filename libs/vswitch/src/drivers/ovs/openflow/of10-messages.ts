/**
 * The few OpenFlow 1.0 messages poolnet speaks itself (OpenFlow 1.0.0 specification, §5; Open
 * vSwitch's include/openflow/openflow-1.0.h): a port's `no-flood` config exists in 1.0 only, and
 * setting it through `ovs-ofctl mod-port` costs a process and a connection per port (a boot of
 * 1,000 ports with ACLs spent ~50 s in them). Pure encoders and decoders; the socket is
 * of10-connection.ts.
 */

export const OFP10_VERSION = 0x01;
export const HEADER_BYTES = 8;

/** Message types (ofp_type) used here. */
export const OfType = {
  hello: 0,
  error: 1,
  echoRequest: 2,
  echoReply: 3,
  portStatus: 12,
  portMod: 15,
  statsRequest: 16,
  statsReply: 17,
  barrierRequest: 18,
  barrierReply: 19,
} as const;

/** OFPST_PORT_DESC: Open vSwitch answers it at 1.0 too (`ovs-ofctl -O OpenFlow10 dump-ports-desc`). */
export const STATS_PORT_DESC = 13;
/** OFPSF_REPLY_MORE: more replies of the same request follow. */
export const STATS_REPLY_MORE = 0x0001;
/** OFPPC_NO_FLOOD: NORMAL's (and FLOOD's) flood skips the port. */
export const PORT_CONFIG_NO_FLOOD = 1 << 4;

const PHY_PORT_BYTES = 48;
const PORT_NAME_BYTES = 16;

export interface OfHeader {
  version: number;
  type: number;
  length: number;
  xid: number;
}

/** A port as `ofp_phy_port` describes it (the fields used here). */
export interface OfPortDesc {
  portNo: number;
  hwAddr: Buffer;
  name: string;
  config: number;
}

export const encodeHeader = (type: number, xid: number, bodyBytes = 0): Buffer =>
  encodeVersionedHeader(OFP10_VERSION, type, xid, bodyBytes);

/** An OpenFlow header of any version (the 1.4 session's messages share it: of14-messages.ts). */
export function encodeVersionedHeader(
  version: number,
  type: number,
  xid: number,
  bodyBytes = 0,
): Buffer {
  const message = Buffer.alloc(HEADER_BYTES + bodyBytes);
  message.writeUInt8(version, 0);
  message.writeUInt8(type, 1);
  message.writeUInt16BE(HEADER_BYTES + bodyBytes, 2);
  message.writeUInt32BE(xid >>> 0, 4);
  return message;
}

export function decodeHeader(bytes: Buffer): OfHeader {
  return {
    version: bytes.readUInt8(0),
    type: bytes.readUInt8(1),
    length: bytes.readUInt16BE(2),
    xid: bytes.readUInt32BE(4),
  };
}

export const encodeHello = (xid: number): Buffer => encodeHeader(OfType.hello, xid);

const HELLO_ELEMENT_VERSION_BITMAP = 1;

/**
 * Whether the peer's hello admits OpenFlow 1.0. From 1.3 on, a hello may carry a bitmap of the
 * versions the peer accepts (Open vSwitch always sends one); then 1.0 must be in it, since the
 * "lower of the two versions" rule of plain hellos no longer applies. Without a bitmap, the
 * peer's version is its highest and 1.0 is the lowest there is.
 */
export const helloAdmitsOf10 = (message: Buffer): boolean => helloAdmits(message, OFP10_VERSION);

/** Whether a peer's hello admits `version` (its version bitmap, or a plain hello's version). */
export function helloAdmits(message: Buffer, version: number): boolean {
  const { length } = decodeHeader(message);
  for (let at = HEADER_BYTES; at + 4 <= length;) {
    const type = message.readUInt16BE(at);
    const elementLength = message.readUInt16BE(at + 2);
    if (elementLength < 4) break;
    if (type === HELLO_ELEMENT_VERSION_BITMAP && elementLength >= 8) {
      return (message.readUInt32BE(at + 4) & (1 << version)) !== 0;
    }
    at += Math.ceil(elementLength / 8) * 8;
  }
  return decodeHeader(message).version >= version;
}
export const encodeBarrierRequest = (xid: number): Buffer =>
  encodeHeader(OfType.barrierRequest, xid);

/** An echo reply carries the request's payload back under the request's xid. */
export function encodeEchoReply(request: Buffer): Buffer {
  const reply = Buffer.from(request);
  reply.writeUInt8(OfType.echoReply, 1);
  return reply;
}

/** OFPT_STATS_REQUEST for every port's description (ofp_stats_request: type, flags). */
export function encodePortDescRequest(xid: number): Buffer {
  const message = encodeHeader(OfType.statsRequest, xid, 4);
  message.writeUInt16BE(STATS_PORT_DESC, 8);
  message.writeUInt16BE(0, 10);
  return message;
}

export interface StatsReply {
  statsType: number;
  more: boolean;
  ports: OfPortDesc[];
}

/** One OFPT_STATS_REPLY of port descriptions: ofp_stats_reply then ofp_phy_port[]. */
export function decodePortDescReply(message: Buffer): StatsReply {
  const statsType = message.readUInt16BE(8);
  const flags = message.readUInt16BE(10);
  const ports: OfPortDesc[] = [];
  const length = decodeHeader(message).length;
  for (let at = 12; at + PHY_PORT_BYTES <= length; at += PHY_PORT_BYTES) {
    const rawName = message.subarray(at + 8, at + 8 + PORT_NAME_BYTES);
    const end = rawName.indexOf(0);
    ports.push({
      portNo: message.readUInt16BE(at),
      hwAddr: Buffer.from(message.subarray(at + 2, at + 8)),
      name: rawName.subarray(0, end < 0 ? PORT_NAME_BYTES : end).toString('utf8'),
      config: message.readUInt32BE(at + 24),
    });
  }
  return { statsType, more: (flags & STATS_REPLY_MORE) !== 0, ports };
}

/**
 * OFPT_PORT_MOD setting the bits of `mask` in the port's config to those of `config`; the
 * port's hardware address must be the switch's (Open vSwitch refuses a mismatch with
 * OFPPMFC_BAD_HW_ADDR, so a port re-created since it was read is not changed blindly).
 * `advertise` 0 leaves the port's advertised features alone.
 */
export function encodePortMod(
  xid: number,
  port: Pick<OfPortDesc, 'portNo' | 'hwAddr'>,
  config: number,
  mask: number,
): Buffer {
  const message = encodeHeader(OfType.portMod, xid, 24);
  message.writeUInt16BE(port.portNo, 8);
  port.hwAddr.copy(message, 10, 0, 6);
  message.writeUInt32BE(config >>> 0, 16);
  message.writeUInt32BE(mask >>> 0, 20);
  message.writeUInt32BE(0, 24);
  return message;
}

export interface OfErrorReply {
  xid: number;
  type: number;
  code: number;
}

export function decodeError(message: Buffer): OfErrorReply {
  return {
    xid: decodeHeader(message).xid,
    type: message.readUInt16BE(8),
    code: message.readUInt16BE(10),
  };
}

/** The OpenFlow 1.0 error type names (ofp_error_type), for messages a person reads. */
const ERROR_TYPES = [
  'HELLO_FAILED',
  'BAD_REQUEST',
  'BAD_ACTION',
  'FLOW_MOD_FAILED',
  'PORT_MOD_FAILED',
  'QUEUE_OP_FAILED',
];

export const describeError = ({ type, code }: Pick<OfErrorReply, 'type' | 'code'>): string =>
  `${ERROR_TYPES[type] ?? `type ${type}`} code ${code}`;
