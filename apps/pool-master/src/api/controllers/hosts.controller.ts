import { Delete, Inject, Param, Post, Put } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { type CommandEnvelope, type CommandOutcome } from '@pool/contracts';
import { RequireRole } from '@pool/platform';
import { CommandService } from '../../commands/command-service.js';
import { CommandBody, withNewId, withPath } from '../http/command-body.js';
import { Envelope } from '../http/envelope.js';
import { PoolIdPipe } from '../http/pool-id.pipe.js';
import { ApiCommand } from '../openapi/api-command.decorator.js';
import { JoinHostBody, PifSettingsBody, TunnelEndpointBody } from '../openapi/bodies.js';
import { command, CommandController } from './command-route.js';
import { setPif } from './set-pif.js';

@CommandController('pools/:pool/hosts', 'hosts')
@RequireRole('admin')
export class HostsController {
  constructor(@Inject(CommandService) private readonly commands: CommandService) {}

  @Post()
  @ApiCommand('JoinHost', {
    summary: 'Join a host with its NIC inventory',
    body: JoinHostBody,
    created: true,
  })
  join(
    @Param('pool', PoolIdPipe) pool: string,
    @CommandBody() body: Record<string, unknown>,
    @Envelope() envelope: CommandEnvelope,
  ): Promise<CommandOutcome> {
    return this.commands.execute(
      pool,
      command(pool, 'JoinHost', withNewId(body, 'hostId')),
      envelope,
    );
  }

  @Post(':host/enable')
  @ApiParam({ name: 'host', description: 'The host id' })
  @ApiCommand('EnableHost', { summary: 'Enable a host: it takes VMs again' })
  enable(
    @Param('pool', PoolIdPipe) pool: string,
    @Param('host') host: string,
    @CommandBody() body: Record<string, unknown>,
    @Envelope() envelope: CommandEnvelope,
  ): Promise<CommandOutcome> {
    const data = withPath(body, { hostId: host });
    return this.commands.execute(pool, command(pool, 'EnableHost', data), envelope);
  }

  @Post(':host/disable')
  @ApiParam({ name: 'host', description: 'The host id' })
  @ApiCommand('DisableHost', { summary: 'Disable a host: it takes no new VMs' })
  disable(
    @Param('pool', PoolIdPipe) pool: string,
    @Param('host') host: string,
    @CommandBody() body: Record<string, unknown>,
    @Envelope() envelope: CommandEnvelope,
  ): Promise<CommandOutcome> {
    const data = withPath(body, { hostId: host });
    return this.commands.execute(pool, command(pool, 'DisableHost', data), envelope);
  }

  @Post(':host/reset-networking')
  @ApiParam({ name: 'host', description: 'The host id' })
  @ApiCommand('ResetHostNetworking', {
    summary:
      'xe-reset-networking: the host keeps its management PIF alone (its bonds over it go, no ' +
      'network is uplinked on it there) until management moves to another PIF',
  })
  resetNetworking(
    @Param('pool', PoolIdPipe) pool: string,
    @Param('host') host: string,
    @CommandBody() body: Record<string, unknown>,
    @Envelope() envelope: CommandEnvelope,
  ): Promise<CommandOutcome> {
    const data = withPath(body, { hostId: host });
    return this.commands.execute(pool, command(pool, 'ResetHostNetworking', data), envelope);
  }

  @Delete(':host')
  @ApiParam({ name: 'host', description: 'The host id' })
  @ApiCommand('EjectHost', {
    summary: 'Eject a host (refused while it runs VMs); its bonds go with it',
  })
  eject(
    @Param('pool', PoolIdPipe) pool: string,
    @Param('host') host: string,
    @CommandBody() body: Record<string, unknown>,
    @Envelope() envelope: CommandEnvelope,
  ): Promise<CommandOutcome> {
    const data = withPath(body, { hostId: host });
    return this.commands.execute(pool, command(pool, 'EjectHost', data), envelope);
  }

  @Put(':host/pifs/:device')
  @ApiParam({ name: 'host', description: 'The host id' })
  @ApiParam({ name: 'device', description: 'The PIF device (eth1…)' })
  @ApiCommand(['SetPifRole', 'SetPifMtu'], {
    summary: "Set a PIF's traffic role and/or MTU",
    body: PifSettingsBody,
    description:
      'Both fields are one request under one command id: if either is refused, neither is ' +
      'written.',
  })
  setPif(
    @Param('pool', PoolIdPipe) pool: string,
    @Param('host') host: string,
    @Param('device') device: string,
    @CommandBody() body: Record<string, unknown>,
    @Envelope() envelope: CommandEnvelope,
  ): Promise<CommandOutcome> {
    return setPif(this.commands, pool, { hostId: host, device }, body, envelope);
  }

  @Put(':host/tunnel-endpoint')
  @ApiParam({ name: 'host', description: 'The host id' })
  @ApiCommand('SetTunnelEndpoint', {
    summary: "Declare where the host's overlay tunnels start and end (address null: clear)",
    body: TunnelEndpointBody,
  })
  setTunnelEndpoint(
    @Param('pool', PoolIdPipe) pool: string,
    @Param('host') host: string,
    @CommandBody() body: Record<string, unknown>,
    @Envelope() envelope: CommandEnvelope,
  ): Promise<CommandOutcome> {
    const data = withPath(body, { hostId: host });
    return this.commands.execute(pool, command(pool, 'SetTunnelEndpoint', data), envelope);
  }
}
