import { Env, EnvBoolean, LogApiServiceConfig } from '@pool/platform';
import { IsBoolean, IsInt, Matches, Max, Min } from 'class-validator';

/** Every setting of the projection service, read from the environment once at boot. */
export class ProjectionConfig extends LogApiServiceConfig {
  port: number = 8080;

  /** Most events folded into one read-model transaction. */
  @Env('PROJECTION_BATCH')
  @IsInt()
  @Min(1)
  @Max(100_000)
  projectionBatch: number = 2_000;

  /** Poll interval of an idle projector; the NOTIFY after each append wakes it sooner. */
  @Env('PROJECTION_POLL_MS')
  @IsInt()
  @Min(10)
  @Max(60_000)
  projectionPollMs: number = 1_000;

  /**
   * Campaign to run the projector and the host-reports consumer on this replica (one replica
   * writes at a time); off, the replica only serves reads.
   */
  @Env('PROJECTOR')
  @EnvBoolean()
  @IsBoolean({ message: 'must be true or false' })
  projectorEnabled: boolean = true;

  /** Durable JetStream consumer of host reports, shared by every projection replica. */
  @Env('REPORTS_CONSUMER')
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'must be a JetStream consumer name' })
  reportsConsumer: string = 'projection-reports';

  /** Campaign to run the migration coordinator on this replica (one replica runs it at a time). */
  @Env('MIGRATION_COORDINATOR')
  @EnvBoolean()
  @IsBoolean({ message: 'must be true or false' })
  migrationCoordinator: boolean = true;

  /** A migration step before activation that takes longer than this is aborted. */
  @Env('MIGRATION_TIMEOUT_MS')
  @IsInt()
  @Min(100)
  migrationTimeoutMs: number = 30_000;
}
