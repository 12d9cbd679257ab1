import { Env, LOG_LEVELS, type LogLevel } from '@pool/platform';
import { IsDefined, IsIn, IsInt, IsNotEmpty, IsString, Matches, Max, Min } from 'class-validator';
import { hostname } from 'node:os';

export const DRIVERS = ['memory', 'ovs'] as const;
export type Driver = (typeof DRIVERS)[number];

// Pool and host ids are NATS subject tokens (poolnet.<pool>.hosts.<host>.reports).
const SUBJECT_TOKEN = /^[A-Za-z0-9_-]{1,64}$/;
const TOKEN_MESSAGE = 'must be 1-64 letters, digits, "-" or "_"';
const PORT_MESSAGE = 'must be an integer from 1 to 65535';

/** Every setting of a member host, read from the environment once at boot. */
export class MemberHostConfig {
  @Env('PORT')
  @IsInt({ message: PORT_MESSAGE })
  @Min(1, { message: PORT_MESSAGE })
  @Max(65_535, { message: PORT_MESSAGE })
  port: number = 3100;

  @Env('HOST')
  @IsString()
  @IsNotEmpty()
  host: string = '0.0.0.0';

  @Env('LOG_LEVEL')
  @IsIn(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` })
  logLevel: LogLevel = 'info';

  @Env('NATS_URL')
  @Matches(/^(nats|tls):\/\/\S+$/, {
    message: 'must be a nats:// URL (comma-separated for several)',
  })
  natsUrl: string = 'nats://127.0.0.1:4222';

  /** No default: a host that silently joined the wrong pool would be worse than not booting. */
  @Env('POOL_ID')
  @IsDefined({ message: 'is required' })
  @Matches(SUBJECT_TOKEN, { message: TOKEN_MESSAGE })
  poolId!: string;

  @Env('HOST_NAME')
  @Matches(SUBJECT_TOKEN, { message: TOKEN_MESSAGE })
  hostName: string = hostname().split('.')[0] ?? '';

  /** `memory` by default so a developer machine never touches its own Open vSwitch. */
  @Env('DRIVER')
  @IsIn(DRIVERS, { message: `must be one of ${DRIVERS.join(', ')}` })
  driver: Driver = 'memory';

  /** Where the applied version and local state persist, so the host boots without the master. */
  @Env('STATE_DIR')
  @IsString()
  @IsNotEmpty()
  stateDir: string = 'var/member-host';
}
