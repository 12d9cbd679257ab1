import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Where a projection is in the log, written in the same transaction as its rows. The position
 * is the log's `(log_epoch, transaction_id, global_position)`; xid8 values fit a bigint.
 */
@Entity('rm_checkpoints')
export class CheckpointRow {
  @PrimaryColumn({ type: 'text' })
  projection!: string;

  @Column({ name: 'log_epoch', type: 'smallint' })
  logEpoch!: number;

  @Column({ name: 'transaction_id', type: 'bigint' })
  transactionId!: string;

  @Column({ name: 'global_position', type: 'bigint' })
  globalPosition!: string;

  /** Events folded since the last rebuild. */
  @Column({ type: 'bigint' })
  events!: number;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: string;
}
