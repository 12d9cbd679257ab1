import { parseNumber, splitTopLevel } from './flow-text.js';
import { OFPP, portNumber, regHeader, type PortNumbers } from './oxm-match.js';

/**
 * A flow's actions as OpenFlow 1.4 instructions, byte for byte as Open vSwitch encodes them
 * (lib/ofp-actions.c): `meter:N` a meter instruction, `goto_table:N` a goto-table instruction,
 * everything else in one apply-actions instruction, in that order; Nicira extension actions
 * (resubmit, load, ct, clone, learn) as experimenter actions (vendor 0x00002320, NX_VENDOR_ID).
 * An empty list (`drop`) is no instruction at all.
 */

const NX_VENDOR_ID = 0x00002320;
const NXAST = { resubmitTable: 14, regLoad: 7, learn: 16, ct: 35, clone: 42 } as const;
const OFPIT = { gotoTable: 1, applyActions: 4, meter: 6 } as const;

/** Fields a `load` or `learn` names, by their NXM names (meta-flow.h). */
const NXM_FIELDS: Record<string, { header: number; bits: number }> = {
  NXM_OF_ETH_DST: { header: 0x00000206, bits: 48 },
  NXM_OF_ETH_SRC: { header: 0x00000406, bits: 48 },
};
for (let n = 0; n < 16; n++) NXM_FIELDS[`NXM_NX_REG${n}`] = { header: regHeader(n), bits: 32 };

/** `NXM_NX_REG7[]`, `NXM_NX_REG0[0]`, `NXM_NX_REG0[0..15]` → header, offset, bit count. */
function subfield(text: string): { header: number; ofs: number; bits: number } {
  const m = /^([A-Z0-9_]+)\[(?:(\d+)(?:\.\.(\d+))?)?\]$/.exec(text);
  const field = m && NXM_FIELDS[m[1]!];
  if (!m || !field) throw new Error(`not a field this encoder knows: ${text}`);
  if (m[2] === undefined) return { header: field.header, ofs: 0, bits: field.bits };
  const start = Number(m[2]);
  const end = m[3] === undefined ? start : Number(m[3]);
  return { header: field.header, ofs: start, bits: end - start + 1 };
}

/** An experimenter action: ofp_action_experimenter header, subtype, then `body`, padded to 8. */
function nxAction(subtype: number, body: Buffer): Buffer {
  const length = Math.ceil((10 + body.length) / 8) * 8;
  const out = Buffer.alloc(length);
  out.writeUInt16BE(0xffff, 0);
  out.writeUInt16BE(length, 2);
  out.writeUInt32BE(NX_VENDOR_ID, 4);
  out.writeUInt16BE(subtype, 8);
  body.copy(out, 10);
  return out;
}

function output(port: number): Buffer {
  const out = Buffer.alloc(16);
  out.writeUInt16BE(0, 0); // OFPAT_OUTPUT
  out.writeUInt16BE(16, 2);
  out.writeUInt32BE(port >>> 0, 4);
  out.writeUInt16BE(0, 8); // max_len: only a controller output uses it
  return out;
}

/** resubmit(,T): NXAST_RESUBMIT_TABLE with in_port OFPP_IN_PORT (16-bit 0xfff8). */
function resubmit(table: number): Buffer {
  const body = Buffer.alloc(6);
  body.writeUInt16BE(0xfff8, 0);
  body.writeUInt8(table, 2);
  return nxAction(NXAST.resubmitTable, body);
}

/** load:V->F[..]: NXAST_REG_LOAD (ofs_nbits, dst header, 64-bit value). */
function load(value: bigint, dst: string): Buffer {
  const { header, ofs, bits } = subfield(dst);
  const body = Buffer.alloc(14);
  body.writeUInt16BE((ofs << 6) | (bits - 1), 0);
  body.writeUInt32BE(header, 2);
  body.writeBigUInt64BE(value, 6);
  return nxAction(NXAST.regLoad, body);
}

