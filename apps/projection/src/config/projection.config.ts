import { Env, LOG_LEVELS, type LogLevel } from '@pool/platform';
import { IsDefined, IsIn, IsInt, IsNotEmpty, IsString, Matches, Max, Min } from 'class-validator';

const PORT_MESSAGE = 'must be an integer from 1 to 65535';

/** Every setting of the projection service, read from the environment once at boot. */
export class ProjectionConfig {
  @Env('PORT')
  @IsInt({ message: PORT_MESSAGE })
  @Min(1, { message: PORT_MESSAGE })
  @Max(65_535, { message: PORT_MESSAGE })
  port: number = 8080;

  @Env('HOST')
  @IsString()
  @IsNotEmpty()
  host: string = '0.0.0.0';

  @Env('LOG_LEVEL')
  @IsIn(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` })
  logLevel: LogLevel = 'info';

  @Env('DATABASE_URL')
  @IsDefined({ message: 'is required' })
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'must be a postgres:// URL' })
  databaseUrl!: string;

  @Env('NATS_URL')
  @Matches(/^(nats|tls):\/\/\S+$/, {
    message: 'must be a nats:// URL (comma-separated for several)',
  })
  natsUrl: string = 'nats://127.0.0.1:4222';
}
