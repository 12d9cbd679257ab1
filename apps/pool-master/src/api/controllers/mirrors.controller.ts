import { Delete, Inject, Param, Post } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { type CommandEnvelope, type CommandOutcome } from '@pool/contracts';
import { RequireRole } from '@pool/platform';
import { CommandService } from '../../commands/command-service.js';
import { CommandBody, withNewId, withPath } from '../http/command-body.js';
import { Envelope } from '../http/envelope.js';
import { PoolIdPipe } from '../http/pool-id.pipe.js';
import { ApiCommand } from '../openapi/api-command.decorator.js';
import { CreateMirrorBody } from '../openapi/bodies.js';
import { command, CommandController } from './command-route.js';

@CommandController('pools/:pool/mirrors', 'mirrors')
@RequireRole('admin')
export class MirrorsController {
  constructor(@Inject(CommandService) private readonly commands: CommandService) {}

  @Post()
  @ApiCommand('CreateMirror', {
    summary: 'Mirror the traffic of a network or VIF to a VIF',
    body: CreateMirrorBody,
    created: true,
  })
  create(
    @Param('pool', PoolIdPipe) pool: string,
    @CommandBody() body: Record<string, unknown>,
    @Envelope() envelope: CommandEnvelope,
  ): Promise<CommandOutcome> {
    return this.commands.execute(
      pool,
      command(pool, 'CreateMirror', withNewId(body, 'mirrorId')),
      envelope,
    );
  }

  @Delete(':mirror')
  @ApiParam({ name: 'mirror', description: 'The mirror id' })
  @ApiCommand('DeleteMirror', { summary: 'Delete a mirror' })
  destroy(
    @Param('pool', PoolIdPipe) pool: string,
    @Param('mirror') mirror: string,
    @CommandBody() body: Record<string, unknown>,
    @Envelope() envelope: CommandEnvelope,
  ): Promise<CommandOutcome> {
    const data = withPath(body, { mirrorId: mirror });
    return this.commands.execute(pool, command(pool, 'DeleteMirror', data), envelope);
  }
}
