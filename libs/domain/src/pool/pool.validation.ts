import { formatCidr, parseCidr, type Cidr } from '../net/cidr.js';
import { bitsOf, formatIpv4, formatIpv6, parseIp, parseIpv4, parseIpv6 } from '../net/ip.js';
import { isMulticastMac, isZeroMac, normaliseMac } from '../net/mac.js';
import { poolError, type PoolErrorCode } from './pool.errors.js';
import { ADDRESS_SET_MAX_ENTRIES, type Qos } from './pool.types.js';

/*
 * Input checks: each returns the value in its stored form or throws an `invalid` DomainError.
 * Commands may come from untyped transports, so every check also guards the runtime type.
 */

/** Ids travel in NATS subjects and stream ids: letters, digits, `_` and `-` (UUIDs fit). */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
/**
 * A pool id is a whole NATS subject token and names the pool's stream on every transport:
 * lowercase letters, digits and `-` only, so no two spellings (`Lab`, `lab`) are two pools.
 * REST, NATS and gRPC all check it with this one rule.
 */
export const POOL_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const POOL_ID_RULE =
  "must be 1–63 lowercase letters, digits or '-', starting with a letter or digit";
/** Linux interface names: at most 15 characters, no `/`, `:` or whitespace. */
const DEVICE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/;
/** Control characters, lone surrogates, line and paragraph separators. */
const UNPRINTABLE = /[\p{Cc}\p{Cs}\p{Zl}\p{Zp}]/u;

/** Whether `value` can be the id of a host, network, VM… (a client tells ids from names by it). */
export const isValidId = (value: string): boolean => ID_PATTERN.test(value);

/** Whether `value` can be a pool id (stricter than other ids: see POOL_ID_PATTERN). */
export const isValidPoolId = (value: string): boolean => POOL_ID_PATTERN.test(value);

export const requireId = (field: string, value: unknown): string => {
  if (typeof value === 'string' && ID_PATTERN.test(value)) return value;
  throw poolError('INVALID_ID', `${field} must be 1–64 letters, digits, '_' or '-'`, { field });
};

export const requirePoolId = (field: string, value: unknown): string => {
  if (typeof value === 'string' && POOL_ID_PATTERN.test(value)) return value;
  throw poolError('INVALID_ID', `${field} ${POOL_ID_RULE}`, { field });
};

const printable = (value: unknown, max: number): string | null => {
  if (typeof value !== 'string') return null;
  const text = value.trim();
  const length = [...text].length;
  return length >= 1 && length <= max && !UNPRINTABLE.test(text) ? text : null;
};

/**
 * Format characters (Unicode Cf: zero-width space and joiners, bidirectional overrides, soft
 * hyphen…) change how a name looks or reads without showing: `pro\u200Bd` would pass for `prod`,
 * a right-to-left override reverses what follows, and a name of them alone is invisible.
 */
const FORMAT = /\p{Cf}/u;

/** Names are trimmed, then must be 1–64 printable characters, none of them a format character. */
export const requireName = (field: string, value: unknown): string => {
  const name = printable(value, 64);
  if (name !== null && !FORMAT.test(name)) return name;
  throw poolError('INVALID_NAME', `${field} must be 1–64 printable characters, none invisible`, {
    field,
  });
};

/** Free text (a host address, an abort reason): trimmed, 1–`max` printable characters. */
export const requireText = (field: string, value: unknown, max: number): string => {
  const text = printable(value, max);
  if (text !== null) return text;
  throw poolError('INVALID_TEXT', `${field} must be 1–${max} printable characters`, { field });
};

export const requireDevice = (field: string, value: unknown): string => {
  if (typeof value === 'string' && DEVICE.test(value)) return value;
  throw poolError('INVALID_DEVICE', `${field} must be an interface name of 1–15 characters`, {
    field,
  });
};

