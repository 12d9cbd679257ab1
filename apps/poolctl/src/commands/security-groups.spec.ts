import { poolEvent, replayPool, type PoolEvent } from '@pool/domain';
import { describe, expect, it } from 'vitest';
import { addressSetViews, securityGroupViews } from '../read/log-views.js';
import {
  fakeServices,
  MASTER,
  outcome,
  PROJECTION,
  run,
  type SeenRequest,
} from '../testing/fake-services.js';
import { sentCommand } from '../testing/sent-command.js';

/*
 * poolctl's verbs for address sets, security groups and default policies (issue 17 item 3):
 * what each sends, what it refuses before sending, names for group and set ids (two groups in
 * one rule: its scope and its remote), and the lists from the projection or the log.
 */

const poolctl = (argv: string[], fetch: typeof globalThis.fetch) =>
  run(['--pool', 'lab', ...argv], fetch);
const commandsIn = (seen: SeenRequest[]) => seen.filter((r) => r.method !== 'GET');

const rule = ['--direction', 'to-vm', '--priority', '100', '--action', 'allow'];

describe('address-set, security-group and acl-default verbs → requests', () => {
  it.each([
    [
      ['address-set', 'create', 'office', '--cidrs', '192.0.2.0/24, 2001:db8::/48', '--id', 's1'],
      {
        method: 'POST',
        path: '/pools/lab/address-sets',
        body: { addressSetId: 's1', name: 'office', cidrs: ['192.0.2.0/24', '2001:db8::/48'] },
      },
    ],
    [
      ['address-set', 'create', 'blocked'],
      { method: 'POST', path: '/pools/lab/address-sets', body: { name: 'blocked', cidrs: [] } },
    ],
    [
      ['address-set', 'update', 's1', '--cidrs', '10.0.0.0/8'],
      { method: 'PUT', path: '/pools/lab/address-sets/s1', body: { cidrs: ['10.0.0.0/8'] } },
    ],
    [
      ['address-set', 'update', 's1', '--no-cidrs'],
      { method: 'PUT', path: '/pools/lab/address-sets/s1', body: { cidrs: [] } },
    ],
    [['address-set', 'delete', 's1'], { method: 'DELETE', path: '/pools/lab/address-sets/s1' }],
    [
      ['security-group', 'create', 'web'],
      { method: 'POST', path: '/pools/lab/security-groups', body: { name: 'web' } },
    ],
    [
      ['sg', 'create', 'audit', '--policy', 'allow', '--id', 'g1'],
      {
        method: 'POST',
        path: '/pools/lab/security-groups',
        body: { groupId: 'g1', name: 'audit', defaultPolicy: 'allow' },
      },
    ],
    [
      ['sg', 'policy', 'g1', 'deny'],
      { method: 'PUT', path: '/pools/lab/security-groups/g1', body: { defaultPolicy: 'deny' } },
    ],
    [
      ['sg', 'add-member', 'g1', 'v1'],
      { method: 'PUT', path: '/pools/lab/security-groups/g1/members/v1' },
    ],
    [
      ['security-group', 'remove-member', 'g1', 'v1'],
      { method: 'DELETE', path: '/pools/lab/security-groups/g1/members/v1' },
    ],
    [['sg', 'delete', 'g1'], { method: 'DELETE', path: '/pools/lab/security-groups/g1' }],
    [
      ['network', 'acl-default', 'prod', 'deny'],
      {
        method: 'PUT',
        path: '/pools/lab/networks/prod/acl-default',
        body: { defaultPolicy: 'deny' },
      },
    ],
    [
      ['acl', 'create', '--group', 'g1', ...rule, '--protocol', 'tcp', '--port', '443'],
      {
        method: 'POST',
        path: '/pools/lab/acls',
        body: {
          scope: { kind: 'group', groupId: 'g1' },
          direction: 'to-vm',
          priority: 100,
          match: { protocol: 'tcp', portFrom: 443, portTo: 443 },
          action: 'allow',
        },
      },
    ],
    [
      ['acl', 'add', '--vif', 'v1', ...rule, '--address-set', 's1'],
      {
        method: 'POST',
        path: '/pools/lab/acls',
        body: {
          scope: { kind: 'vif', vifId: 'v1' },
          direction: 'to-vm',
          priority: 100,
          match: { protocol: 'any', addressSetId: 's1' },
          action: 'allow',
        },
      },
    ],
    [
      ['acl', 'add', '--group', 'db', ...rule, '--remote-group', 'web'],
      {
        method: 'POST',
        path: '/pools/lab/acls',
        body: {
          scope: { kind: 'group', groupId: 'db' },
          direction: 'to-vm',
          priority: 100,
          match: { protocol: 'any', remoteGroupId: 'web' },
          action: 'allow',
        },
      },
    ],
    [
      ['mirror', 'create', '--group', 'g1', '--to', 'v2'],
      {
        method: 'POST',
        path: '/pools/lab/mirrors',
        body: {
          source: { kind: 'group', groupId: 'g1' },
          direction: 'both',
          destinationVifId: 'v2',
        },
      },
    ],
  ])('%j', async (argv, expected) => {
    expect(await sentCommand(argv)).toEqual({ body: undefined, ...expected });
  });

  it.each([
    [['acl', 'add', '--group', 'g', ...rule, '--cidr', '10.0.0.0/8', '--address-set', 's']],
    [['acl', 'add', '--group', 'g', ...rule, '--cidr', '10.0.0.0/8', '--remote-group', 'g2']],
    [['acl', 'add', '--group', 'g', ...rule, '--address-set', 's', '--remote-group', 'g2']],
    [['acl', 'add', '--network', 'n', '--group', 'g', ...rule]],
    [['mirror', 'create', '--vif', 'v', '--group', 'g', '--to', 'v2']],
    [['sg', 'create', 'web', '--policy', 'reject']],
    [['sg', 'policy', 'web', 'maybe']],
    [['sg', 'policy', 'web']],
    [['sg', 'add-member', 'web']],
    [['network', 'acl-default', 'prod', 'block']],
    [['address-set', 'update', 's1']],
    [['address-set', 'create', 'x', '--cidrs', '10.0.0.0/8,,10.1.0.0/16']],
  ])('%j is a usage error (exit 2), nothing sent', async (argv) => {
    const { fetch, seen } = fakeServices(() => ({ status: 200, body: outcome() }));
    const result = await poolctl(argv, fetch);
    expect(result.code).toBe(2);
    expect(result.stderr).not.toBe('');
    expect(seen).toEqual([]);
  });
});

