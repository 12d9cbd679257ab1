/**
 * poolctl's security-group, address-set and acl-default verbs through the whole system (issue 17
 * item 3): the built CLI as a child process against the built pool master and projection. Names
 * for ids, rules with a group scope and a set or group as remote, refusals with their exit codes,
 * and the lists the same from the projection's read API as from the master's log.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBuiltPoolctl } from './support/poolctl-cli.js';
import { createTestDatabase } from '../support/databases.js';
import { createTestNats } from '../support/nats.js';
import { startAppProcess, startPoolMasterProcess } from '../support/pool-master-process.js';
import { killStarted } from '../support/processes.js';

const pool = `ctl-sg-${randomUUID().slice(0, 8)}`;
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let nats: Awaited<ReturnType<typeof createTestNats>>;
const env: Record<string, string> = { POOLNET_POOL: pool };

const poolctl = (...args: string[]) => runBuiltPoolctl(args, env);

/** A verb that must succeed; its stdout, trimmed. */
async function ok(...args: string[]): Promise<string> {
  const run = await poolctl(...args);
  if (run.code !== 0) {
    throw new Error(`poolctl ${args.join(' ')} exited ${run.code}\n${run.stderr}${run.stdout}`);
  }
  return run.stdout.trim();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are read field by field
const json = async (...args: string[]): Promise<any> => JSON.parse(await ok('-o', 'json', ...args));
const byId = <T>(rows: T[], key: keyof T): T[] =>
  [...rows].sort((a, b) => String(a[key]).localeCompare(String(b[key])));

/** Reads until the projection has caught up with what `done` expects. */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`projection never showed ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

beforeAll(async () => {
  db = await createTestDatabase();
  nats = await createTestNats();
  env.POOLNET_MASTER = (await startPoolMasterProcess(db.url, nats)).base;
  env.POOLNET_PROJECTION = (
    await startAppProcess('projection', db.url, nats, { MIGRATION_COORDINATOR: 'false' })
  ).base;
}, 120_000);

afterAll(async () => {
  killStarted();
  await nats?.close();
  await db?.drop();
});

describe('poolctl: security groups, address sets, default policies', () => {
  let vif: string;
  let web: string;
  let office: string;

  it('makes a set, two groups, a member and rules, naming them by name', async () => {
    await ok('pool', 'create', pool);
    await ok('network', 'create', 'lan', '--private', '--id', 'lan');
    const vm = await ok('vm', 'create', 'web-1');
    vif = await ok('vif', 'create', vm, '--network', 'lan', '--ipv4', '192.0.2.10');

    office = await ok('address-set', 'create', 'office', '--cidrs', '192.0.2.0/24,2001:db8::1');
    web = await ok('security-group', 'create', 'web');
    expect(await ok('sg', 'create', 'db', '--policy', 'allow', '--id', 'db')).toBe('db');
    expect(await ok('sg', 'add-member', 'web', vif)).toMatch(/SecurityGroupMemberAdded/);
    expect(await ok('sg', 'policy', 'db', 'deny')).toMatch(/SecurityGroupPolicyChanged/);
    expect(await ok('network', 'acl-default', 'lan', 'deny')).toMatch(/NetworkAclDefaultChanged/);
    const rule = ['--direction', 'from-vm', '--priority', '100', '--protocol', 'tcp'];
    expect(
      await ok(
        'acl',
        'create',
        '--group',
        'web',
        ...rule,
        '--port',
        '443',
        '--address-set',
        'office',
        '--action',
        'allow',
        '--id',
        'r-https',
      ),
    ).toBe('r-https');
    expect(
      await ok(
        'acl',
        'add',
        '--group',
        'db',
        ...rule,
        '--port',
        '5432',
        '--remote-group',
        'web',
        '--action',
        'allow',
        '--id',
        'r-db',
      ),
    ).toBe('r-db');
  });

  it('lists them the same from the projection as from the log', async () => {
    const groups = [
      { groupId: 'db', name: 'db', defaultPolicy: 'deny', vifIds: [], ruleCount: 1 },
      { groupId: web, name: 'web', defaultPolicy: 'deny', vifIds: [vif], ruleCount: 1 },
    ];
    const sets = [
      { addressSetId: office, name: 'office', cidrs: ['192.0.2.0/24', '2001:db8::1/128'] },
    ];
    for (const source of ['projection', 'log']) {
      const read = (...args: string[]) => json('--read-from', source, ...args);
      const shown = await eventually(
        () => read('sg', 'list'),
        (rows) => rows.length === 2 && rows.every((g: { ruleCount: number }) => g.ruleCount === 1),
      );
      expect(byId(shown, 'groupId'), source).toEqual(byId(groups, 'groupId'));
      expect(await read('address-set', 'list'), source).toEqual(sets);
      type Rule = { id: string; scope: object; match: object };
      const rules = byId<Rule>(await read('acl', 'list'), 'id');
      expect(
        rules.map((r) => [r.scope, r.match]),
        source,
      ).toEqual([
        [
          { kind: 'group', groupId: 'db' },
          expect.objectContaining({ addressSetId: null, remoteGroupId: web, portFrom: 5432 }),
        ],
        [
          { kind: 'group', groupId: web },
          expect.objectContaining({ cidr: null, addressSetId: office, remoteGroupId: null }),
        ],
      ]);
      expect(await read('network', 'show', 'lan'), source).toMatchObject({ aclDefault: 'deny' });
    }
    const table = await eventually(
      () => ok('acl', 'list'),
      (text) => text.includes('r-https'),
    );
    expect(table).toContain(`set:${office}`);
    expect(table).toContain(`group:${web}`);
  });

  it('reports refusals with exit 1 and the code, usage errors with exit 2', async () => {
    const inUse = await poolctl('address-set', 'delete', 'office');
    expect(inUse.code).toBe(1);
    expect(inUse.stderr).toContain('(ADDRESS_SET_IN_USE)');
    const remote = await poolctl('sg', 'delete', 'web');
    expect(remote.code).toBe(1);
    expect(remote.stderr).toContain('(SECURITY_GROUP_IN_USE)');
    const unknown = await poolctl('sg', 'add-member', 'nobody', vif);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('(SECURITY_GROUP_NOT_FOUND)');
    const tooLarge = Array.from({ length: 257 }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`);
    const large = await poolctl('address-set', 'update', 'office', '--cidrs', tooLarge.join(','));
    expect(large.code).toBe(1);
    expect(large.stderr).toContain('(ADDRESS_SET_TOO_LARGE)');
    const both = await poolctl(
      ...['acl', 'add', '--group', 'web', '--direction', 'from-vm', '--priority', '7'],
      ...['--cidr', '10.0.0.0/8', '--remote-group', 'db', '--action', 'allow'],
    );
    expect(both.code).toBe(2);
  });

  it('deletes a group with its rules, then the rest', async () => {
    expect(await ok('sg', 'delete', 'db')).toMatch(/AclRuleDeleted, SecurityGroupDeleted/);
    expect(await ok('sg', 'remove-member', 'web', vif)).toMatch(/SecurityGroupMemberRemoved/);
    expect(await ok('sg', 'delete', 'web')).toMatch(/AclRuleDeleted, SecurityGroupDeleted/);
    expect(await ok('address-set', 'update', 'office', '--no-cidrs')).toMatch(/AddressSetUpdated/);
    expect(await ok('address-set', 'delete', 'office')).toMatch(/AddressSetDeleted/);
    expect(await json('--read-from', 'log', 'sg', 'list')).toEqual([]);
  });

  it.each([
    ['address-set', 'create', 'update', 'delete', 'list'],
    ['security-group', 'create', 'policy', 'add-member', 'remove-member', 'delete', 'list'],
    ['sg', 'create', 'policy', 'add-member', 'remove-member', 'delete', 'list'],
    ['network', 'acl-default'],
    ['acl', 'create'],
  ])('has help with examples for %s', async (group, ...verbs) => {
    for (const verb of verbs) {
      const help = await poolctl(group, verb, '--help');
      expect(help.code, `${group} ${verb}`).toBe(0);
      expect(help.stdout, `${group} ${verb}`).toContain('Examples:\n  $ poolctl');
    }
  });
});
