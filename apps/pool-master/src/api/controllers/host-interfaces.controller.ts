import { Delete, Inject, Param, Put } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { type CommandEnvelope, type CommandOutcome } from '@pool/contracts';
import { RequireRole } from '@pool/platform';
import { CommandService } from '../../commands/command-service.js';
import { CommandBody, withPath } from '../http/command-body.js';
import { Envelope } from '../http/envelope.js';
import { PoolIdPipe } from '../http/pool-id.pipe.js';
import { ApiCommand } from '../openapi/api-command.decorator.js';
import { HostInterfaceBody } from '../openapi/bodies.js';
import { command, CommandController } from './command-route.js';

/** A host's management and storage interfaces (XAPI's PIF.reconfigure_ip). */
@CommandController('pools/:pool/hosts', 'hosts')
@RequireRole('admin')
export class HostInterfacesController {
  constructor(@Inject(CommandService) private readonly commands: CommandService) {}

  @Put(':host/interfaces/:name')
  @ApiParam({ name: 'host', description: 'The host id' })
  @ApiParam({ name: 'name', description: 'The interface name (mgmt0…)' })
  @ApiCommand('ConfigureHostInterface', {
    summary: 'Configure (or move) a management or storage interface of the host',
    body: HostInterfaceBody,
    description:
      'A move to another PIF, bond or VLAN and its address change are one event: the host ' +
      'moves the address in one apply.',
  })
  configure(
    @Param('pool', PoolIdPipe) pool: string,
    @Param('host') host: string,
    @Param('name') name: string,
    @CommandBody() body: Record<string, unknown>,
    @Envelope() envelope: CommandEnvelope,
  ): Promise<CommandOutcome> {
    const data = withPath(body, { hostId: host, name });
    return this.commands.execute(pool, command(pool, 'ConfigureHostInterface', data), envelope);
  }

  @Delete(':host/interfaces/:name')
  @ApiParam({ name: 'host', description: 'The host id' })
  @ApiParam({ name: 'name', description: 'The interface name' })
  @ApiCommand('RemoveHostInterface', {
    summary: 'Remove a storage interface (the management interface moves, it is never removed)',
  })
  remove(
    @Param('pool', PoolIdPipe) pool: string,
    @Param('host') host: string,
    @Param('name') name: string,
    @CommandBody() body: Record<string, unknown>,
    @Envelope() envelope: CommandEnvelope,
  ): Promise<CommandOutcome> {
    const data = withPath(body, { hostId: host, name });
    return this.commands.execute(pool, command(pool, 'RemoveHostInterface', data), envelope);
  }
}
