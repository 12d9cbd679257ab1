import { type NetworkHoldReport } from '@pool/contracts';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/*
 * What member hosts report (JetStream `<root>.<pool>.hosts.<host>.reports`), not what the log
 * says: a rebuild keeps these rows and `verify` does not compare them.
 */

@Entity('rm_host_status')
export class HostStatusRow {
  @PrimaryColumn({ name: 'pool_id', type: 'text' })
  poolId!: string;

  @PrimaryColumn({ name: 'host_id', type: 'text' })
  hostId!: string;

  @Column({ name: 'applied_version', type: 'bigint' })
  appliedVersion!: number;

  @Column({ type: 'text' })
  digest!: string;

  /** When the projection received the last report. */
  @Column({ name: 'last_report_at', type: 'timestamptz' })
  lastReportAt!: string;

  /** Drift items (a port deleted by hand, …) the host found and reported, in total. */
  @Column({ type: 'integer' })
  drift!: number;

  /** JetStream sequence of the last report applied: older or redelivered ones are skipped. */
  @Column({ name: 'report_seq', type: 'bigint' })
  reportSeq!: number;

  /** Set while the host holds an earlier version after a network rollback (its last report). */
  @Column({ type: 'jsonb', nullable: true })
  held!: NetworkHoldReport | null;
}

/** A VIF's port on one host, as the host last reported it. */
@Entity('rm_host_ports')
@Index('rm_host_ports_vif', ['poolId', 'vifId'])
export class HostPortRow {
  @PrimaryColumn({ name: 'pool_id', type: 'text' })
  poolId!: string;

  @PrimaryColumn({ name: 'host_id', type: 'text' })
  hostId!: string;

  @PrimaryColumn({ name: 'vif_id', type: 'text' })
  vifId!: string;

  @Column({ type: 'boolean' })
  ready!: boolean;

  @Column({ type: 'boolean' })
  forwarding!: boolean;

  /** False while the host reports the port's device absent (the VM's NIC not plugged). */
  @Column({ type: 'boolean', default: true })
  plugged!: boolean;

  /** The hypervisor's device for the port, when the host adopted it (`iface-id` binding). */
  @Column({ type: 'text', nullable: true })
  device!: string | null;
}

/** One host's VXLAN tunnels on one overlay network, as the host last reported them. */
@Entity('rm_host_tunnels')
export class HostTunnelRow {
  @PrimaryColumn({ name: 'pool_id', type: 'text' })
  poolId!: string;

  @PrimaryColumn({ name: 'host_id', type: 'text' })
  hostId!: string;

  @PrimaryColumn({ name: 'network_id', type: 'text' })
  networkId!: string;

  @Column({ type: 'integer' })
  vni!: number;

  /** Tunnels the log wants: one to each other host carrying the network. */
  @Column({ type: 'integer' })
  expected!: number;

  /** Of those, how many are on the host's switch as wanted. */
  @Column({ type: 'integer' })
  applied!: number;

  /** The remote hosts whose tunnel is not on the switch. */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  missing!: string[];

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: string;

  /** The remote hosts whose tunnel is on the switch but whose BFD session is not up. */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  unreachable!: string[];
}

@Entity('rm_counters')
export class CounterRow {
  @PrimaryColumn({ name: 'pool_id', type: 'text' })
  poolId!: string;

  @PrimaryColumn({ name: 'host_id', type: 'text' })
  hostId!: string;

  @PrimaryColumn({ type: 'text' })
  port!: string;

  @Column({ name: 'rx_packets', type: 'bigint' })
  rxPackets!: number;

  @Column({ name: 'tx_packets', type: 'bigint' })
  txPackets!: number;

  @Column({ name: 'rx_bytes', type: 'bigint' })
  rxBytes!: number;

  @Column({ name: 'tx_bytes', type: 'bigint' })
  txBytes!: number;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: string;
}

/** Hits of one ACL rule on one host, summed over the host's ports (HostReport.aclCounters). */
@Entity('rm_acl_counters')
export class AclCounterRow {
  @PrimaryColumn({ name: 'pool_id', type: 'text' })
  poolId!: string;

  @PrimaryColumn({ name: 'rule_id', type: 'text' })
  ruleId!: string;

  @PrimaryColumn({ name: 'host_id', type: 'text' })
  hostId!: string;

  @Column({ type: 'bigint' })
  packets!: number;

  @Column({ type: 'bigint' })
  bytes!: number;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: string;
}
