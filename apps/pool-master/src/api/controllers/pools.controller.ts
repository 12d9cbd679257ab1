import { Inject, Param, Patch, Post } from '@nestjs/common';
import { type CommandEnvelope, type CommandOutcome } from '@pool/contracts';
import { RequireRole } from '@pool/platform';
import { CommandService } from '../../commands/command-service.js';
import { RenamePoolData } from '../command-schemas/index.js';
import { CommandBody, withNewId } from '../http/command-body.js';
import { Envelope } from '../http/envelope.js';
import { PoolIdPipe } from '../http/pool-id.pipe.js';
import { ApiCommand } from '../openapi/api-command.decorator.js';
import { CreatePoolBody } from '../openapi/bodies.js';
import { command, CommandController } from './command-route.js';

@CommandController('pools', 'pools')
@RequireRole('admin')
export class PoolsController {
  constructor(@Inject(CommandService) private readonly commands: CommandService) {}

  @Post()
  @ApiCommand('CreatePool', { summary: 'Create a pool', body: CreatePoolBody, created: true })
  create(
    @CommandBody() body: Record<string, unknown>,
    @Envelope() envelope: CommandEnvelope,
  ): Promise<CommandOutcome> {
    const data = withNewId(body, 'poolId');
    // The pool's stream is named by its id; a bad id is refused by validation before any use.
    const pool = typeof data.poolId === 'string' ? data.poolId : '';
    return this.commands.execute(pool, command(pool, 'CreatePool', data), envelope);
  }

  @Patch(':pool')
  @ApiCommand('RenamePool', { summary: 'Rename a pool', body: RenamePoolData })
  rename(
    @Param('pool', PoolIdPipe) pool: string,
    @CommandBody() body: Record<string, unknown>,
    @Envelope() envelope: CommandEnvelope,
  ): Promise<CommandOutcome> {
    return this.commands.execute(pool, command(pool, 'RenamePool', body), envelope);
  }
}
