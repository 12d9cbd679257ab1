import type { AclRuleView } from '@pool/contracts';
import { type Lookup } from './lookup.js';

/** The remote side of a match: a CIDR, a named address set or group, or any address. */
function describeRemote(match: AclRuleView['match'], names: Pick<Lookup, 'group' | 'addressSet'>) {
  if (match.cidr !== null) return match.cidr;
  if (match.addressSetId !== null) return `set ${names.addressSet(match.addressSetId)}`;
  if (match.remoteGroupId !== null) return `group ${names.group(match.remoteGroupId)}`;
  return 'any address';
}

/** `tcp 22–80 10.0.0.0/8`, `icmp group web`, `any`: an ACL match the way it would be typed. */
export function describeMatch(
  match: AclRuleView['match'],
  names: Pick<Lookup, 'group' | 'addressSet'>,
): string {
  const parts: string[] = [match.protocol];
  if (match.portFrom !== null) {
    const to = match.portTo ?? match.portFrom;
    parts.push(to === match.portFrom ? `port ${match.portFrom}` : `ports ${match.portFrom}–${to}`);
  }
  parts.push(describeRemote(match, names));
  return parts.join(' ');
}
