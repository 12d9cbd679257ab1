import { cidrsOverlap, parseCidr, type Cidr } from '../../net/cidr.js';
import type { AclMatchSpec } from '../pool.commands.js';
import { poolError } from '../pool.errors.js';
import type { PoolState } from '../pool.state.js';
import { ACL_PROTOCOLS, type AclMatch } from '../pool.types.js';
import { requireCidr, requireInteger, requireOneOf } from '../pool.validation.js';
import { getAddressSet, getSecurityGroup } from './lookups.js';

const portError = (message: string) => poolError('INVALID_PORT_RANGE', message);

type Remote = Pick<AclMatch, 'cidr' | 'addressSetId' | 'remoteGroupId'>;

/** At most one remote side, each naming something that exists. */
const requireRemote = (state: PoolState, spec: Partial<Record<keyof Remote, unknown>>): Remote => {
  const given = (['cidr', 'addressSetId', 'remoteGroupId'] as const).filter(
    (field) => spec[field] != null,
  );
  if (given.length > 1) {
    throw poolError(
      'INVALID_MATCH',
      `a match takes one remote side, not ${given.map((f) => `match.${f}`).join(' and ')}`,
      { fields: given.map((f) => `match.${f}`) },
    );
  }
  return {
    cidr: spec.cidr == null ? null : requireCidr('match.cidr', spec.cidr),
    addressSetId: spec.addressSetId == null ? null : getAddressSet(state, spec.addressSetId).id,
    remoteGroupId:
      spec.remoteGroupId == null ? null : getSecurityGroup(state, spec.remoteGroupId).id,
  };
};

/** A match in stored form: canonical remote, and ports either both set or both `null`. */
export const requireMatch = (state: PoolState, value: unknown): AclMatch => {
  const spec = (typeof value === 'object' && value !== null ? value : {}) as Partial<
    Record<keyof AclMatchSpec, unknown>
  >;
  const protocol = requireOneOf('match.protocol', spec.protocol, ACL_PROTOCOLS);
  const remote = requireRemote(state, spec);
  if (spec.portFrom == null) {
    if (spec.portTo != null) throw portError('match.portTo needs match.portFrom');
    return { protocol, ...remote, portFrom: null, portTo: null };
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
  return { protocol, ...remote, portFrom, portTo };
};

/** The CIDRs of an address set, by id: the state's, or the content an update would give it. */
export type AddressSetCidrs = (addressSetId: string) => readonly string[];

/**
 * What a remote may cover, for the overlap check: `any` (no remote, or a security group, whose
 * addresses follow its members and so may come to be anything) or these prefixes.
 */
const remoteCover = (match: AclMatch, setCidrs: AddressSetCidrs): 'any' | Cidr[] => {
  if (match.addressSetId !== null) return parsedSet(setCidrs(match.addressSetId));
  if (match.cidr !== null) return parseAll([match.cidr]);
  return 'any';
};

const parseAll = (cidrs: readonly string[]): Cidr[] =>
  cidrs.flatMap((text) => {
    const parsed = parseCidr(text);
    return parsed ? [parsed.cidr] : [];
  });

/**
 * A set's content parsed once per list: evolve replaces a set's list on update, never changes
 * it in place, so the list itself is a safe key while a slot's rules are compared pairwise.
 */
const parsedSets = new WeakMap<readonly string[], Cidr[]>();
const parsedSet = (cidrs: readonly string[]): Cidr[] => {
  let parsed = parsedSets.get(cidrs);
  if (parsed === undefined) parsedSets.set(cidrs, (parsed = parseAll(cidrs)));
  return parsed;
};

/** An empty address set matches nothing, so it overlaps nothing, not even `any`. */
const remotesOverlap = (a: AclMatch, b: AclMatch, setCidrs: AddressSetCidrs): boolean => {
  const x = remoteCover(a, setCidrs);
  const y = remoteCover(b, setCidrs);
  if (x === 'any') return y === 'any' || y.length > 0;
  if (y === 'any') return x.length > 0;
  return x.some((p) => y.some((q) => cidrsOverlap(p, q)));
};

const protocolsOverlap = (a: AclMatch, b: AclMatch): boolean =>
  a.protocol === 'any' || b.protocol === 'any' || a.protocol === b.protocol;

const portsOverlap = (a: AclMatch, b: AclMatch): boolean =>
  a.portFrom === null ||
  b.portFrom === null ||
  a.portTo === null ||
  b.portTo === null ||
  (a.portFrom <= b.portTo && b.portFrom <= a.portTo);

/**
 * True when some packet may match both: at equal priority their order would be undefined.
 * `setCidrs` gives the content of the address sets the matches name.
 */
export const matchesOverlap = (a: AclMatch, b: AclMatch, setCidrs: AddressSetCidrs): boolean =>
  protocolsOverlap(a, b) && portsOverlap(a, b) && remotesOverlap(a, b, setCidrs);

/** The address sets as the state holds them. */
export const stateSetCidrs =
  (state: PoolState): AddressSetCidrs =>
  (addressSetId) =>
    state.addressSets.get(addressSetId)?.cidrs ?? [];
