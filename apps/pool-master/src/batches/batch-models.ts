import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MAX_BATCH_COMMANDS } from '@pool/contracts';
import { CommandOutcomeModel } from '../api/openapi/api-models.js';
import { CommandSpecModel, NotPlannedModel } from '../history/history-models.js';

/* Bodies and answers of the batch routes, for OpenAPI only (libs/contracts batches.ts). */

const COMMANDS = `In order, 1–${MAX_BATCH_COMMANDS} commands as NATS carries them: {type, data}`;

export class ApplyChangesBody {
  @ApiProperty({ type: 'integer', description: 'The pool version the commands were planned at' })
  expectedVersion!: number;

  @ApiProperty({ type: () => CommandSpecModel, isArray: true, description: COMMANDS })
  commands!: CommandSpecModel[];
}

export class RevertBody {
  @ApiProperty({
    oneOf: [{ type: 'integer' }, { type: 'string' }],
    description: 'The version (or time) whose configuration to go back to',
  })
  toVersion!: number | string;

  @ApiProperty({
    type: 'integer',
    description: "The head the dry run showed (its `from`); the plan is that version's",
  })
  expectedVersion!: number;

  @ApiPropertyOptional({
    type: () => CommandSpecModel,
    isArray: true,
    description: "The plan as edited by the operator; absent: the master's own plan",
  })
  commands?: CommandSpecModel[];
}

export class ImportBody {
  @ApiProperty({
    type: () => CommandSpecModel,
    isArray: true,
    description: `${COMMANDS}; an export's list, CreatePool first`,
  })
  commands!: CommandSpecModel[];

  @ApiPropertyOptional({ description: "The new pool's name (default: the export's)" })
  name?: string;

  @ApiPropertyOptional({ type: 'integer', description: "The pool's version now (0: no pool)" })
  expectedVersion?: number;
}

export class RevertSpanModel {
  @ApiProperty({ type: 'integer' })
  from!: number;

  @ApiProperty({ type: 'integer' })
  to!: number;
}

export class BatchSummaryModel {
  @ApiProperty({ enum: ['ApplyChanges', 'RevertPool', 'ImportPool'] })
  type!: string;

  @ApiProperty({ type: 'integer', description: 'The commands applied' })
  commands!: number;

  @ApiPropertyOptional({ type: () => RevertSpanModel })
  revert?: RevertSpanModel;

  @ApiPropertyOptional({ type: () => NotPlannedModel, isArray: true })
  notReverted?: NotPlannedModel[];
}

export class BatchOutcomeModel extends CommandOutcomeModel {
  @ApiProperty({ type: () => BatchSummaryModel })
  batch!: BatchSummaryModel;
}
