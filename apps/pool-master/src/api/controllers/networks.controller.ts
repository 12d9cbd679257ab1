import { Delete, Inject, Param, Patch, Post, Put } from '@nestjs/common';
import { ApiExtraModels, ApiParam, getSchemaPath } from '@nestjs/swagger';
import { type CommandEnvelope, type CommandOutcome } from '@pool/contracts';
import { RequireRole } from '@pool/platform';
import { CommandService } from '../../commands/command-service.js';
import { CommandBody, withNewId, withPath } from '../http/command-body.js';
import { Envelope } from '../http/envelope.js';
import { PoolIdPipe } from '../http/pool-id.pipe.js';
import { ApiCommand } from '../openapi/api-command.decorator.js';
import {
  ExternalNetworkBody,
  NetworkAclDefaultBody,
  PrivateNetworkBody,
  OverlayNetworkBody,
  UpdateNetworkBody,
} from '../openapi/bodies.js';
import { command, CommandController } from './command-route.js';

@CommandController('pools/:pool/networks', 'networks')
@RequireRole('admin')
@ApiExtraModels(ExternalNetworkBody, PrivateNetworkBody, OverlayNetworkBody)
export class NetworksController {
  constructor(@Inject(CommandService) private readonly commands: CommandService) {}

  @Post()
  @ApiCommand('CreateNetwork', {
    summary:
      'Create an external (uplinked, optionally VLAN-tagged), private (host-local) or overlay (cross-host, VXLAN) network',
    created: true,
    body: {
      schema: {
        oneOf: [
          { $ref: getSchemaPath(ExternalNetworkBody) },
          { $ref: getSchemaPath(PrivateNetworkBody) },
          { $ref: getSchemaPath(OverlayNetworkBody) },
        ],
        discriminator: { propertyName: 'kind' },
      },
    },
  })
  create(
    @Param('pool', PoolIdPipe) pool: string,
    @CommandBody() body: Record<string, unknown>,
    @Envelope() envelope: CommandEnvelope,
  ): Promise<CommandOutcome> {
    const data = withNewId(body, 'networkId');
    return this.commands.execute(pool, command(pool, 'CreateNetwork', data), envelope);
  }

  @Patch(':network')
  @ApiParam({ name: 'network', description: 'The network id' })
  @ApiCommand('UpdateNetwork', {
    summary: 'Rename a network or change its MTU',
    body: UpdateNetworkBody,
  })
  update(
    @Param('pool', PoolIdPipe) pool: string,
    @Param('network') network: string,
    @CommandBody() body: Record<string, unknown>,
    @Envelope() envelope: CommandEnvelope,
  ): Promise<CommandOutcome> {
    const data = withPath(body, { networkId: network });
    return this.commands.execute(pool, command(pool, 'UpdateNetwork', data), envelope);
  }

  @Put(':network/acl-default')
  @ApiParam({ name: 'network', description: 'The network id' })
  @ApiCommand('SetNetworkAclDefault', {
    summary: "Set the default policy of a network's ports: allow, or deny what no rule allows",
    body: NetworkAclDefaultBody,
  })
  setAclDefault(
    @Param('pool', PoolIdPipe) pool: string,
    @Param('network') network: string,
    @CommandBody() body: Record<string, unknown>,
    @Envelope() envelope: CommandEnvelope,
  ): Promise<CommandOutcome> {
    const data = withPath(body, { networkId: network });
    return this.commands.execute(pool, command(pool, 'SetNetworkAclDefault', data), envelope);
  }

  @Delete(':network')
  @ApiParam({ name: 'network', description: 'The network id' })
  @ApiCommand('DestroyNetwork', {
    summary: 'Destroy a network without VIFs; its ACL rules and mirrors go with it',
  })
  destroy(
    @Param('pool', PoolIdPipe) pool: string,
    @Param('network') network: string,
    @CommandBody() body: Record<string, unknown>,
    @Envelope() envelope: CommandEnvelope,
  ): Promise<CommandOutcome> {
    const data = withPath(body, { networkId: network });
    return this.commands.execute(pool, command(pool, 'DestroyNetwork', data), envelope);
  }
}
