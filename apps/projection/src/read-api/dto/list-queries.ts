import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const ID_MESSAGE = 'must be an id (letters, digits, . _ : -, at most 128)';

export class ListQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer from 1 to 500' })
  @Min(1, { message: 'limit must be an integer from 1 to 500' })
  @Max(500, { message: 'limit must be an integer from 1 to 500' })
  limit?: number;

  @ApiPropertyOptional({ description: 'The nextCursor of the previous page (opaque)' })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  cursor?: string;
}

export class HostsQuery extends ListQuery {
  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'Only enabled or disabled hosts' })
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'enabled must be true or false' })
  enabled?: 'true' | 'false';
}

export const POWER_STATES = ['halted', 'running'] as const;

export class VmsQuery extends ListQuery {
  @ApiPropertyOptional({ description: 'Only VMs resident on this host' })
  @IsOptional()
  @Matches(ID, { message: `host ${ID_MESSAGE}` })
  host?: string;

  @ApiPropertyOptional({ enum: POWER_STATES })
  @IsOptional()
  @IsIn(POWER_STATES, { message: 'powerState must be halted or running' })
  powerState?: (typeof POWER_STATES)[number];
}

export class AddressesQuery extends ListQuery {
  @ApiPropertyOptional({ example: '02:00:00:00:00:01', description: 'Any case, : or - separated' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  mac?: string;

  @ApiPropertyOptional({ example: '192.168.0.10', description: 'IPv4 or IPv6' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  ip?: string;

  @ApiPropertyOptional({ description: 'With ip: only in this network' })
  @IsOptional()
  @Matches(ID, { message: `network ${ID_MESSAGE}` })
  network?: string;
}

export const MIGRATION_FILTERS = [
  'active',
  'requested',
  'prepared',
  'activated',
  'completed',
  'aborted',
] as const;

export class MigrationsQuery extends ListQuery {
  @ApiPropertyOptional({ enum: MIGRATION_FILTERS, description: 'active = not yet finished' })
  @IsOptional()
  @IsIn(MIGRATION_FILTERS, { message: `status must be one of ${MIGRATION_FILTERS.join(', ')}` })
  status?: (typeof MIGRATION_FILTERS)[number];
}

export class CountersQuery extends ListQuery {
  @ApiPropertyOptional({ description: 'Only the ports of this host' })
  @IsOptional()
  @Matches(ID, { message: `host ${ID_MESSAGE}` })
  host?: string;
}
