import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One row per pool: its name, the version the read models are at, and how big it is. */
@Entity('rm_pools')
export class PoolRow {
  @PrimaryColumn({ name: 'pool_id', type: 'text' })
  poolId!: string;

  @Column({ type: 'text' })
  name!: string;

  /** The last pool event folded into the read models. */
  @Column({ type: 'bigint' })
  version!: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: string;

  /** When the last folded event was committed. */
  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: string;

  @Column({ type: 'integer' })
  hosts!: number;

  @Column({ type: 'integer' })
  networks!: number;

  @Column({ type: 'integer' })
  vms!: number;

  @Column({ type: 'integer' })
  vifs!: number;

  @Column({ name: 'migrations_active', type: 'integer' })
  migrationsActive!: number;
}
