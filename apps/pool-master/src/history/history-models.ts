import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DIFF_EVENTS_PER_OBJECT } from '@pool/contracts';

/* Response shapes of the history routes, for OpenAPI only (libs/contracts history.ts). */

export class LoadedFromModel {
  @ApiProperty({ type: 'integer', description: 'The snapshot it started from; 0: none' })
  snapshotVersion!: number;

  @ApiProperty({ type: 'integer', description: 'Events folded on the snapshot' })
  eventsFolded!: number;
}

export class PoolStateAtModel {
  @ApiProperty({ example: 'lab' })
  pool!: string;

  @ApiProperty({ type: 'integer', description: 'The version the state is at' })
  version!: number;

  @ApiProperty({ type: 'integer', description: "The pool's version now" })
  head!: number;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the event at `version` was recorded; null at version 0',
  })
  recordedAt!: string | null;

  @ApiProperty({ example: 'pool-state/7' })
  stateVersion!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The configuration: hosts, bonds, networks, vms, vifs, aclRules, mirrors, …',
  })
  state!: object;

  @ApiProperty({ type: () => LoadedFromModel })
  loadedFrom!: LoadedFromModel;
}

export class DiffEventRefModel {
  @ApiProperty({ type: 'integer' })
  version!: number;

  @ApiProperty({ example: 'NetworkRenamed' })
  type!: string;

  @ApiProperty({ type: String, nullable: true, description: 'As the log recorded it' })
  actor!: string | null;

  @ApiProperty({ format: 'date-time' })
  recordedAt!: string;
}

export class DiffFieldChangeModel {
  @ApiProperty({ example: 'pifs.eth1.mtu', description: 'Dotted path into the object' })
  field!: string;

  @ApiPropertyOptional({ description: 'Absent when the field did not exist at `from`' })
  from?: unknown;

  @ApiPropertyOptional({ description: 'Absent when the field no longer exists at `to`' })
  to?: unknown;
}

export class DiffObjectChangeModel {
  @ApiProperty({ example: 'networks', description: 'pool, hosts, bonds, networks, vms, vifs, …' })
  kind!: string;

  @ApiProperty()
  id!: string;

  @ApiProperty({ enum: ['added', 'changed', 'removed'] })
  change!: string;

  @ApiProperty({ type: () => DiffFieldChangeModel, isArray: true })
  fields!: DiffFieldChangeModel[];

  @ApiProperty({
    type: () => DiffEventRefModel,
    isArray: true,
    description: `The latest events between the versions that named it, oldest first (at most ${DIFF_EVENTS_PER_OBJECT})`,
  })
  events!: DiffEventRefModel[];

  @ApiProperty({
    type: 'integer',
    description: 'How many events named it in all (eventCount - events.length are not listed)',
  })
  eventCount!: number;
}

export class PoolDiffModel {
  @ApiProperty()
  pool!: string;

  @ApiProperty({ type: 'integer' })
  from!: number;

  @ApiProperty({ type: 'integer' })
  to!: number;

  @ApiProperty({ type: () => DiffObjectChangeModel, isArray: true })
  objects!: DiffObjectChangeModel[];
}

export class CommandSpecModel {
  @ApiProperty({ example: 'CreateNetwork' })
  type!: string;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'As the REST body' })
  data!: object;
}

export class NotPlannedModel {
  @ApiProperty({ example: 'vms' })
  kind!: string;

  @ApiProperty()
  id!: string;

  @ApiProperty({ example: 'created since and running now: stop it, then revert again' })
  reason!: string;
}

export class PoolExportModel {
  @ApiProperty()
  pool!: string;

  @ApiProperty({ type: 'integer' })
  version!: number;

  @ApiProperty({
    type: () => CommandSpecModel,
    isArray: true,
    description: 'In order, they build the configuration in an empty pool',
  })
  commands!: CommandSpecModel[];

  @ApiProperty({ type: () => NotPlannedModel, isArray: true, description: 'Runtime left out' })
  notExported!: NotPlannedModel[];
}

export class RevertPlanModel {
  @ApiProperty()
  pool!: string;

  @ApiProperty({ type: 'integer', description: 'The head the plan was computed at' })
  from!: number;

  @ApiProperty({ type: 'integer' })
  to!: number;

  @ApiProperty({ type: () => CommandSpecModel, isArray: true })
  commands!: CommandSpecModel[];

  @ApiProperty({ type: () => NotPlannedModel, isArray: true })
  notReverted!: NotPlannedModel[];
}