/** ct(commit,zone=N,table=T): NXAST_CT without nested actions. */
function ct(args: string): Buffer {
  let flags = 0;
  let zone = 0;
  let table = 0xff; // NX_CT_RECIRC_NONE
  for (const arg of splitTopLevel(args)) {
    const [key, value = ''] = arg.split('=');
    if (key === 'commit') flags |= 1;
    else if (key === 'zone') zone = parseNumber(value);
    else if (key === 'table') table = parseNumber(value);
    else throw new Error(`ct argument ${arg} is not one this encoder knows`);
  }
  const body = Buffer.alloc(14);
  body.writeUInt16BE(flags, 0);
  body.writeUInt32BE(0, 2); // zone_src: an immediate zone
  body.writeUInt16BE(zone, 6);
  body.writeUInt8(table, 8);
  return nxAction(NXAST.ct, body);
}

/** A learn spec with an immediate source: header, the value in whole 16-bit units, then DST. */
function immediateSpec(value: bigint, dstText: string, load: boolean): Buffer {
  const dst = subfield(dstText);
  const bytes = Math.ceil(dst.bits / 16) * 2;
  const spec = Buffer.alloc(2 + bytes + 6);
  spec.writeUInt16BE((1 << 13) | (load ? 1 << 11 : 0) | dst.bits, 0);
  for (let i = 0; i < bytes; i++) {
    spec[2 + i] = Number((value >> BigInt(8 * (bytes - 1 - i))) & 0xffn);
  }
  spec.writeUInt32BE(dst.header, 2 + bytes);
  spec.writeUInt16BE(dst.ofs, 6 + bytes);
  return spec;
}

/**
 * learn(table=,priority=,idle_timeout=,hard_timeout=,cookie=,delete_learned, specs): NXAST_LEARN
 * with match specs `DST[]=SRC[]` (a field of the packet) or `DST[]=V` (a constant) and a load
 * spec `load:V->DST[]`.
 */
function learn(args: string): Buffer {
  let [table, priority, idle, hard, flags] = [1, 0x8000, 0, 0, 0];
  let cookie = 0n;
  const specs: Buffer[] = [];
  for (const arg of splitTopLevel(args)) {
    const loadSpec = /^load:(0x[0-9a-f]+|\d+)->(.+)$/i.exec(arg);
    const matchSpec = /^([A-Z0-9_]+\[[0-9.]*\])=([A-Z0-9_]+\[[0-9.]*\])$/.exec(arg);
    const constantSpec = /^([A-Z0-9_]+\[[0-9.]*\])=(0x[0-9a-f]+|\d+)$/i.exec(arg);
    if (loadSpec) {
      specs.push(immediateSpec(BigInt(loadSpec[1]!), loadSpec[2]!, true));
    } else if (constantSpec) {
      specs.push(immediateSpec(BigInt(constantSpec[2]!), constantSpec[1]!, false));
    } else if (matchSpec) {
      const dst = subfield(matchSpec[1]!);
      const src = subfield(matchSpec[2]!);
      const spec = Buffer.alloc(14);
      spec.writeUInt16BE(dst.bits, 0); // field source, match destination
      spec.writeUInt32BE(src.header, 2);
      spec.writeUInt16BE(src.ofs, 6);
      spec.writeUInt32BE(dst.header, 8);
      spec.writeUInt16BE(dst.ofs, 12);
      specs.push(spec);
    } else {
      const [key, value = ''] = arg.split('=');
      if (key === 'table') table = parseNumber(value);
      else if (key === 'priority') priority = parseNumber(value);
      else if (key === 'idle_timeout') idle = parseNumber(value);
      else if (key === 'hard_timeout') hard = parseNumber(value);
      else if (key === 'cookie') cookie = BigInt(value);
      else if (key === 'delete_learned') flags |= 2;
      else throw new Error(`learn argument ${arg} is not one this encoder knows`);
    }
  }
  const head = Buffer.alloc(22);
  head.writeUInt16BE(idle, 0);
  head.writeUInt16BE(hard, 2);
  head.writeUInt16BE(priority, 4);
  head.writeBigUInt64BE(cookie, 6);
  head.writeUInt16BE(flags, 14);
  head.writeUInt8(table, 16);
  // pad, fin_idle_timeout, fin_hard_timeout: zero
  return nxAction(NXAST.learn, Buffer.concat([head, ...specs]));
}

