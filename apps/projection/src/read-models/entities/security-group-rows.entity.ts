import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A named list of CIDRs an ACL rule may take as its remote side. */
@Entity('rm_address_sets')
export class AddressSetRow {
  @PrimaryColumn({ name: 'pool_id', type: 'text' })
  poolId!: string;

  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  /** Canonical CIDRs, IPv4 first, as the domain keeps them; may be empty. */
  @Column({ type: 'jsonb' })
  cidrs!: string[];
}

@Entity('rm_security_groups')
export class SecurityGroupRow {
  @PrimaryColumn({ name: 'pool_id', type: 'text' })
  poolId!: string;

  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  /** allow or deny. */
  @Column({ name: 'default_policy', type: 'text' })
  defaultPolicy!: string;
}

/** One VIF in one group: a row each, so "which groups is this VIF in" is an index lookup. */
@Entity('rm_security_group_members')
export class SecurityGroupMemberRow {
  @PrimaryColumn({ name: 'pool_id', type: 'text' })
  poolId!: string;

  @PrimaryColumn({ name: 'group_id', type: 'text' })
  groupId!: string;

  @PrimaryColumn({ name: 'vif_id', type: 'text' })
  vifId!: string;
}
