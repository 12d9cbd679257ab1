import type { MigrationStatus } from '@pool/contracts';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Every migration of a pool, finished ones included, with the pool version of each step. */
@Entity('rm_migrations')
@Index('rm_migrations_vm', ['poolId', 'vmId'])
export class MigrationRow {
  @PrimaryColumn({ name: 'pool_id', type: 'text' })
  poolId!: string;

  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ name: 'vm_id', type: 'text' })
  vmId!: string;

  @Column({ name: 'from_host_id', type: 'text' })
  fromHostId!: string;

  @Column({ name: 'to_host_id', type: 'text' })
  toHostId!: string;

  /** requested, prepared, activated, completed or aborted. */
  @Column({ type: 'text' })
  status!: MigrationStatus;

  @Column({ name: 'requested_at', type: 'timestamptz' })
  requestedAt!: string;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: string;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Column({ name: 'requested_version', type: 'bigint' })
  requestedVersion!: number;

  @Column({ name: 'prepared_version', type: 'bigint', nullable: true })
  preparedVersion!: number | null;

  @Column({ name: 'activated_version', type: 'bigint', nullable: true })
  activatedVersion!: number | null;

  @Column({ name: 'completed_version', type: 'bigint', nullable: true })
  completedVersion!: number | null;

  @Column({ name: 'aborted_version', type: 'bigint', nullable: true })
  abortedVersion!: number | null;
}
