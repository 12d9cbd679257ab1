import { bitsOf, formatIp, parseIp, type IpFamily } from './ip.js';

export interface Cidr {
  family: IpFamily;
  network: bigint;
  prefix: number;
}

const PREFIX = /^(?:0|[1-9]\d{0,2})$/;

const hostMask = (family: IpFamily, prefix: number): bigint =>
  (1n << BigInt(bitsOf(family) - prefix)) - 1n;

/** Parses `address/prefix`; `hostBits` tells whether bits past the prefix were set. */
export const parseCidr = (text: string): { cidr: Cidr; hostBits: boolean } | null => {
  const [address, prefixText, ...rest] = text.split('/');
  if (address === undefined || prefixText === undefined || rest.length > 0) return null;
  const ip = parseIp(address);
  if (ip === null || !PREFIX.test(prefixText)) return null;
  const prefix = Number(prefixText);
  if (prefix > bitsOf(ip.family)) return null;
  const mask = hostMask(ip.family, prefix);
  const cidr = { family: ip.family, network: ip.value & ~mask, prefix };
  return { cidr, hostBits: (ip.value & mask) !== 0n };
};

export const formatCidr = ({ family, network, prefix }: Cidr): string =>
  `${formatIp({ family, value: network })}/${prefix}`;

/** Two prefixes of one family overlap exactly when the shorter one contains the other. */
export const cidrsOverlap = (a: Cidr, b: Cidr): boolean => {
  if (a.family !== b.family) return false;
  const mask = ~hostMask(a.family, Math.min(a.prefix, b.prefix));
  return (a.network & mask) === (b.network & mask);
};
