import { Delete, Inject, Param, Post } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { type CommandEnvelope, type CommandOutcome } from '@pool/contracts';
import { RequireRole } from '@pool/platform';
import { CommandService } from '../../commands/command-service.js';
import { CommandBody, withNewId, withPath } from '../http/command-body.js';
import { Envelope } from '../http/envelope.js';
import { PoolIdPipe } from '../http/pool-id.pipe.js';
import { ApiCommand } from '../openapi/api-command.decorator.js';
import { CreateAclRuleBody } from '../openapi/bodies.js';
import { command, CommandController } from './command-route.js';

@CommandController('pools/:pool/acls', 'acls')
@RequireRole('admin')
export class AclsController {
  constructor(@Inject(CommandService) private readonly commands: CommandService) {}

  @Post()
  @ApiCommand('CreateAclRule', {
    summary: 'Create a pool-wide ACL rule on a network, a VIF or a security group',
    body: CreateAclRuleBody,
    created: true,
  })
  create(
    @Param('pool', PoolIdPipe) pool: string,
    @CommandBody() body: Record<string, unknown>,
    @Envelope() envelope: CommandEnvelope,
  ): Promise<CommandOutcome> {
    return this.commands.execute(
      pool,
      command(pool, 'CreateAclRule', withNewId(body, 'ruleId')),
      envelope,
    );
  }

  @Delete(':acl')
  @ApiParam({ name: 'acl', description: 'The ACL rule id' })
  @ApiCommand('DeleteAclRule', { summary: 'Delete an ACL rule' })
  destroy(
    @Param('pool', PoolIdPipe) pool: string,
    @Param('acl') acl: string,
    @CommandBody() body: Record<string, unknown>,
    @Envelope() envelope: CommandEnvelope,
  ): Promise<CommandOutcome> {
    const data = withPath(body, { ruleId: acl });
    return this.commands.execute(pool, command(pool, 'DeleteAclRule', data), envelope);
  }
}