/** An instant as ISO 8601 in UTC with milliseconds (`Date.prototype.toISOString`'s form). */
export const requireTimestamp = (field: string, value: unknown): string => {
  if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(value)) {
    const at = new Date(value);
    if (!Number.isNaN(at.getTime()) && at.toISOString() === value) return value;
  }
  throw poolError('INVALID_TIMESTAMP', `${field} must be an ISO 8601 UTC time with milliseconds`, {
    field,
  });
};

export const requireOneOf = <T>(field: string, value: unknown, allowed: readonly T[]): T => {
  const found = allowed.find((option) => option === value);
  if (found !== undefined) return found;
  throw poolError('INVALID_OPTION', `${field} must be one of ${allowed.join(', ')}`, {
    field,
    allowed,
  });
};

export const requireInteger = (
  code: PoolErrorCode,
  field: string,
  value: unknown,
  min: number,
  max: number,
): number => {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) {
    return value;
  }
  throw poolError(code, `${field} must be an integer from ${min} to ${max}`, { field, min, max });
};

export const requireMtu = (value: unknown, field = 'mtu'): number =>
  requireInteger('INVALID_MTU', field, value, 68, 9216);
export const requireVlan = (value: unknown): number =>
  requireInteger('INVALID_VLAN', 'vlan', value, 1, 4094);

/** A unicast, non-zero MAC in normal form; `-` separators and any case are accepted. */
export const requireMac = (field: string, value: unknown): string => {
  const mac = typeof value === 'string' ? normaliseMac(value) : null;
  if (mac === null) {
    throw poolError('INVALID_MAC', `${field} must be a MAC address like aa:bb:cc:dd:ee:ff`, {
      field,
    });
  }
  if (isMulticastMac(mac) || isZeroMac(mac)) {
    throw poolError('INVALID_MAC', `${field} ${mac} is not a unicast address`, { field, mac });
  }
  return mac;
};

const ipError = (field: string, detail: string) =>
  poolError('INVALID_IP', `${field} must be ${detail}`, { field });

/** A host address in canonical text: no unspecified, multicast or broadcast address. */
export const requireIpv4 = (field: string, value: unknown): string => {
  const ip = typeof value === 'string' ? parseIpv4(value) : null;
  if (ip === null || ip === 0n || ip >> 28n === 0xen || ip === 0xffffffffn) {
    throw ipError(field, 'a unicast IPv4 address like 192.0.2.10');
  }
  return formatIpv4(ip);
};

export const requireIpv6 = (field: string, value: unknown): string => {
  const ip = typeof value === 'string' ? parseIpv6(value) : null;
  if (ip === null || ip === 0n || ip >> 120n === 0xffn) {
    throw ipError(field, 'a unicast IPv6 address like 2001:db8::10');
  }
  return formatIpv6(ip);
};

/**
 * An IPv6 address a VIF may own: not one that embeds an IPv4 address, IPv4-mapped
 * (::ffff:0:0/96) or IPv4-compatible (::/96, ::1 among them). Guests and switches read those
 * as IPv4 traffic or not at all, so port security keyed on them would admit or refuse the wrong
 * packets; the IPv4 address goes in `ipv4` or `extraIps` instead.
 */
export const requireVifIpv6 = (field: string, value: unknown): string => {
  const ip = requireIpv6(field, value);
  const high = (parseIpv6(ip) ?? 0n) >> 32n;
  if (high === 0xffffn || high === 0n) {
    throw poolError(
      'IPV4_EMBEDDED_IPV6',
      `${field} ${ip} embeds an IPv4 address (IPv4-mapped or IPv4-compatible); give the IPv4 address itself`,
      { field, ip },
    );
  }
  return ip;
};

/** A VIF address of either family, told apart by its text. */
export const requireVifIp = (field: string, value: unknown): string =>
  typeof value === 'string' && value.includes(':')
    ? requireVifIpv6(field, value)
    : requireIpv4(field, value);

