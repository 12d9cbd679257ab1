import { Delete, Inject, Param, Patch, Post } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { type CommandEnvelope, type CommandOutcome } from '@pool/contracts';
import { RequireRole } from '@pool/platform';
import { CommandService } from '../../commands/command-service.js';
import { CommandBody, withNewId, withPath } from '../http/command-body.js';
import { Envelope } from '../http/envelope.js';
import { PoolIdPipe } from '../http/pool-id.pipe.js';
import { ApiCommand } from '../openapi/api-command.decorator.js';
import { CreateVifBody, UpdateVifBody } from '../openapi/bodies.js';
import { command, CommandController } from './command-route.js';

const VIF = { name: 'vif', description: 'The VIF id' };

/*
 * UpdateVif and DestroyVif name the VIF alone: the `:vm` of their URLs is where the VIF is
 * listed, and the decider does not check it (its commands carry no VM id).
 */
@CommandController('pools/:pool/vms/:vm/vifs', 'vifs')
@RequireRole('operator')
@ApiParam({ name: 'vm', description: 'The VM id' })
export class VifsController {
  constructor(@Inject(CommandService) private readonly commands: CommandService) {}

  @Post()
  @ApiCommand('CreateVif', {
    summary: 'Plug a VIF into a network; without mac the pool generates one',
    body: CreateVifBody,
    created: true,
  })
  create(
    @Param('pool', PoolIdPipe) pool: string,
    @Param('vm') vm: string,
    @CommandBody() body: Record<string, unknown>,
    @Envelope() envelope: CommandEnvelope,
  ): Promise<CommandOutcome> {
    const data = withNewId(withPath(body, { vmId: vm }), 'vifId');
    return this.commands.execute(pool, command(pool, 'CreateVif', data), envelope);
  }

  @Patch(':vif')
  @ApiParam(VIF)
  @ApiCommand('UpdateVif', {
    summary: "Change a VIF's addresses, QoS or port security (null clears)",
    body: UpdateVifBody,
  })
  update(
    @Param('pool', PoolIdPipe) pool: string,
    @Param('vif') vif: string,
    @CommandBody() body: Record<string, unknown>,
    @Envelope() envelope: CommandEnvelope,
  ): Promise<CommandOutcome> {
    const data = withPath(body, { vifId: vif });
    return this.commands.execute(pool, command(pool, 'UpdateVif', data), envelope);
  }

  @Delete(':vif')
  @ApiParam(VIF)
  @ApiCommand('DestroyVif', { summary: 'Unplug a VIF; its ACL rules and mirrors go with it' })
  destroy(
    @Param('pool', PoolIdPipe) pool: string,
    @Param('vif') vif: string,
    @CommandBody() body: Record<string, unknown>,
    @Envelope() envelope: CommandEnvelope,
  ): Promise<CommandOutcome> {
    const data = withPath(body, { vifId: vif });
    return this.commands.execute(pool, command(pool, 'DestroyVif', data), envelope);
  }
}
