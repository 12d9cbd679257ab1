import {
  BearerTokensFrom,
  Env,
  EnvBoolean,
  PoolServiceConfig,
  type TokenEntry,
} from '@pool/platform';
import { IsBoolean, IsDefined, IsInt, Matches, Max, Min } from 'class-validator';

const PORT_MESSAGE = 'must be an integer from 1 to 65535';

/** Every setting of the projection service, read from the environment once at boot. */
export class ProjectionConfig extends PoolServiceConfig {
  @Env('PORT')
  @IsInt({ message: PORT_MESSAGE })
  @Min(1, { message: PORT_MESSAGE })
  @Max(65_535, { message: PORT_MESSAGE })
  port: number = 8080;

  @Env('DATABASE_URL')
  @IsDefined({ message: 'is required' })
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'must be a postgres:// URL' })
  databaseUrl!: string;

  /**
   * Bearer tokens of the read API, `role:token[:name],...` (any role reads), hashed as they are
   * read. With neither this nor AUTH_TOKENS_FILE the API is open.
   */
  @Env('AUTH_TOKENS')
  @BearerTokensFrom('list')
  authTokens?: TokenEntry[];

  /** A file of bearer tokens: lines `role token [name]`, or JSON `[{ role, token, name }]`. */
  @Env('AUTH_TOKENS_FILE')
  @BearerTokensFrom('file')
  authTokensFromFile?: TokenEntry[];

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
