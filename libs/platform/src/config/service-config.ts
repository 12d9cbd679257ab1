import {
  IsDefined,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { BearerTokensFrom } from '../auth/bearer-tokens-from.decorator.js';
import type { TokenEntry } from '../auth/bearer-tokens.js';
import { LOG_LEVELS, type LogLevel } from '../logging/json-logger.js';
import { Env } from './load-config.js';

/*
 * The settings every poolnet service shares, declared once: an app's config class extends one
 * of these and adds its own (the Env lookup and class-validator both follow the prototype chain).
 */

const PORT_MESSAGE = 'must be an integer from 1 to 65535';

/** Listen address and port, logs and the NATS connection of any service. */
export abstract class ServiceConfig {
  /** Every service listens (API, health, metrics); each app redeclares it with its own default. */
  @Env('PORT')
  @IsInt({ message: PORT_MESSAGE })
  @Min(1, { message: PORT_MESSAGE })
  @Max(65_535, { message: PORT_MESSAGE })
  port!: number;

  /**
   * Loopback unless told otherwise: without tokens a service is open to anyone who reaches it,
   * as admin, so listening on every interface is a choice (HOST=0.0.0.0; the image makes it).
   */
  @Env('HOST')
  @IsString()
  @IsNotEmpty()
  host: string = '127.0.0.1';

  @Env('LOG_LEVEL')
  @IsIn(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` })
  logLevel: LogLevel = 'info';

  @Env('NATS_URL')
  @Matches(/^(nats|tls):\/\/\S+$/, {
    message: 'must be a nats:// URL (comma-separated for several)',
  })
  natsUrl: string = 'nats://127.0.0.1:4222';

  /** This service's NATS user (deploy/nats/nats.conf); unset for a server without users. */
  @Env('NATS_USER')
  @IsOptional()
  @IsString()
  natsUser?: string;

  @Env('NATS_PASSWORD')
  @IsOptional()
  @IsString()
  natsPassword?: string;

  /** A file holding the NATS password (a Docker secret), instead of NATS_PASSWORD. */
  @Env('NATS_PASSWORD_FILE')
  @IsOptional()
  @IsString()
  natsPasswordFile?: string;

  /** A NATS `.creds` file (user JWT and NKey seed), for a server in operator mode. */
  @Env('NATS_CREDS')
  @IsOptional()
  @IsString()
  natsCreds?: string;
}

/** Replica counts a stream may have: odd, so a majority survives losing the others. */
const STREAM_REPLICAS = [1, 3, 5];

/** A service on a pool's subjects and streams: these must match across the deployment. */
export abstract class PoolServiceConfig extends ServiceConfig {
  /** First token of every NATS subject; lets several deployments share one NATS. */
  @Env('SUBJECT_ROOT')
  @Matches(/^[a-z0-9][a-z0-9-]{0,31}$/, { message: 'must be a lowercase subject token' })
  subjectRoot: string = 'poolnet';

  @Env('EVENTS_STREAM')
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'must be a JetStream stream name' })
  eventsStream: string = 'POOLNET_EVENTS';

  @Env('REPORTS_STREAM')
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'must be a JetStream stream name' })
  reportsStream: string = 'POOLNET_REPORTS';

  /**
   * JetStream copies of the events stream: 1, 3 or 5 (3 or 5 need a NATS cluster of at least
   * as many servers; docker-compose's `nats-cluster` profile runs three). Whoever creates the
   * stream sets it, and a changed value is applied to the existing stream in place.
   */
  @Env('EVENTS_REPLICAS')
  @IsIn(STREAM_REPLICAS, { message: 'must be 1, 3 or 5' })
  eventsReplicas: number = 1;

  /** JetStream copies of the host reports stream, as EVENTS_REPLICAS. */
  @Env('REPORTS_REPLICAS')
  @IsIn(STREAM_REPLICAS, { message: 'must be 1, 3 or 5' })
  reportsReplicas: number = 1;
}

/** A pool service with an HTTP API over the event log: the pool master and the projection. */
export abstract class LogApiServiceConfig extends PoolServiceConfig {
  @Env('DATABASE_URL')
  @IsDefined({ message: 'is required' })
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'must be a postgres:// URL' })
  databaseUrl!: string;

  /**
   * Bearer tokens of the HTTP API, `role:token[:name],...` (roles admin, operator, read-only;
   * the read API lets any role read), hashed as they are read. With neither this nor
   * AUTH_TOKENS_FILE the API is open.
   */
  @Env('AUTH_TOKENS')
  @BearerTokensFrom('list')
  authTokens?: TokenEntry[];

  /** A file of bearer tokens: lines `role token [name]`, or JSON `[{ role, token, name }]`. */
  @Env('AUTH_TOKENS_FILE')
  @BearerTokensFrom('file')
  authTokensFromFile?: TokenEntry[];
}
