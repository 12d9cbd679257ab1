/**
 * IPv4 and IPv6 parsing to integers (as bigint, to share the prefix arithmetic) and back to a
 * canonical text: dotted quad without leading zeros, and RFC 5952 for IPv6.
 */

export type IpFamily = 4 | 6;
export interface IpAddress {
  family: IpFamily;
  value: bigint;
}

const OCTET = /^(?:0|[1-9]\d{0,2})$/;
const GROUP = /^[0-9a-f]{1,4}$/i;

export const parseIpv4 = (text: string): bigint | null => {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const part of parts) {
    if (!OCTET.test(part) || Number(part) > 255) return null;
    value = (value << 8n) | BigInt(part);
  }
  return value;
};

export const parseIpv6 = (text: string): bigint | null => {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  // An embedded IPv4 address may only end the whole address (`::ffff:192.0.2.1`).
  const groupsOf = (half: string | undefined, last: boolean): number[] | null => {
    if (half === undefined || half === '') return [];
    const out: number[] = [];
    const parts = half.split(':');
    for (const [i, part] of parts.entries()) {
      const v4 = last && i === parts.length - 1 && part.includes('.') ? parseIpv4(part) : null;
      if (v4 !== null) out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      else if (GROUP.test(part)) out.push(parseInt(part, 16));
      else return null;
    }
    return out;
  };
  const head = groupsOf(halves[0], halves.length === 1);
  const tail = groupsOf(halves[1], true);
  if (head === null || tail === null) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [
    ...head,
    ...new Array<number>(halves.length === 1 ? 0 : missing).fill(0),
    ...tail,
  ];
  return groups.reduce((value, group) => (value << 16n) | BigInt(group), 0n);
};

export const formatIpv4 = (value: bigint): string =>
  [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');

export const formatIpv6 = (value: bigint): string => {
  const groups = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((s) =>
    Number((value >> s) & 0xffffn),
  );
  // RFC 5952: compress the longest run of two or more zero groups, the first one on a tie.
  let best = { start: -1, length: 1 };
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length) best = { start: i, length: j - i };
    i = j === i ? i + 1 : j;
  }
  const text = (from: number, to: number) =>
    groups
      .slice(from, to)
      .map((g) => g.toString(16))
      .join(':');
  return best.start < 0
    ? text(0, 8)
    : `${text(0, best.start)}::${text(best.start + best.length, 8)}`;
};

export const parseIp = (text: string): IpAddress | null => {
  const v4 = parseIpv4(text);
  if (v4 !== null) return { family: 4, value: v4 };
  const v6 = parseIpv6(text);
  return v6 === null ? null : { family: 6, value: v6 };
};

export const bitsOf = (family: IpFamily): number => (family === 4 ? 32 : 128);

export const formatIp = ({ family, value }: IpAddress): string =>
  family === 4 ? formatIpv4(value) : formatIpv6(value);

/** The canonical text of an IPv4 address, or `null`. */
export const normaliseIpv4 = (text: string): string | null => {
  const value = parseIpv4(text);
  return value === null ? null : formatIpv4(value);
};

/** The canonical (RFC 5952) text of an IPv6 address, or `null`. */
export const normaliseIpv6 = (text: string): string | null => {
  const value = parseIpv6(text);
  return value === null ? null : formatIpv6(value);
};
