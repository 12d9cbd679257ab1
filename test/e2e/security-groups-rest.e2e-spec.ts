/**
 * Security groups, address sets and default policies over the pool master's REST API (issue 17
 * item 3): a set and two groups made, edited and filled, rules scoped to a group with a set or
 * a group as their remote side, the decider's refusals with their status and code (the log
 * unchanged by each), and the deletions with their cascades. Real PostgreSQL and NATS; the API
 * booted in-process (support/pool-master-harness.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bootPoolMaster,
  type Json,
  type PoolMasterHarness,
} from './support/pool-master-harness.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const pool = `sg-${Math.random().toString(36).slice(2, 10)}`;

describe('security groups and address sets over REST', () => {
  let api: PoolMasterHarness;
  let office: string;

  /** A command that must be applied: its status and the types of the events it wrote. */
  const ok = async (status: 200 | 201, method: string, path: string, json?: unknown) => {
    const response = await api.request(method, `/pools/${pool}${path}`, { json });
    expect(response.status, JSON.stringify(response.body)).toBe(status);
    return response.body;
  };
  const types = (outcome: Json): string[] => outcome.events.map((e: { type: string }) => e.type);
  /** A command that must be refused with `status` and `code`, writing nothing. */
  const refused = async (
    status: number,
    code: string,
    method: string,
    path: string,
    json?: unknown,
  ) => {
    const before = await api.eventRows(pool);
    const response = await api.request(method, `/pools/${pool}${path}`, { json });
    expect(response.status, JSON.stringify(response.body)).toBe(status);
    expect(response.body).toMatchObject({ statusCode: status, code });
    expect(await api.eventRows(pool)).toBe(before);
    return response.body;
  };
  const rule = (ruleId: string, scope: object, match: object) => ({
    ruleId,
    scope,
    direction: 'from-vm',
    priority: 100,
    match,
    action: 'allow',
  });

  beforeAll(async () => {
    api = await bootPoolMaster();
    expect(
      (await api.request('POST', '/pools', { json: { poolId: pool, name: 'SG' } })).status,
    ).toBe(201);
    await ok(201, 'POST', '/networks', {
      networkId: 'lan',
      name: 'lan',
      purpose: 'vm',
      kind: 'private',
    });
    await ok(201, 'POST', '/vms', { vmId: 'web-1', name: 'web-1' });
    await ok(201, 'POST', '/vms', { vmId: 'db-1', name: 'db-1' });
    await ok(201, 'POST', '/vms/web-1/vifs', {
      vifId: 'web-1-0',
      networkId: 'lan',
      ipv4: '192.0.2.10',
    });
    await ok(201, 'POST', '/vms/db-1/vifs', {
      vifId: 'db-1-0',
      networkId: 'lan',
      ipv4: '192.0.2.20',
    });
  });

  afterAll(async () => {
    await api?.close();
  });

  it('creates an address set with a generated id, canonical and sorted, and replaces its content', async () => {
    const created = await ok(201, 'POST', '/address-sets', {
      name: 'office',
      cidrs: ['2001:db8::/48', '192.0.2.7', '10.0.0.0/8', '192.0.2.7/32'],
    });
    expect(created.events).toEqual([
      {
        type: 'AddressSetCreated',
        version: expect.any(Number),
        data: {
          addressSetId: expect.stringMatching(UUID),
          name: 'office',
          cidrs: ['10.0.0.0/8', '192.0.2.7/32', '2001:db8::/48'],
        },
      },
    ]);
    office = created.events[0].data.addressSetId;
    const updated = await ok(200, 'PUT', `/address-sets/${office}`, {
      cidrs: ['198.51.100.0/24', '10.0.0.0/8'],
    });
    expect(updated.events).toEqual([
      {
        type: 'AddressSetUpdated',
        version: created.version + 1,
        data: { addressSetId: office, cidrs: ['10.0.0.0/8', '198.51.100.0/24'] },
      },
    ]);
  });

  it('creates groups (deny by default), sets a policy, adds members, sets a network default', async () => {
    const web = await ok(201, 'POST', '/security-groups', { groupId: 'web', name: 'web' });
    expect(web.events[0]).toMatchObject({
      type: 'SecurityGroupCreated',
      data: { groupId: 'web', name: 'web', defaultPolicy: 'deny' },
    });
    await ok(201, 'POST', '/security-groups', {
      groupId: 'db',
      name: 'db',
      defaultPolicy: 'allow',
    });
    const policy = await ok(200, 'PUT', '/security-groups/db', { defaultPolicy: 'deny' });
    expect(policy.events).toMatchObject([
      { type: 'SecurityGroupPolicyChanged', data: { groupId: 'db', defaultPolicy: 'deny' } },
    ]);
    const added = await ok(200, 'PUT', '/security-groups/web/members/web-1-0');
    expect(added.events).toMatchObject([
      { type: 'SecurityGroupMemberAdded', data: { groupId: 'web', vifId: 'web-1-0' } },
    ]);
    await ok(200, 'PUT', '/security-groups/db/members/db-1-0');
    const network = await ok(200, 'PUT', '/networks/lan/acl-default', { defaultPolicy: 'deny' });
    expect(network.events).toMatchObject([
      { type: 'NetworkAclDefaultChanged', data: { networkId: 'lan', defaultPolicy: 'deny' } },
    ]);
  });

  it('creates rules scoped to a group, with an address set and a group as their remote', async () => {
    const fromOffice = await ok(
      201,
      'POST',
      '/acls',
      rule(
        'web-https',
        { kind: 'group', groupId: 'web' },
        {
          protocol: 'tcp',
          portFrom: 443,
          addressSetId: office,
        },
      ),
    );
    expect(fromOffice.events).toMatchObject([
      {
        type: 'AclRuleCreated',
        data: {
          ruleId: 'web-https',
          scope: { kind: 'group', groupId: 'web' },
          match: { cidr: null, addressSetId: office, remoteGroupId: null, portFrom: 443 },
        },
      },
    ]);
    const fromWeb = await ok(
      201,
      'POST',
      '/acls',
      rule(
        'db-from-web',
        { kind: 'group', groupId: 'db' },
        {
          protocol: 'tcp',
          portFrom: 5432,
          remoteGroupId: 'web',
        },
      ),
    );
    expect(fromWeb.events[0].data.match).toMatchObject({
      addressSetId: null,
      remoteGroupId: 'web',
    });
  });

  it('refuses what the decider refuses, with the status of its kind, writing nothing', async () => {
    const group = { kind: 'group', groupId: 'web' };
    await refused(404, 'SECURITY_GROUP_NOT_FOUND', 'PUT', '/security-groups/nope/members/web-1-0');
    await refused(404, 'SECURITY_GROUP_NOT_FOUND', 'PUT', '/security-groups/nope', {
      defaultPolicy: 'allow',
    });
    await refused(
      404,
      'SECURITY_GROUP_NOT_FOUND',
      'POST',
      '/acls',
      rule('r-x', { kind: 'group', groupId: 'nope' }, { protocol: 'any' }),
    );
    await refused(
      404,
      'SECURITY_GROUP_NOT_FOUND',
      'POST',
      '/acls',
      rule('r-x', group, { protocol: 'udp', remoteGroupId: 'nope' }),
    );
    await refused(404, 'ADDRESS_SET_NOT_FOUND', 'PUT', '/address-sets/nope', { cidrs: [] });
    await refused(
      404,
      'ADDRESS_SET_NOT_FOUND',
      'POST',
      '/acls',
      rule('r-x', group, { protocol: 'udp', addressSetId: 'nope' }),
    );
    await refused(404, 'VIF_NOT_FOUND', 'PUT', '/security-groups/web/members/nope');
    await refused(
      409,
      'SECURITY_GROUP_MEMBER_EXISTS',
      'PUT',
      '/security-groups/web/members/web-1-0',
    );
    await refused(
      404,
      'SECURITY_GROUP_MEMBER_NOT_FOUND',
      'DELETE',
      '/security-groups/web/members/db-1-0',
    );
    await refused(409, 'SECURITY_GROUP_NAME_IN_USE', 'POST', '/security-groups', { name: 'WEB' });
    await refused(409, 'ADDRESS_SET_NAME_IN_USE', 'POST', '/address-sets', {
      name: 'Office',
      cidrs: [],
    });
    const twoRemotes = await refused(
      400,
      'INVALID_MATCH',
      'POST',
      '/acls',
      rule('r-x', group, { protocol: 'udp', cidr: '10.0.0.0/8', remoteGroupId: 'db' }),
    );
    expect(twoRemotes.message).toEqual(expect.any(String));
    // Over the decider's bound of 256 prefixes: its code; past the payload bound: the schema's.
    const prefixes = (n: number) =>
      Array.from({ length: n }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`);
    await refused(400, 'ADDRESS_SET_TOO_LARGE', 'POST', '/address-sets', {
      name: 'big',
      cidrs: prefixes(257),
    });
    await refused(400, 'ADDRESS_SET_TOO_LARGE', 'PUT', `/address-sets/${office}`, {
      cidrs: prefixes(257),
    });
    await refused(400, 'VALIDATION_FAILED', 'PUT', `/address-sets/${office}`, {
      cidrs: prefixes(1025),
    });
    await refused(400, 'INVALID_CIDR', 'PUT', `/address-sets/${office}`, { cidrs: ['10.0.0.1/8'] });
    await refused(400, 'VALIDATION_FAILED', 'POST', '/security-groups', {
      name: 'x',
      defaultPolicy: 'reject',
    });
    await refused(400, 'VALIDATION_FAILED', 'PUT', '/networks/lan/acl-default', {});
    await refused(400, 'VALIDATION_FAILED', 'PUT', '/security-groups/web', {
      groupId: 'db',
      defaultPolicy: 'allow',
    });
    // Still named by a rule: the set by web-https, the group web by db's rule (outside it).
    const setInUse = await refused(409, 'ADDRESS_SET_IN_USE', 'DELETE', `/address-sets/${office}`);
    expect(setInUse.details.ruleIds).toEqual(['web-https']);
    const groupInUse = await refused(
      409,
      'SECURITY_GROUP_IN_USE',
      'DELETE',
      '/security-groups/web',
    );
    expect(groupInUse.details.ruleIds).toEqual(['db-from-web']);
  });

  it('deletes a group with its rules and members, one event each, then what it freed', async () => {
    const db = await ok(200, 'DELETE', '/security-groups/db');
    expect(types(db)).toEqual([
      'AclRuleDeleted',
      'SecurityGroupMemberRemoved',
      'SecurityGroupDeleted',
    ]);
    expect(db.events[0].data).toMatchObject({ ruleId: 'db-from-web' });
    const left = await ok(200, 'DELETE', '/security-groups/web/members/web-1-0');
    expect(types(left)).toEqual(['SecurityGroupMemberRemoved']);
    const web = await ok(200, 'DELETE', '/security-groups/web');
    expect(types(web)).toEqual(['AclRuleDeleted', 'SecurityGroupDeleted']);
    const set = await ok(200, 'DELETE', `/address-sets/${office}`);
    expect(types(set)).toEqual(['AddressSetDeleted']);
    await refused(404, 'SECURITY_GROUP_NOT_FOUND', 'DELETE', '/security-groups/web');
  });

  it('documents the new routes and bodies in OpenAPI', async () => {
    const doc = (await api.request('GET', '/docs-json')).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/pools/{pool}/address-sets',
        '/pools/{pool}/address-sets/{set}',
        '/pools/{pool}/security-groups',
        '/pools/{pool}/security-groups/{group}',
        '/pools/{pool}/security-groups/{group}/members/{vif}',
        '/pools/{pool}/networks/{network}/acl-default',
      ]),
    );
    expect(doc.paths['/pools/{pool}/security-groups/{group}/members/{vif}'].put.description).toBe(
      'Runs AddSecurityGroupMember.',
    );
    expect(doc.components.schemas.GroupScopeData.required).toEqual(['kind', 'groupId']);
    expect(doc.components.schemas.CreateAddressSetBody.properties.cidrs.maxItems).toBe(256);
    expect(Object.keys(doc.components.schemas.AclMatchData.properties)).toEqual(
      expect.arrayContaining(['cidr', 'addressSetId', 'remoteGroupId']),
    );
  });
});
