import { Delete, Inject, Param, Post } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { type CommandEnvelope, type CommandOutcome } from '@pool/contracts';
import { RequireRole } from '@pool/platform';
import { CommandService } from '../../commands/command-service.js';
import { CommandBody, withNewId, withPath } from '../http/command-body.js';
import { Envelope } from '../http/envelope.js';
import { PoolIdPipe } from '../http/pool-id.pipe.js';
import { ApiCommand } from '../openapi/api-command.decorator.js';
import { CreateBondBody } from '../openapi/bodies.js';
import { command, CommandController } from './command-route.js';

@CommandController('pools/:pool/bonds', 'bonds')
@RequireRole('admin')
export class BondsController {
  constructor(@Inject(CommandService) private readonly commands: CommandService) {}

  @Post()
  @ApiCommand('CreateBond', {
    summary: 'Bond NICs of one host',
    body: CreateBondBody,
    created: true,
  })
  create(
    @Param('pool', PoolIdPipe) pool: string,
    @CommandBody() body: Record<string, unknown>,
    @Envelope() envelope: CommandEnvelope,
  ): Promise<CommandOutcome> {
    return this.commands.execute(
      pool,
      command(pool, 'CreateBond', withNewId(body, 'bondId')),
      envelope,
    );
  }

  @Delete(':bond')
  @ApiParam({ name: 'bond', description: 'The bond id' })
  @ApiCommand('DestroyBond', {
    summary: 'Destroy a bond (refused while a VM reaches a network through it)',
  })
  destroy(
    @Param('pool', PoolIdPipe) pool: string,
    @Param('bond') bond: string,
    @CommandBody() body: Record<string, unknown>,
    @Envelope() envelope: CommandEnvelope,
  ): Promise<CommandOutcome> {
    const data = withPath(body, { bondId: bond });
    return this.commands.execute(pool, command(pool, 'DestroyBond', data), envelope);
  }
}
