import type { AclDefault, NetworkKind } from '@pool/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('rm_networks')
export class NetworkRow {
  @PrimaryColumn({ name: 'pool_id', type: 'text' })
  poolId!: string;

  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  /** external, private or overlay. */
  @Column({ type: 'text' })
  kind!: NetworkKind;

  @Column({ type: 'text' })
  purpose!: string;

  /** The uplink device of an external network; null for a private one. */
  @Column({ type: 'text', nullable: true })
  device!: string | null;

  @Column({ type: 'integer', nullable: true })
  vlan!: number | null;

  @Column({ type: 'integer' })
  mtu!: number;

  /** allow or deny: what a port of the network does with traffic no rule allows. */
  @Column({ name: 'acl_default', type: 'text' })
  aclDefault!: AclDefault;

  /** An overlay network's VXLAN network identifier; null for another kind. */
  @Column({ type: 'integer', nullable: true })
  vni!: number | null;
}
