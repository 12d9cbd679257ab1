import { Delete, Inject, Param, Patch, Post } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { type CommandEnvelope, type CommandOutcome } from '@pool/contracts';
import { RequireRole } from '@pool/platform';
import { CommandService } from '../../commands/command-service.js';
import { CommandBody, withNewId, withPath } from '../http/command-body.js';
import { Envelope } from '../http/envelope.js';
import { PoolIdPipe } from '../http/pool-id.pipe.js';
import { ApiCommand } from '../openapi/api-command.decorator.js';
import { CreateVmBody, MigrateVmBody, RenameVmBody, StartVmBody } from '../openapi/bodies.js';
import { command, CommandController } from './command-route.js';

const VM = { name: 'vm', description: 'The VM id' };

@CommandController('pools/:pool/vms', 'vms')
@RequireRole('operator')
export class VmsController {
  constructor(@Inject(CommandService) private readonly commands: CommandService) {}

  @Post()
  @ApiCommand('CreateVm', { summary: 'Create a VM (halted)', body: CreateVmBody, created: true })
  create(
    @Param('pool', PoolIdPipe) pool: string,
    @CommandBody() body: Record<string, unknown>,
    @Envelope() envelope: CommandEnvelope,
  ): Promise<CommandOutcome> {
    return this.commands.execute(
      pool,
      command(pool, 'CreateVm', withNewId(body, 'vmId')),
      envelope,
    );
  }

  @Patch(':vm')
  @ApiParam(VM)
  @ApiCommand('RenameVm', { summary: 'Rename a VM', body: RenameVmBody })
  rename(
    @Param('pool', PoolIdPipe) pool: string,
    @Param('vm') vm: string,
    @CommandBody() body: Record<string, unknown>,
    @Envelope() envelope: CommandEnvelope,
  ): Promise<CommandOutcome> {
    return this.commands.execute(
      pool,
      command(pool, 'RenameVm', withPath(body, { vmId: vm })),
      envelope,
    );
  }

  @Delete(':vm')
  @ApiParam(VM)
  @ApiCommand('DestroyVm', {
    summary: 'Destroy a halted VM with its VIFs, their ACL rules and mirrors',
  })
  destroy(
    @Param('pool', PoolIdPipe) pool: string,
    @Param('vm') vm: string,
    @CommandBody() body: Record<string, unknown>,
    @Envelope() envelope: CommandEnvelope,
  ): Promise<CommandOutcome> {
    return this.commands.execute(
      pool,
      command(pool, 'DestroyVm', withPath(body, { vmId: vm })),
      envelope,
    );
  }

  @Post(':vm/start')
  @ApiParam(VM)
  @ApiCommand('StartVm', {
    summary: 'Start a VM on an enabled host with an uplink for each of its external networks',
    body: StartVmBody,
  })
  start(
    @Param('pool', PoolIdPipe) pool: string,
    @Param('vm') vm: string,
    @CommandBody() body: Record<string, unknown>,
    @Envelope() envelope: CommandEnvelope,
  ): Promise<CommandOutcome> {
    return this.commands.execute(
      pool,
      command(pool, 'StartVm', withPath(body, { vmId: vm })),
      envelope,
    );
  }

  @Post(':vm/stop')
  @ApiParam(VM)
  @ApiCommand('StopVm', { summary: 'Stop a running VM' })
  stop(
    @Param('pool', PoolIdPipe) pool: string,
    @Param('vm') vm: string,
    @CommandBody() body: Record<string, unknown>,
    @Envelope() envelope: CommandEnvelope,
  ): Promise<CommandOutcome> {
    return this.commands.execute(
      pool,
      command(pool, 'StopVm', withPath(body, { vmId: vm })),
      envelope,
    );
  }

  @Post(':vm/migrate')
  @ApiParam(VM)
  @ApiCommand('RequestMigration', {
    summary: 'Request the migration of a running VM to another host',
    description: 'The projection coordinates the rest (DESIGN §5); the VM keeps its MACs and IPs.',
    body: MigrateVmBody,
    created: true,
  })
  migrate(
    @Param('pool', PoolIdPipe) pool: string,
    @Param('vm') vm: string,
    @CommandBody() body: Record<string, unknown>,
    @Envelope() envelope: CommandEnvelope,
  ): Promise<CommandOutcome> {
    const data = withNewId(withPath(body, { vmId: vm }), 'migrationId');
    return this.commands.execute(pool, command(pool, 'RequestMigration', data), envelope);
  }
}