// A pool with two groups and a set, as the projection lists them and the master's log holds.
const events: PoolEvent[] = [
  poolEvent('PoolCreated', { poolId: 'lab', name: 'Lab', createdAt: '2026-01-01T00:00:00.000Z' }),
  poolEvent('AddressSetCreated', {
    addressSetId: 's-office',
    name: 'office',
    cidrs: ['192.0.2.0/24'],
  }),
  poolEvent('SecurityGroupCreated', { groupId: 'g-web', name: 'web', defaultPolicy: 'deny' }),
  poolEvent('SecurityGroupCreated', { groupId: 'g-db', name: 'db', defaultPolicy: 'allow' }),
];
const state = replayPool(events);
const page = (items: unknown[]) => ({ status: 200, body: { items, nextCursor: null } });
const notFound = (code: string, id: string) => ({
  status: 404,
  body: { code, message: `${id} does not exist.`, details: { id } },
});

/**
 * The projection lists the sets and groups (or knows no such route, as one older than them);
 * the master refuses an unknown group or set id with the decider's code and `details.id`.
 */
function services(projection: 'current' | 'older' = 'current') {
  return fakeServices(
    (r) => {
      if (r.url.origin !== PROJECTION) return undefined;
      const route = r.url.pathname.split('/')[4];
      if (route === undefined) return { status: 200, body: { id: 'lab', version: events.length } };
      if (projection === 'older') return { status: 404, body: { code: 'NOT_FOUND', message: '' } };
      if (route === 'address-sets') return page(addressSetViews(state));
      if (route === 'security-groups') return page(securityGroupViews(state));
      return undefined;
    },
    (r) => {
      if (r.url.origin !== MASTER) return undefined;
      if (r.method === 'GET') {
        const log = events.map((event, i) => ({
          ...{ id: `e${i + 1}`, pool: 'lab', version: i + 1, position: `0:0:${i + 1}` },
          ...{ type: event.type, schemaVersion: event.schemaVersion, data: event.data },
          ...{ metadata: {}, createdAt: '2026-01-01T00:00:00.000Z' },
        }));
        const after = Number(r.url.searchParams.get('after') ?? 0);
        const later = log.filter((e) => e.version > after);
        return { status: 200, body: { pool: 'lab', events: later, next: events.length } };
      }
      const body = (r.body ?? {}) as {
        scope?: { groupId?: string };
        match?: { addressSetId?: string; remoteGroupId?: string };
      };
      const path = decodeURIComponent(r.url.pathname).split('/');
      const groups = [path[3] === 'security-groups' ? path[4] : undefined];
      groups.push(body.scope?.groupId, body.match?.remoteGroupId);
      const unknownGroup = groups.find((id) => id !== undefined && !state.securityGroups.has(id));
      if (unknownGroup) return notFound('SECURITY_GROUP_NOT_FOUND', unknownGroup);
      const set = path[3] === 'address-sets' ? path[4] : body.match?.addressSetId;
      if (set !== undefined && !state.addressSets.has(set)) {
        return notFound('ADDRESS_SET_NOT_FOUND', set);
      }
      return { status: 200, body: outcome() };
    },
  );
}

