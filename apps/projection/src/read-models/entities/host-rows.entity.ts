import type { BondView, PifRole } from '@pool/contracts';
import type { HostInterface } from '@pool/domain';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity('rm_hosts')
export class HostRow {
  @PrimaryColumn({ name: 'pool_id', type: 'text' })
  poolId!: string;

  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  address!: string;

  @Column({ type: 'boolean' })
  enabled!: boolean;

  /** The device of the management PIF. */
  @Column({ type: 'text', nullable: true })
  management!: string | null;

  @Column({ name: 'joined_at', type: 'timestamptz' })
  joinedAt!: string;

  /** Where the host's overlay tunnels start and end (SetTunnelEndpoint); null: none. */
  @Column({ name: 'tunnel_device', type: 'text', nullable: true })
  tunnelDevice!: string | null;

  @Column({ name: 'tunnel_address', type: 'text', nullable: true })
  tunnelAddress!: string | null;
  /** Its configured management and storage interfaces, as the log holds them, by name. */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  interfaces!: HostInterface[];
}

/** A physical NIC with its configured role and the traffic it actually carries. */
@Entity('rm_pifs')
export class PifRow {
  @PrimaryColumn({ name: 'pool_id', type: 'text' })
  poolId!: string;

  @PrimaryColumn({ name: 'host_id', type: 'text' })
  hostId!: string;

  @PrimaryColumn({ type: 'text' })
  device!: string;

  @Column({ type: 'text' })
  mac!: string;

  @Column({ type: 'integer' })
  mtu!: number;

  @Column({ name: 'speed_mbps', type: 'integer' })
  speedMbps!: number;

  @Column({ type: 'boolean' })
  carrier!: boolean;

  /** As configured: management, vm, storage or unused. */
  @Column({ type: 'text' })
  role!: PifRole;

  /** Traffic types on this NIC: its role plus the purposes of networks uplinked through it. */
  @Column({ type: 'jsonb' })
  roles!: string[];

  @Column({ name: 'bond_id', type: 'text', nullable: true })
  bondId!: string | null;
}

@Entity('rm_bonds')
@Index('rm_bonds_host', ['poolId', 'hostId'])
export class BondRow {
  @PrimaryColumn({ name: 'pool_id', type: 'text' })
  poolId!: string;

  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ name: 'host_id', type: 'text' })
  hostId!: string;

  @Column({ type: 'text' })
  device!: string;

  @Column({ type: 'jsonb' })
  members!: string[];

  @Column({ type: 'text' })
  mode!: BondView['mode'];
}

/** Where an external network leaves a host: the PIF or bond with the network's device. */
@Entity('rm_uplinks')
export class UplinkRow {
  @PrimaryColumn({ name: 'pool_id', type: 'text' })
  poolId!: string;

  @PrimaryColumn({ name: 'network_id', type: 'text' })
  networkId!: string;

  @PrimaryColumn({ name: 'host_id', type: 'text' })
  hostId!: string;

  @Column({ type: 'text' })
  device!: string;

  @Column({ type: 'integer', nullable: true })
  vlan!: number | null;
}

/** Traffic-type advice (DESIGN §1): a NIC of a host carrying more than one kind of traffic. */
@Entity('rm_advice')
export class AdviceRow {
  @PrimaryColumn({ name: 'pool_id', type: 'text' })
  poolId!: string;

  @PrimaryColumn({ name: 'host_id', type: 'text' })
  hostId!: string;

  /** A PIF's device; for a bond, each member NIC gets its own row. */
  @PrimaryColumn({ type: 'text' })
  device!: string;

  /** Sorted traffic types sharing the NIC (two or three of management, vm, storage). */
  @Column({ type: 'jsonb' })
  traffic!: string[];

  @Column({ type: 'text' })
  message!: string;
}