/** A prefix with its host bits clear, in canonical text (`10.1.0.0/16`, `2001:db8::/32`). */
export const requireCidr = (field: string, value: unknown): string => {
  const parsed = typeof value === 'string' ? parseCidr(value) : null;
  if (parsed === null) {
    throw poolError('INVALID_CIDR', `${field} must be a prefix like 10.0.0.0/8`, { field });
  }
  const canonical = formatCidr(parsed.cidr);
  if (parsed.hostBits) {
    throw poolError('INVALID_CIDR', `${field} has host bits set: did you mean ${canonical}?`, {
      field,
      suggestion: canonical,
    });
  }
  return canonical;
};

/** Whether an IPv6 prefix lies wholly in ::/96 (IPv4-compatible) or ::ffff:0:0/96 (mapped). */
const embedsIpv4 = ({ family, network, prefix }: Cidr): boolean =>
  family === 6 && prefix >= 96 && (network >> 32n === 0n || network >> 32n === 0xffffn);

/**
 * An address set entry: a prefix (as requireCidr) or a bare address, which stands for itself
 * (/32 or /128). Not an IPv6 prefix that only holds IPv4-embedding addresses: no datapath reads
 * IPv4 traffic as those, as VIF addresses (requireVifIpv6).
 */
export const requireSetEntry = (field: string, value: unknown): Cidr => {
  const ip = typeof value === 'string' && !value.includes('/') ? parseIp(value) : null;
  const text = ip === null ? value : `${value as string}/${bitsOf(ip.family)}`;
  const cidr = parseCidr(requireCidr(field, text))?.cidr;
  if (cidr === undefined) throw poolError('INVALID_CIDR', `${field} must be a prefix`, { field });
  if (embedsIpv4(cidr)) {
    const canonical = formatCidr(cidr);
    throw poolError(
      'IPV4_EMBEDDED_IPV6',
      `${field} ${canonical} embeds IPv4 addresses (IPv4-mapped or IPv4-compatible); give the IPv4 prefix itself`,
      { field, cidr: canonical },
    );
  }
  return cidr;
};

const byFamilyThenNumber = (a: Cidr, b: Cidr): number =>
  a.family - b.family ||
  (a.network < b.network ? -1 : a.network > b.network ? 1 : 0) ||
  a.prefix - b.prefix;

/**
 * An address set's content in stored form: at most ADDRESS_SET_MAX_ENTRIES entries, canonical,
 * without repeats, IPv4 before IPv6 and each in numeric order; may be empty.
 */
export const requireSetCidrs = (field: string, value: unknown): string[] => {
  if (!Array.isArray(value)) {
    throw poolError('INVALID_CIDR', `${field} must be a list of prefixes`, { field });
  }
  if (value.length > ADDRESS_SET_MAX_ENTRIES) {
    throw poolError(
      'ADDRESS_SET_TOO_LARGE',
      `${field} holds at most ${ADDRESS_SET_MAX_ENTRIES} entries, not ${value.length}`,
      { field, max: ADDRESS_SET_MAX_ENTRIES, count: value.length },
    );
  }
  const cidrs = value.map((entry, i) => requireSetEntry(`${field}[${i}]`, entry));
  return [...new Set(cidrs.sort(byFamilyThenNumber).map(formatCidr))];
};

const QOS_FIELDS = ['ingressKbps', 'ingressBurstKb', 'egressKbps', 'egressBurstKb'] as const;
const QOS_MAX = 0xffffffff;

/** Each rate and burst is an integer from 0 (unlimited) to 2^32 − 1, as Open vSwitch takes it. */
export const requireQos = (value: unknown): Qos => {
  if (typeof value !== 'object' || value === null) {
    throw poolError('INVALID_QOS', `qos must hold ${QOS_FIELDS.join(', ')}`);
  }
  const fields = value as Record<string, unknown>;
  const [ingressKbps, ingressBurstKb, egressKbps, egressBurstKb] = QOS_FIELDS.map((field) =>
    requireInteger('INVALID_QOS', `qos.${field}`, fields[field], 0, QOS_MAX),
  ) as [number, number, number, number];
  return { ingressKbps, ingressBurstKb, egressKbps, egressBurstKb };
};

export const requireBoolean = (field: string, value: unknown): boolean =>
  requireOneOf(field, value, [true, false]);
