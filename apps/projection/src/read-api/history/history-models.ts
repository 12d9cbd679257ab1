import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { DiffObjectChange, HistoryEntryView, HistoryEventView } from '@pool/contracts';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

const LIMIT_MESSAGE = 'limit must be an integer from 1 to 200';

/** `GET /api/pools/:pool/history`'s query: a page of the log, newest first, filtered. */
export class HistoryQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: LIMIT_MESSAGE })
  @Min(1, { message: LIMIT_MESSAGE })
  @Max(200, { message: LIMIT_MESSAGE })
  limit?: number;

  @ApiPropertyOptional({ description: 'The nextCursor of the previous page: older events' })
  @IsOptional()
  @Matches(/^[1-9]\d{0,14}$/, { message: 'cursor is not one this API gave out' })
  cursor?: string;

  @ApiPropertyOptional({ description: 'Only the events of this actor, as the log recorded it' })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  actor?: string;

  @ApiPropertyOptional({
    example: 'vms/web-1',
    description: 'Only the events naming this object: kind/id, or an id of any kind',
  })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  object?: string;

  @ApiPropertyOptional({ example: 'VmStarted', description: 'Only events of this type' })
  @IsOptional()
  @Matches(/^[A-Za-z][A-Za-z0-9]{0,127}$/, { message: 'type must be an event type name' })
  type?: string;
}

export class HistoryEntryModel implements HistoryEntryView {
  @ApiProperty({ type: 'integer' }) version!: number;
  @ApiProperty({ example: 'VmStarted' }) type!: string;
  @ApiProperty({ type: String, nullable: true, description: 'As the log recorded it' })
  actor!: string | null;
  @ApiProperty({ format: 'date-time' }) recordedAt!: string;
  @ApiProperty({ type: String, isArray: true, example: ['vms/web-1', 'hosts/h-a'] })
  objects!: string[];
}

export class HistoryEventModel extends HistoryEntryModel implements HistoryEventView {
  @ApiProperty({ type: 'object', additionalProperties: true, description: "The event's data" })
  data!: unknown;
  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description:
      "Objects added, changed (field by field) and removed by the event: the master's " +
      '`/pools/:pool/diff` objects from the version before to this one',
  })
  changes!: DiffObjectChange[];
}
