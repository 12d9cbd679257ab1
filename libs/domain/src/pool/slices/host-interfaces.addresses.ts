import { bitsOf, parseIpv4, parseIpv6, type IpFamily } from '../../net/ip.js';
import type { IpConfigSpec } from '../pool.commands.js';
import { poolError } from '../pool.errors.js';
import type { HostInterface, Ipv4Config, Ipv6Config } from '../pool.types.js';
import * as v from '../pool.validation.js';

/*
 * The address checks of a host interface (XAPI's PIF.reconfigure_ip): a static address is the
 * host's own inside its prefix, and a gateway lies inside the same prefix (or, for IPv6, is
 * link-local, as routers advertise themselves).
 */

const MODES = { 4: ['none', 'dhcp', 'static'], 6: ['none', 'dhcp', 'autoconf', 'static'] } as const;

const configError = (field: string, message: string) =>
  poolError('INVALID_IP_CONFIG', `${field} ${message}`, { field });

const mask = (family: IpFamily, prefix: number): bigint =>
  ((1n << BigInt(bitsOf(family))) - 1n) ^ ((1n << BigInt(bitsOf(family) - prefix)) - 1n);

const LINK_LOCAL = { network: 0xfe80n << 112n, mask: mask(6, 10) };

/** `ip/prefix` as the host holds it: canonical, its own (not the prefix's first or last). */
const requireHostAddress = (
  family: IpFamily,
  field: string,
  value: unknown,
): { address: string; ip: bigint; prefix: number } => {
  const [ipText, prefixText, ...rest] = typeof value === 'string' ? value.split('/') : [];
  const prefix = Number(prefixText);
  const max = bitsOf(family);
  if (ipText === undefined || rest.length > 0 || !/^\d{1,3}$/.test(prefixText ?? '')) {
    throw configError(
      field,
      `must be an address with its prefix, like ${family === 4 ? '192.0.2.10/24' : '2001:db8::10/64'}`,
    );
  }
  if (prefix < 1 || prefix > max) throw configError(field, `prefix must be 1–${max}`);
  const canonical = family === 4 ? v.requireIpv4(field, ipText) : v.requireIpv6(field, ipText);
  const ip = (family === 4 ? parseIpv4(canonical) : parseIpv6(canonical)) ?? 0n;
  const hostBits = ip & ~mask(family, prefix);
  // An IPv4 prefix up to /30 keeps its first and last address for the network and broadcast.
  if (
    family === 4 &&
    prefix <= 30 &&
    (hostBits === 0n || hostBits === (~mask(4, prefix) & 0xffffffffn))
  ) {
    throw configError(field, `${canonical} is the network or broadcast address of /${prefix}`);
  }
  return { address: `${canonical}/${prefix}`, ip, prefix };
};

const requireGateway = (
  family: IpFamily,
  value: unknown,
  own: { ip: bigint; prefix: number; address: string },
): string | null => {
  if (value === undefined || value === null) return null;
  const field = `ipv${family}.gateway`;
  const text = family === 4 ? v.requireIpv4(field, value) : v.requireIpv6(field, value);
  const gateway = (family === 4 ? parseIpv4(text) : parseIpv6(text)) ?? 0n;
  const m = mask(family, own.prefix);
  const linkLocal = family === 6 && (gateway & LINK_LOCAL.mask) === LINK_LOCAL.network;
  if (gateway === own.ip || (!linkLocal && (gateway & m) !== (own.ip & m))) {
    throw poolError(
      'GATEWAY_OUTSIDE_SUBNET',
      `gateway ${text} is not another address of ${own.address}${family === 6 ? ' (nor link-local)' : ''}`,
      { field, gateway: text, address: own.address },
    );
  }
  return text;
};

export function requireIpConfig(family: 4, spec: IpConfigSpec | undefined): Ipv4Config;
export function requireIpConfig(family: 6, spec: IpConfigSpec | undefined): Ipv6Config;
export function requireIpConfig(family: IpFamily, spec: IpConfigSpec | undefined): Ipv6Config {
  const field = `ipv${family}`;
  if (spec === undefined) return { mode: 'none' };
  if (typeof spec !== 'object' || spec === null) throw configError(field, 'must be an object');
  const mode = v.requireOneOf(`${field}.mode`, spec.mode, MODES[family] as readonly string[]);
  if (mode !== 'static') {
    if (spec.address !== undefined || (spec.gateway ?? null) !== null) {
      throw configError(field, `takes an address and gateway only in mode static`);
    }
    return { mode } as Ipv6Config;
  }
  const own = requireHostAddress(family, `${field}.address`, spec.address);
  return { mode, address: own.address, gateway: requireGateway(family, spec.gateway, own) };
}

/** Whether two interfaces are configured alike (a re-sent command changes nothing). */
export const sameInterface = (a: HostInterface, b: HostInterface): boolean =>
  JSON.stringify(a) === JSON.stringify({ ...a, ...b });
