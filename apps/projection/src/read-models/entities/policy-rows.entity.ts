import type { AclRuleView, MirrorStatus, MirrorStatusProblem, MirrorView } from '@pool/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('rm_acl_rules')
export class AclRuleRow {
  @PrimaryColumn({ name: 'pool_id', type: 'text' })
  poolId!: string;

  @PrimaryColumn({ type: 'text' })
  id!: string;

  /** network, vif or group. */
  @Column({ name: 'scope_kind', type: 'text' })
  scopeKind!: string;

  @Column({ name: 'scope_id', type: 'text' })
  scopeId!: string;

  @Column({ type: 'text' })
  direction!: AclRuleView['direction'];

  @Column({ type: 'integer' })
  priority!: number;

  @Column({ type: 'text' })
  protocol!: string;

  @Column({ type: 'text', nullable: true })
  cidr!: string | null;

  @Column({ name: 'port_from', type: 'integer', nullable: true })
  portFrom!: number | null;

  @Column({ name: 'port_to', type: 'integer', nullable: true })
  portTo!: number | null;

  @Column({ type: 'text' })
  action!: AclRuleView['action'];

  /* The remote side besides `cidr`: at most one of the three is set; none, any remote. */

  @Column({ name: 'address_set_id', type: 'text', nullable: true })
  addressSetId!: string | null;

  @Column({ name: 'remote_group_id', type: 'text', nullable: true })
  remoteGroupId!: string | null;

  @Column({ type: 'boolean' })
  stateless!: boolean;
}

@Entity('rm_mirrors')
export class MirrorRow {
  @PrimaryColumn({ name: 'pool_id', type: 'text' })
  poolId!: string;

  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ name: 'source_kind', type: 'text' })
  sourceKind!: string;

  @Column({ name: 'source_id', type: 'text' })
  sourceId!: string;

  @Column({ type: 'text' })
  direction!: MirrorView['direction'];

  @Column({ name: 'destination_vif_id', type: 'text' })
  destinationVifId!: string;

  /** `active`, `partial` or `inactive` (libs/contracts MirrorStatus), from the log. */
  @Column({ type: 'text' })
  state!: MirrorStatus['state'];

  @Column({ name: 'monitor_host_id', type: 'text', nullable: true })
  monitorHostId!: string | null;

  /** Why parts of the mirror are not realised: `{ code, message, host? }[]`. */
  @Column({ type: 'jsonb' })
  problems!: MirrorStatusProblem[];
}