describe('names of groups and sets', () => {
  it('resolves the group a rule applies to, the one it takes as remote, and a set', async () => {
    const { fetch, seen } = services();
    const remote = await poolctl(
      ['acl', 'add', '--group', 'db', ...rule, '--remote-group', 'web'],
      fetch,
    );
    expect(remote).toMatchObject({ code: 0, stderr: '' });
    // Both are names: the master knows neither id; each is looked up once, the scope first.
    expect(commandsIn(seen).map((r) => r.body)).toEqual([
      expect.objectContaining({ scope: { kind: 'group', groupId: 'db' } }),
      expect.objectContaining({ scope: { kind: 'group', groupId: 'g-db' } }),
      expect.objectContaining({
        scope: { kind: 'group', groupId: 'g-db' },
        match: { protocol: 'any', remoteGroupId: 'g-web' },
      }),
    ]);

    const set = await poolctl(
      ['acl', 'add', '--group', 'g-web', ...rule, '--address-set', 'office'],
      fetch,
    );
    expect(set.code).toBe(0);
    expect(commandsIn(seen).at(-1)!.body).toMatchObject({
      scope: { kind: 'group', groupId: 'g-web' },
      match: { addressSetId: 's-office' },
    });
  });

  it('takes names in the group and set verbs, from the log when the projection lacks the route', async () => {
    const { fetch, seen } = services('older');
    expect((await poolctl(['sg', 'add-member', 'web', 'v1'], fetch)).code).toBe(0);
    expect((await poolctl(['address-set', 'delete', 'office'], fetch)).code).toBe(0);
    expect(
      commandsIn(seen).map((r) => `${r.method} ${decodeURIComponent(r.url.pathname)}`),
    ).toEqual([
      'PUT /pools/lab/security-groups/web/members/v1',
      'PUT /pools/lab/security-groups/g-web/members/v1',
      'DELETE /pools/lab/address-sets/office',
      'DELETE /pools/lab/address-sets/s-office',
    ]);
  });

  it("reports the master's NOT_FOUND for a name that matches nothing", async () => {
    const { fetch } = services();
    const result = await poolctl(['sg', 'delete', 'nobody'], fetch);
    expect(result).toMatchObject({ code: 1 });
    expect(result.stderr).toContain('(SECURITY_GROUP_NOT_FOUND)');
  });
});

describe('address-set list and security-group list', () => {
  const expected = {
    sets: [{ addressSetId: 's-office', name: 'office', cidrs: ['192.0.2.0/24'] }],
    groups: [
      { groupId: 'g-web', name: 'web', defaultPolicy: 'deny', vifIds: [], ruleCount: 0 },
      { groupId: 'g-db', name: 'db', defaultPolicy: 'allow', vifIds: [], ruleCount: 0 },
    ],
  };

  it.each(['current', 'older'] as const)(
    'prints the rows as JSON, the same from the log (projection %s)',
    async (projection) => {
      const { fetch } = services(projection);
      const sets = await poolctl(['-o', 'json', 'address-set', 'list'], fetch);
      expect(JSON.parse(sets.stdout)).toEqual(expected.sets);
      const groups = await poolctl(['-o', 'json', 'sg', 'list'], fetch);
      expect(JSON.parse(groups.stdout)).toEqual(expected.groups);
    },
  );

  it('prints a table for people', async () => {
    const { fetch } = services();
    const groups = await poolctl(['sg', 'list'], fetch);
    expect(groups.stdout.split('\n').map((line) => line.split(/ +/))).toEqual([
      ['ID', 'NAME', 'POLICY', 'RULES', 'MEMBERS'],
      ['g-web', 'web', 'deny', '0', '-'],
      ['g-db', 'db', 'allow', '0', '-'],
      [''],
    ]);
  });
});