function clone(args: string, ports: PortNumbers): Buffer {
  const nested = Buffer.concat(splitTopLevel(args).map((a) => action(a, ports)));
  const head = nxAction(NXAST.clone, Buffer.alloc(6));
  const out = Buffer.concat([head, nested]);
  out.writeUInt16BE(out.length, 2);
  return out;
}

function call(text: string, name: string): string | undefined {
  return text.startsWith(`${name}(`) && text.endsWith(')')
    ? text.slice(name.length + 1, -1)
    : undefined;
}

/** One action of an apply-actions list. */
function action(text: string, ports: PortNumbers): Buffer {
  if (text === 'NORMAL') return output(OFPP.normal);
  if (text.startsWith('output:')) return output(portNumber(text.slice(7), ports));
  const sub = /^resubmit\(,(\d+)\)$/.exec(text);
  if (sub) return resubmit(Number(sub[1]));
  const ld = /^load:(0x[0-9a-f]+|\d+)->(.+)$/i.exec(text);
  if (ld) return load(BigInt(ld[1]!), ld[2]!);
  const ctArgs = call(text, 'ct');
  if (ctArgs !== undefined) return ct(ctArgs);
  const cloneArgs = call(text, 'clone');
  if (cloneArgs !== undefined) return clone(cloneArgs, ports);
  const learnArgs = call(text, 'learn');
  if (learnArgs !== undefined) return learn(learnArgs);
  throw new Error(`action ${text} is not one this encoder knows`);
}

/** An 8-byte instruction header (type, length, 4 bytes `fill` writes), then `actions`. */
function instruction(type: number, fill: (head: Buffer) => void, actions: Buffer[] = []): Buffer {
  const head = Buffer.alloc(8);
  const body = Buffer.concat(actions);
  head.writeUInt16BE(type, 0);
  head.writeUInt16BE(8 + body.length, 2);
  fill(head);
  return Buffer.concat([head, body]);
}

/** A flow mod's instructions from its `actions=` text. */
export function encodeInstructions(actions: string, ports: PortNumbers): Buffer {
  const list = splitTopLevel(actions).filter((a) => a !== 'drop');
  let meter: number | undefined;
  let gotoTable: number | undefined;
  const apply: Buffer[] = [];
  for (const [i, text] of list.entries()) {
    if (text.startsWith('meter:')) meter = parseNumber(text.slice(6));
    else if (text.startsWith('goto_table:')) {
      if (i !== list.length - 1) throw new Error(`goto_table must come last: ${actions}`);
      gotoTable = parseNumber(text.slice(11));
    } else apply.push(action(text, ports));
  }
  const out: Buffer[] = [];
  if (meter !== undefined) out.push(instruction(OFPIT.meter, (i) => i.writeUInt32BE(meter, 4)));
  if (apply.length > 0) out.push(instruction(OFPIT.applyActions, () => undefined, apply));
  if (gotoTable !== undefined) {
    out.push(instruction(OFPIT.gotoTable, (i) => i.writeUInt8(gotoTable, 4)));
  }
  return Buffer.concat(out);
}

/** A packet-out's action list (`table`: through the flow table, as if it came in on in_port). */
export function encodeActionList(actions: string, ports: PortNumbers): Buffer {
  return Buffer.concat(
    splitTopLevel(actions).map((a) => (a === 'table' ? output(OFPP.table) : action(a, ports))),
  );
}
