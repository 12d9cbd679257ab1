import { cidrsOverlap, parseCidr } from '../../net/cidr.js';
import type { AclMatchSpec } from '../pool.commands.js';
import { poolError } from '../pool.errors.js';
import { ACL_PROTOCOLS, type AclMatch } from '../pool.types.js';
import { requireCidr, requireInteger, requireOneOf } from '../pool.validation.js';

const portError = (message: string) => poolError('INVALID_PORT_RANGE', message);

/** A match in stored form: canonical CIDR, and ports either both set or both `null`. */
export const requireMatch = (value: unknown): AclMatch => {
  const spec = (typeof value === 'object' && value !== null ? value : {}) as Partial<
    Record<keyof AclMatchSpec, unknown>
  >;
  const protocol = requireOneOf('match.protocol', spec.protocol, ACL_PROTOCOLS);
  const cidr = spec.cidr == null ? null : requireCidr('match.cidr', spec.cidr);
  if (spec.portFrom == null) {
    if (spec.portTo != null) throw portError('match.portTo needs match.portFrom');
    return { protocol, cidr, portFrom: null, portTo: null };
  }
  if (protocol !== 'tcp' && protocol !== 'udp') {
    throw portError('ports can only be matched with protocol tcp or udp');
  }
  const portFrom = requireInteger('INVALID_PORT_RANGE', 'match.portFrom', spec.portFrom, 0, 65535);
  const portTo =
    spec.portTo == null
      ? portFrom
      : requireInteger('INVALID_PORT_RANGE', 'match.portTo', spec.portTo, 0, 65535);
  if (portTo < portFrom) throw portError('match.portTo must not be below match.portFrom');
  return { protocol, cidr, portFrom, portTo };
};

const protocolsOverlap = (a: AclMatch, b: AclMatch): boolean =>
  a.protocol === 'any' || b.protocol === 'any' || a.protocol === b.protocol;

const cidrsMayOverlap = (a: AclMatch, b: AclMatch): boolean => {
  if (a.cidr === null || b.cidr === null) return true;
  const x = parseCidr(a.cidr);
  const y = parseCidr(b.cidr);
  return x === null || y === null || cidrsOverlap(x.cidr, y.cidr);
};

const portsOverlap = (a: AclMatch, b: AclMatch): boolean =>
  a.portFrom === null ||
  b.portFrom === null ||
  a.portTo === null ||
  b.portTo === null ||
  (a.portFrom <= b.portTo && b.portFrom <= a.portTo);

/** True when some packet matches both: at equal priority their order would be undefined. */
export const matchesOverlap = (a: AclMatch, b: AclMatch): boolean =>
  protocolsOverlap(a, b) && cidrsMayOverlap(a, b) && portsOverlap(a, b);
