import { Env, EnvBoolean, LogApiServiceConfig } from '@pool/platform';
import { HISTORY_SNAPSHOT_EVERY } from '@pool/event-store';
import { hostname } from 'node:os';
import { IsBoolean, IsInt, IsOptional, Matches, Min } from 'class-validator';

/** Every setting of the pool master, read from the environment once at boot. */
export class PoolMasterConfig extends LogApiServiceConfig {
  port: number = 3000;

  /** How long JetStream keeps events; hosts further behind ask the master for a snapshot. */
  @Env('EVENTS_MAX_AGE_HOURS')
  @IsInt()
  @Min(1)
  eventsMaxAgeHours: number = 24 * 7;

  /** Shown in pg_stat_activity and logs; unique per replica. */
  @Env('REPLICA_ID')
  @Matches(/^[A-Za-z0-9_.-]{1,64}$/, { message: 'must be 1-64 letters, digits, . _ or -' })
  replicaId: string = `${hostname()}-${process.pid}`;

  @Env('SNAPSHOT_EVERY')
  @IsInt()
  @Min(10)
  snapshotEvery: number = 500;

  /**
   * Reading the pool at an old version leaves a history snapshot at every multiple of this
   * many versions it folds past (kept as long as the log), so no old version is further than
   * this from its start point.
   */
  @Env('HISTORY_SNAPSHOT_EVERY')
  @IsInt()
  @Min(10)
  historySnapshotEvery: number = HISTORY_SNAPSHOT_EVERY;

  /** Campaign for the relay on this replica (one replica runs it at a time). */
  @Env('RELAY_ENABLED')
  @EnvBoolean()
  @IsBoolean({ message: 'must be true or false' })
  relayEnabled: boolean = true;

  @Env('WAIT_TIMEOUT_MS')
  @IsInt()
  @Min(100)
  waitTimeoutMs: number = 30_000;

  /** GRPC_URL as given: the gRPC listen address (`host:port`), or `off`. */
  @Env('GRPC_URL')
  @IsOptional()
  @Matches(/^(off|[^\s:]+:\d{1,5})$/, { message: "must be host:port or 'off'" })
  grpcUrlSetting?: string;

  /** Where gRPC listens: GRPC_URL, else port 50051 on HOST, so one variable widens both. */
  get grpcUrl(): string {
    return this.grpcUrlSetting ?? `${this.host.includes(':') ? `[${this.host}]` : this.host}:50051`;
  }
}
