/*
 * Address sets and security groups as the projection's read API answers them
 * (`/api/pools/:pool/address-sets`, `/api/pools/:pool/security-groups`), read by poolctl and the
 * dashboard: defined once here so that the writers and the readers of the rows agree.
 */

/** A pool-wide named list of prefixes that an ACL rule may take as its remote side. */
export interface AddressSetView {
  addressSetId: string;
  name: string;
  /** Canonical prefixes (a bare address as /32 or /128), IPv4 first; may be empty. */
  cidrs: string[];
}

/** A pool-wide group of VIFs: rules may apply to it and take it as their remote side. */
export interface SecurityGroupView {
  groupId: string;
  name: string;
  /** `deny`: each member drops IP that no rule allows (and no connection it made answers). */
  defaultPolicy: 'allow' | 'deny';
  /** The member VIFs, sorted. */
  vifIds: string[];
  /** The ACL rules scoped to the group. */
  ruleCount: number;
}
