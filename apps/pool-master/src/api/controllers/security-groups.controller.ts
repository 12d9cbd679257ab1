import { Delete, Inject, Param, Post, Put } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { type CommandEnvelope, type CommandOutcome } from '@pool/contracts';
import { RequireRole } from '@pool/platform';
import { CommandService } from '../../commands/command-service.js';
import { CommandBody, withNewId, withPath } from '../http/command-body.js';
import { Envelope } from '../http/envelope.js';
import { PoolIdPipe } from '../http/pool-id.pipe.js';
import { ApiCommand } from '../openapi/api-command.decorator.js';
import { CreateSecurityGroupBody, SecurityGroupPolicyBody } from '../openapi/bodies.js';
import { command, CommandController } from './command-route.js';

const GROUP = { name: 'group', description: 'The security group id' };
const VIF = { name: 'vif', description: 'The member VIF id' };

/** Groups of VIFs under one policy; membership is policy too, so the role of ACL rules. */
@CommandController('pools/:pool/security-groups', 'security groups')
@RequireRole('admin')
export class SecurityGroupsController {
  constructor(@Inject(CommandService) private readonly commands: CommandService) {}

  @Post()
  @ApiCommand('CreateSecurityGroup', {
    summary: 'Create a pool-wide security group (default policy deny unless given)',
    body: CreateSecurityGroupBody,
    created: true,
  })
  create(
    @Param('pool', PoolIdPipe) pool: string,
    @CommandBody() body: Record<string, unknown>,
    @Envelope() envelope: CommandEnvelope,
  ): Promise<CommandOutcome> {
    const data = withNewId(body, 'groupId');
    return this.commands.execute(pool, command(pool, 'CreateSecurityGroup', data), envelope);
  }

  @Put(':group')
  @ApiParam(GROUP)
  @ApiCommand('SetSecurityGroupPolicy', {
    summary: "Set a security group's default policy",
    body: SecurityGroupPolicyBody,
  })
  setPolicy(
    @Param('pool', PoolIdPipe) pool: string,
    @Param('group') group: string,
    @CommandBody() body: Record<string, unknown>,
    @Envelope() envelope: CommandEnvelope,
  ): Promise<CommandOutcome> {
    const data = withPath(body, { groupId: group });
    return this.commands.execute(pool, command(pool, 'SetSecurityGroupPolicy', data), envelope);
  }

  @Delete(':group')
  @ApiParam(GROUP)
  @ApiCommand('DeleteSecurityGroup', {
    summary: 'Delete a security group, with the rules scoped to it and the mirrors watching it',
    description:
      'Its members leave it first, one event each. Refused (SECURITY_GROUP_IN_USE, with the ' +
      'rules) while a rule outside the group takes it as its remote side.',
  })
  destroy(
    @Param('pool', PoolIdPipe) pool: string,
    @Param('group') group: string,
    @CommandBody() body: Record<string, unknown>,
    @Envelope() envelope: CommandEnvelope,
  ): Promise<CommandOutcome> {
    const data = withPath(body, { groupId: group });
    return this.commands.execute(pool, command(pool, 'DeleteSecurityGroup', data), envelope);
  }

  @Put(':group/members/:vif')
  @ApiParam(GROUP)
  @ApiParam(VIF)
  @ApiCommand('AddSecurityGroupMember', {
    summary: 'Add a VIF to a security group (SECURITY_GROUP_MEMBER_EXISTS if it is one)',
  })
  addMember(
    @Param('pool', PoolIdPipe) pool: string,
    @Param('group') group: string,
    @Param('vif') vif: string,
    @CommandBody() body: Record<string, unknown>,
    @Envelope() envelope: CommandEnvelope,
  ): Promise<CommandOutcome> {
    const data = withPath(body, { groupId: group, vifId: vif });
    return this.commands.execute(pool, command(pool, 'AddSecurityGroupMember', data), envelope);
  }

  @Delete(':group/members/:vif')
  @ApiParam(GROUP)
  @ApiParam(VIF)
  @ApiCommand('RemoveSecurityGroupMember', {
    summary: 'Remove a VIF from a security group (SECURITY_GROUP_MEMBER_NOT_FOUND if not in it)',
  })
  removeMember(
    @Param('pool', PoolIdPipe) pool: string,
    @Param('group') group: string,
    @Param('vif') vif: string,
    @CommandBody() body: Record<string, unknown>,
    @Envelope() envelope: CommandEnvelope,
  ): Promise<CommandOutcome> {
    const data = withPath(body, { groupId: group, vifId: vif });
    return this.commands.execute(pool, command(pool, 'RemoveSecurityGroupMember', data), envelope);
  }
}
