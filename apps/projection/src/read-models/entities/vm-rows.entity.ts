import type { VmView } from '@pool/contracts';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity('rm_vms')
@Index('rm_vms_host', ['poolId', 'hostId'])
export class VmRow {
  @PrimaryColumn({ name: 'pool_id', type: 'text' })
  poolId!: string;

  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ name: 'power_state', type: 'text' })
  powerState!: VmView['powerState'];

  /** The resident host while running: the source during a migration, the target after it. */
  @Column({ name: 'host_id', type: 'text', nullable: true })
  hostId!: string | null;
}

@Entity('rm_vifs')
@Index('rm_vifs_vm', ['poolId', 'vmId'])
@Index('rm_vifs_network', ['poolId', 'networkId'])
export class VifRow {
  @PrimaryColumn({ name: 'pool_id', type: 'text' })
  poolId!: string;

  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ name: 'vm_id', type: 'text' })
  vmId!: string;

  @Column({ type: 'integer' })
  device!: number;

  @Column({ name: 'network_id', type: 'text' })
  networkId!: string;

  @Column({ type: 'text' })
  mac!: string;

  @Column({ type: 'text', nullable: true })
  ipv4!: string | null;

  @Column({ type: 'text', nullable: true })
  ipv6!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  qos!: Record<string, number> | null;

  @Column({ name: 'port_security', type: 'boolean' })
  portSecurity!: boolean;
}

/**
 * The address registry: MAC and IP → VIF → VM → host. One row per address a VIF holds (its
 * IPv4, its IPv6, each further address), or one row with `ip` null for a VIF without any.
 * Allowed address pairs are not held: a VIP is shared, not a VIF's.
 */
@Entity('rm_addresses')
@Index('rm_addresses_mac', ['poolId', 'mac'])
@Index('rm_addresses_ip', ['poolId', 'ip'])
export class AddressRow {
  @PrimaryColumn({ name: 'pool_id', type: 'text' })
  poolId!: string;

  @PrimaryColumn({ name: 'vif_id', type: 'text' })
  vifId!: string;

  /** mac (no IP), ipv4, ipv6, or `extra:<ip>` for a further address. */
  @PrimaryColumn({ type: 'text' })
  slot!: string;

  @Column({ type: 'text' })
  mac!: string;

  @Column({ type: 'text', nullable: true })
  ip!: string | null;

  @Column({ name: 'network_id', type: 'text' })
  networkId!: string;

  @Column({ name: 'vm_id', type: 'text' })
  vmId!: string;

  @Column({ name: 'host_id', type: 'text', nullable: true })
  hostId!: string | null;
}
