/**
 * The flow-mod text the driver's generators write (flows.ts and its siblings), read into parts
 * an encoder can use: `add <spec>`, `delete [<spec>]`, `delete_strict <spec>`, and `packet-out
 * in_port=P packet=HEX actions=table`. A spec is `key[=value]` items separated by commas, with
 * `actions=` last. Only what the generators write is understood; anything else throws, so a new
 * generator field cannot be sent with a wrong encoding.
 */

export type FlowCommand = 'add' | 'delete' | 'delete_strict';

export interface FlowModText {
  kind: 'flowMod';
  command: FlowCommand;
  cookie: bigint;
  cookieMask: bigint;
  table: number | undefined;
  priority: number | undefined;
  idleTimeout: number;
  /** Match items in the order written: `[key, value]`, value undefined for `ip`, `tcp6`, … */
  match: [string, string | undefined][];
  /** The text after `actions=` (adds only). */
  actions: string;
}

export interface PacketOutText {
  kind: 'packetOut';
  inPort: string;
  packet: Buffer;
  actions: string;
}

export type OfLine = FlowModText | PacketOutText;

const ALL_ONES = (1n << 64n) - 1n;

export function parseNumber(text: string): number {
  const value = text.startsWith('0x') ? Number.parseInt(text.slice(2), 16) : Number(text);
  if (!Number.isInteger(value)) throw new Error(`not a number: ${text}`);
  return value;
}

/** `-1` is every bit, as ovs-ofctl reads a cookie mask. */
const parseCookie = (text: string): bigint => (text === '-1' ? ALL_ONES : BigInt(text));

/** Splits on commas outside parentheses (`clone(a,b),c` → `clone(a,b)`, `c`). */
export function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (start < text.length) parts.push(text.slice(start));
  return parts;
}

export function parseOfLine(line: string): OfLine {
  if (line.startsWith('packet-out ')) return parsePacketOut(line);
  const space = line.indexOf(' ');
  const verb = space < 0 ? line : line.slice(0, space);
  const spec = space < 0 ? '' : line.slice(space + 1);
  if (verb !== 'add' && verb !== 'delete' && verb !== 'delete_strict') {
    throw new Error(`not a flow-mod line: ${line}`);
  }
  const at = spec.indexOf('actions=');
  const actions = at < 0 ? '' : spec.slice(at + 'actions='.length);
  const head = at < 0 ? spec : spec.slice(0, at).replace(/,$/, '');
  if (verb === 'add' && at < 0) throw new Error(`an add without actions: ${line}`);
  const parsed: FlowModText = {
    kind: 'flowMod',
    command: verb,
    cookie: 0n,
    cookieMask: 0n,
    table: undefined,
    priority: undefined,
    idleTimeout: 0,
    match: [],
    actions,
  };
  for (const item of head ? head.split(',') : []) {
    const eq = item.indexOf('=');
    const key = eq < 0 ? item : item.slice(0, eq);
    const value = eq < 0 ? undefined : item.slice(eq + 1);
    if (key === 'cookie' && value !== undefined) {
      const [c = '0', mask] = value.split('/');
      parsed.cookie = BigInt(c);
      // An add's cookie is the flow's own; elsewhere a cookie without mask matches exactly.
      parsed.cookieMask = verb === 'add' ? 0n : mask === undefined ? ALL_ONES : parseCookie(mask);
    } else if (key === 'table' && value !== undefined) parsed.table = parseNumber(value);
    else if (key === 'priority' && value !== undefined) parsed.priority = parseNumber(value);
    else if (key === 'idle_timeout' && value !== undefined) parsed.idleTimeout = parseNumber(value);
    else parsed.match.push([key, value]);
  }
  return parsed;
}

function parsePacketOut(line: string): PacketOutText {
  const fields = new Map(
    line
      .slice('packet-out '.length)
      .trim()
      .split(/\s+/)
      .map((item) => {
        const eq = item.indexOf('=');
        return [item.slice(0, eq), item.slice(eq + 1)] as const;
      }),
  );
  const inPort = fields.get('in_port');
  const packet = fields.get('packet');
  const actions = fields.get('actions');
  if (!inPort || !packet || !actions || !/^(?:[0-9a-f]{2})+$/i.test(packet)) {
    throw new Error(`not a packet-out line this encoder knows: ${line}`);
  }
  return { kind: 'packetOut', inPort, packet: Buffer.from(packet, 'hex'), actions };
}

const PORT_REFERENCE = /(in_port=|output:)([^,\s)]+)/g;
const isNumbered = (port: string) => /^\d+$/.test(port) || port === 'LOCAL';

/** The port names a line uses (in_port=NAME, output:NAME), which the switch must number first. */
export const portNames = (line: string): string[] =>
  [...line.matchAll(PORT_REFERENCE)]
    .map(([, , port = '']) => port)
    .filter((port) => !isNumbered(port));

/** Whether a line names a port the switch must number first. */
export const namesPort = (line: string): boolean => portNames(line).length > 0;

/**
 * The line with each port name replaced by its OpenFlow number: two lines then say the same
 * flow only if they match the same port now (a port created again under its name has a new
 * number, and its old flows are not the new ones).
 */
export const numberPorts = (line: string, number: (name: string) => number): string =>
  line.replace(PORT_REFERENCE, (whole, key: string, port: string) =>
    isNumbered(port) ? whole : `${key}${number(port)}`,
  );
