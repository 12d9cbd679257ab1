import { Delete, Inject, Param, Post, Put } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { type CommandEnvelope, type CommandOutcome } from '@pool/contracts';
import { RequireRole } from '@pool/platform';
import { CommandService } from '../../commands/command-service.js';
import { CommandBody, withNewId, withPath } from '../http/command-body.js';
import { Envelope } from '../http/envelope.js';
import { PoolIdPipe } from '../http/pool-id.pipe.js';
import { ApiCommand } from '../openapi/api-command.decorator.js';
import { CreateAddressSetBody, UpdateAddressSetBody } from '../openapi/bodies.js';
import { command, CommandController } from './command-route.js';

/** Named lists of prefixes an ACL rule may take as its remote side; policy, as rules are. */
@CommandController('pools/:pool/address-sets', 'address sets')
@RequireRole('admin')
export class AddressSetsController {
  constructor(@Inject(CommandService) private readonly commands: CommandService) {}

  @Post()
  @ApiCommand('CreateAddressSet', {
    summary: 'Create a pool-wide address set (a named list of prefixes)',
    body: CreateAddressSetBody,
    created: true,
  })
  create(
    @Param('pool', PoolIdPipe) pool: string,
    @CommandBody() body: Record<string, unknown>,
    @Envelope() envelope: CommandEnvelope,
  ): Promise<CommandOutcome> {
    const data = withNewId(body, 'addressSetId');
    return this.commands.execute(pool, command(pool, 'CreateAddressSet', data), envelope);
  }

  @Put(':set')
  @ApiParam({ name: 'set', description: 'The address set id' })
  @ApiCommand('UpdateAddressSet', {
    summary: "Replace an address set's prefixes; the rules naming it follow on every host",
    description:
      'Refused with ACL_RULE_OVERLAP if the new content makes two rules of one slot overlap.',
    body: UpdateAddressSetBody,
  })
  update(
    @Param('pool', PoolIdPipe) pool: string,
    @Param('set') set: string,
    @CommandBody() body: Record<string, unknown>,
    @Envelope() envelope: CommandEnvelope,
  ): Promise<CommandOutcome> {
    const data = withPath(body, { addressSetId: set });
    return this.commands.execute(pool, command(pool, 'UpdateAddressSet', data), envelope);
  }

  @Delete(':set')
  @ApiParam({ name: 'set', description: 'The address set id' })
  @ApiCommand('DeleteAddressSet', {
    summary: 'Delete an address set no ACL rule names (else ADDRESS_SET_IN_USE, with the rules)',
  })
  destroy(
    @Param('pool', PoolIdPipe) pool: string,
    @Param('set') set: string,
    @CommandBody() body: Record<string, unknown>,
    @Envelope() envelope: CommandEnvelope,
  ): Promise<CommandOutcome> {
    const data = withPath(body, { addressSetId: set });
    return this.commands.execute(pool, command(pool, 'DeleteAddressSet', data), envelope);
  }
}
