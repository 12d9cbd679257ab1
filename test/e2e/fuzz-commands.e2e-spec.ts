/**
 * Fuzzing the pool master's command surface with fast-check: thousands of generated bad inputs
 * over REST (every mutating route: wrong types, missing and unknown fields, huge strings, odd
 * unicode, bad MACs, IPs, CIDRs and VLANs, bodies that are not JSON, other media types, bad
 * URL ids, queries and headers) and over NATS (`<root>.<pool>.cmd.admin.e2e.<Name>` with garbage
 * payloads, unknown names, wrong shapes). Every answer must be a 4xx with `{ code, message }`
 * (a typed refusal over NATS), the master must keep answering `/health`, and the log must not
 * gain a single row. The built app runs as its own process (needs `npm run build`).
 */
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CommandReply } from '@pool/contracts';
import {
  ACL_ACTIONS,
  ACL_DEFAULT_POLICIES,
  ACL_DIRECTIONS,
  ACL_PROTOCOLS,
  BOND_MODES,
  MIRROR_DIRECTIONS,
  NETWORK_PURPOSES,
  PIF_ROLES,
} from '@pool/domain';
import { createTestDatabase } from '../support/databases.js';
import { createTestNats } from '../support/nats.js';
import { startPoolMasterProcess, type PoolMasterReplica } from '../support/pool-master-process.js';
import { killStarted } from '../support/processes.js';
import {
  badCommandHeaders,
  badCommandQuery,
  badEventsQuery,
  defectiveData,
  defectivePath,
  notAnObject,
  notJson,
  otherMediaType,
  preview,
  unknownId,
  type CommandTemplate,
  type Field,
} from './support/bad-commands.js';
import { configuredPool, pif, type SetupStep } from './support/configured-pool.js';

/** Sized to finish in well under a minute on a loaded 2-core machine. */
const REST_RUNS = Number(process.env.FUZZ_REST_RUNS ?? 1500);
const NATS_RUNS = Number(process.env.FUZZ_NATS_RUNS ?? 1000);
/** `/health` is asked between cases this often (and after the last). */
const HEALTH_EVERY = 100;

const POOL = `fuzz-${Math.random().toString(36).slice(2, 10)}`;
const P = `/pools/${POOL}`;

// ---------------------------------------------------------------------------------------------
// The pool every case runs against

const SETUP: SetupStep[] = [
  ...configuredPool(POOL, 'fuzz'),
  ['POST', `${P}/vms/idle/vifs`, { vifId: 'idle-0', device: 0, networkId: 'priv' }],
  [
    'POST',
    `${P}/mirrors`,
    {
      mirrorId: 'tap',
      source: { kind: 'vif', vifId: 'web-0' },
      direction: 'both',
      destinationVifId: 'idle-0',
    },
  ],
  [
    'POST',
    `${P}/address-sets`,
    { addressSetId: 'office', name: 'office', cidrs: ['192.0.2.0/24'] },
  ],
  ['POST', `${P}/security-groups`, { groupId: 'sg-web', name: 'web' }],
  ['PUT', `${P}/security-groups/sg-web/members/web-0`, {}],
];

// ---------------------------------------------------------------------------------------------
// Every command as a template: valid data and what each field must be

const id: Field = { kind: 'id' };
const name: Field = { kind: 'name' };
const device: Field = { kind: 'device' };
const mtu = (presence: Field['presence'] = 'required'): Field => ({
  kind: 'int',
  min: 68,
  max: 9216,
  presence,
});
const oneOf = (values: readonly string[]): Field => ({ kind: 'enum', values });
const port: Field = { kind: 'int', min: 0, max: 65535, presence: 'nullable' };
const kbit: Field = { kind: 'int', min: 0, max: 0xffffffff };
const qos: Field = {
  kind: 'object',
  presence: 'nullable',
  fields: { ingressKbps: kbit, ingressBurstKb: kbit, egressKbps: kbit, egressBurstKb: kbit },
};

type Rest = NonNullable<CommandTemplate['rest']>;
const post = (path: Rest['path'], fromPath: string[] = [], generated?: string): Rest => ({
  method: 'POST',
  path,
  fromPath,
  generated,
});
const at = (method: Rest['method'], path: Rest['path'], fromPath: string[]): Rest => ({
  method,
  path,
  fromPath,
});

const TEMPLATES: CommandTemplate[] = [
  {
    type: 'CreatePool',
    data: { poolId: 'fuzz-new', name: 'New' },
    fields: { poolId: { kind: 'poolId' }, name },
    rest: post(() => '/pools', [], 'poolId'),
  },
  {
    type: 'RenamePool',
    data: { name: 'Renamed' },
    fields: { name },
    rest: at('PATCH', (pool) => `/pools/${pool}`, []),
  },
  {
    type: 'JoinHost',
    data: {
      hostId: 'host-c',
      name: 'host-c',
      address: '192.0.2.13',
      pifs: [pif('eth0', 3)],
      managementDevice: 'eth0',
    },
    fields: {
      hostId: id,
      name,
      address: { kind: 'text' },
      pifs: {
        kind: 'objectList',
        fields: {
          device,
          mac: { kind: 'mac' },
          mtu: mtu(),
          speedMbps: { kind: 'int', min: 0, max: 10_000_000 },
          carrier: { kind: 'bool' },
        },
      },
      managementDevice: device,
    },
    rest: post((pool) => `/pools/${pool}/hosts`, [], 'hostId'),
  },
  ...(['enable', 'disable'] as const).map((verb): CommandTemplate => ({
    type: verb === 'enable' ? 'EnableHost' : 'DisableHost',
    data: { hostId: 'host-b' },
    fields: { hostId: id },
    rest: post((pool, ids) => `/pools/${pool}/hosts/${ids.hostId}/${verb}`, ['hostId']),
  })),
  {
    type: 'EjectHost',
    data: { hostId: 'host-b' },
    fields: { hostId: id },
    rest: at('DELETE', (pool, ids) => `/pools/${pool}/hosts/${ids.hostId}`, ['hostId']),
  },
  {
    type: 'SetPifRole',
    data: { hostId: 'host-a', device: 'eth1', role: 'storage' },
    fields: { hostId: id, device, role: oneOf(PIF_ROLES) },
    rest: at('PUT', (pool, ids) => `/pools/${pool}/hosts/${ids.hostId}/pifs/${ids.device}`, [
      'hostId',
      'device',
    ]),
  },
  {
    type: 'SetPifMtu',
    data: { hostId: 'host-a', device: 'eth1', mtu: 9000 },
    fields: { hostId: id, device, mtu: mtu() },
    rest: at('PUT', (pool, ids) => `/pools/${pool}/hosts/${ids.hostId}/pifs/${ids.device}`, [
      'hostId',
      'device',
    ]),
  },
  {
    type: 'CreateBond',
    data: {
      bondId: 'bond1',
      hostId: 'host-a',
      device: 'bond1',
      members: ['eth4', 'eth1'],
      mode: 'active-backup',
    },
    fields: {
      bondId: id,
      hostId: id,
      device,
      members: { kind: 'stringList' },
      mode: oneOf(BOND_MODES),
    },
    rest: post((pool) => `/pools/${pool}/bonds`, [], 'bondId'),
  },
  {
    type: 'DestroyBond',
    data: { bondId: 'bond0' },
    fields: { bondId: id },
    rest: at('DELETE', (pool, ids) => `/pools/${pool}/bonds/${ids.bondId}`, ['bondId']),
  },
  {
    type: 'CreateNetwork',
    data: {
      networkId: 'n-ext',
      name: 'n-ext',
      purpose: 'vm',
      kind: 'external',
      device: 'eth1',
      vlan: 200,
      mtu: 1500,
    },
    fields: {
      networkId: id,
      name,
      purpose: oneOf(NETWORK_PURPOSES),
      kind: oneOf(['external', 'private']),
      device,
      vlan: { kind: 'int', min: 1, max: 4094, presence: 'nullable' },
      mtu: mtu('optional'),
    },
    rest: post((pool) => `/pools/${pool}/networks`, [], 'networkId'),
  },
  {
    type: 'CreateNetwork',
    data: { networkId: 'n-priv', name: 'n-priv', purpose: 'storage', kind: 'private' },
    fields: { networkId: id, name, purpose: oneOf(NETWORK_PURPOSES), kind: oneOf(['private']) },
    rest: post((pool) => `/pools/${pool}/networks`, [], 'networkId'),
  },
  {
    type: 'UpdateNetwork',
    data: { networkId: 'priv', name: 'priv-2', mtu: 9000 },
    fields: { networkId: id, name: { ...name, presence: 'optional' }, mtu: mtu('optional') },
    rest: at('PATCH', (pool, ids) => `/pools/${pool}/networks/${ids.networkId}`, ['networkId']),
  },
  {
    type: 'DestroyNetwork',
    data: { networkId: 'ext' },
    fields: { networkId: id },
    rest: at('DELETE', (pool, ids) => `/pools/${pool}/networks/${ids.networkId}`, ['networkId']),
  },
  {
    type: 'CreateVm',
    data: { vmId: 'vm-new', name: 'new' },
    fields: { vmId: id, name },
    rest: post((pool) => `/pools/${pool}/vms`, [], 'vmId'),
  },
  {
    type: 'RenameVm',
    data: { vmId: 'web', name: 'web-2' },
    fields: { vmId: id, name },
    rest: at('PATCH', (pool, ids) => `/pools/${pool}/vms/${ids.vmId}`, ['vmId']),
  },
  {
    type: 'DestroyVm',
    data: { vmId: 'idle' },
    fields: { vmId: id },
    rest: at('DELETE', (pool, ids) => `/pools/${pool}/vms/${ids.vmId}`, ['vmId']),
  },
  {
    type: 'StartVm',
    data: { vmId: 'idle', hostId: 'host-b' },
    fields: { vmId: id, hostId: id },
    rest: post((pool, ids) => `/pools/${pool}/vms/${ids.vmId}/start`, ['vmId']),
  },
  {
    type: 'StopVm',
    data: { vmId: 'web' },
    fields: { vmId: id },
    rest: post((pool, ids) => `/pools/${pool}/vms/${ids.vmId}/stop`, ['vmId']),
  },
  {
    type: 'RequestMigration',
    data: { migrationId: 'mig-1', vmId: 'web', toHostId: 'host-b' },
    fields: { migrationId: id, vmId: id, toHostId: id },
    rest: post((pool, ids) => `/pools/${pool}/vms/${ids.vmId}/migrate`, ['vmId'], 'migrationId'),
  },
  {
    type: 'CreateVif',
    data: {
      vifId: 'idle-1',
      vmId: 'idle',
      device: 1,
      networkId: 'ext',
      mac: '02:00:00:00:00:99',
      ipv4: '192.0.2.99',
      ipv6: '2001:db8::99',
      qos: { ingressKbps: 1000, ingressBurstKb: 100, egressKbps: 1000, egressBurstKb: 100 },
      portSecurity: true,
    },
    fields: {
      vifId: id,
      vmId: id,
      // Absent: the VM's lowest free index.
      device: { kind: 'int', min: 0, max: 15, presence: 'optional' },
      networkId: id,
      mac: { kind: 'mac', presence: 'nullable' },
      ipv4: { kind: 'ipv4', presence: 'nullable' },
      ipv6: { kind: 'ipv6', presence: 'nullable' },
      qos,
      portSecurity: { kind: 'bool', presence: 'optional' },
    },
    rest: post((pool, ids) => `/pools/${pool}/vms/${ids.vmId}/vifs`, ['vmId'], 'vifId'),
  },
  {
    type: 'UpdateVif',
    data: { vifId: 'web-0', ipv4: '192.0.2.77', ipv6: null, qos: null, portSecurity: false },
    fields: {
      vifId: id,
      ipv4: { kind: 'ipv4', presence: 'nullable' },
      ipv6: { kind: 'ipv6', presence: 'nullable' },
      qos,
      portSecurity: { kind: 'bool', presence: 'optional' },
    },
    rest: at('PATCH', (pool, ids) => `/pools/${pool}/vms/web/vifs/${ids.vifId}`, ['vifId']),
  },
  {
    type: 'DestroyVif',
    data: { vifId: 'idle-0' },
    fields: { vifId: id },
    rest: at('DELETE', (pool, ids) => `/pools/${pool}/vms/idle/vifs/${ids.vifId}`, ['vifId']),
  },
  {
    type: 'CreateAclRule',
    data: {
      ruleId: 'ssh',
      scope: { kind: 'network', networkId: 'priv' },
      direction: 'to-vm',
      priority: 10,
      match: { protocol: 'tcp', cidr: '10.0.0.0/8', portFrom: 22, portTo: 23 },
      action: 'drop',
    },
    fields: {
      ruleId: id,
      scope: { kind: 'object', fields: { kind: oneOf(['network']), networkId: id } },
      // The old words are refused too (ACL_DIRECTION_RENAMED), never taken for a direction.
      direction: { kind: 'enum', values: ACL_DIRECTIONS, refused: ['ingress', 'egress'] },
      priority: { kind: 'int', min: 0, max: 32767 },
      match: {
        kind: 'object',
        fields: {
          protocol: oneOf(ACL_PROTOCOLS),
          cidr: { kind: 'cidr', presence: 'nullable' },
          addressSetId: { kind: 'id', presence: 'nullable' },
          remoteGroupId: { kind: 'id', presence: 'nullable' },
          portFrom: port,
          portTo: port,
        },
      },
      action: oneOf(ACL_ACTIONS),
    },
    rest: post((pool) => `/pools/${pool}/acls`, [], 'ruleId'),
  },
  {
    type: 'DeleteAclRule',
    data: { ruleId: 'https' },
    fields: { ruleId: id },
    rest: at('DELETE', (pool, ids) => `/pools/${pool}/acls/${ids.ruleId}`, ['ruleId']),
  },
  {
    type: 'CreateAddressSet',
    data: { addressSetId: 'lan', name: 'lan', cidrs: ['10.0.0.0/8', '2001:db8::/32'] },
    fields: { addressSetId: id, name, cidrs: { kind: 'stringList' } },
    rest: post((pool) => `/pools/${pool}/address-sets`, [], 'addressSetId'),
  },
  {
    type: 'UpdateAddressSet',
    data: { addressSetId: 'office', cidrs: ['198.51.100.0/24'] },
    fields: { addressSetId: id, cidrs: { kind: 'stringList' } },
    rest: at('PUT', (pool, ids) => `/pools/${pool}/address-sets/${ids.addressSetId}`, [
      'addressSetId',
    ]),
  },
  {
    type: 'DeleteAddressSet',
    data: { addressSetId: 'office' },
    fields: { addressSetId: id },
    rest: at('DELETE', (pool, ids) => `/pools/${pool}/address-sets/${ids.addressSetId}`, [
      'addressSetId',
    ]),
  },
  {
    type: 'CreateSecurityGroup',
    data: { groupId: 'sg-db', name: 'db', defaultPolicy: 'allow' },
    fields: {
      groupId: id,
      name,
      defaultPolicy: { ...oneOf(ACL_DEFAULT_POLICIES), presence: 'optional' },
    },
    rest: post((pool) => `/pools/${pool}/security-groups`, [], 'groupId'),
  },
  {
    type: 'SetSecurityGroupPolicy',
    data: { groupId: 'sg-web', defaultPolicy: 'allow' },
    fields: { groupId: id, defaultPolicy: oneOf(ACL_DEFAULT_POLICIES) },
    rest: at('PUT', (pool, ids) => `/pools/${pool}/security-groups/${ids.groupId}`, ['groupId']),
  },
  {
    type: 'AddSecurityGroupMember',
    data: { groupId: 'sg-web', vifId: 'idle-0' },
    fields: { groupId: id, vifId: id },
    rest: at(
      'PUT',
      (pool, ids) => `/pools/${pool}/security-groups/${ids.groupId}/members/${ids.vifId}`,
      ['groupId', 'vifId'],
    ),
  },
  {
    type: 'RemoveSecurityGroupMember',
    data: { groupId: 'sg-web', vifId: 'web-0' },
    fields: { groupId: id, vifId: id },
    rest: at(
      'DELETE',
      (pool, ids) => `/pools/${pool}/security-groups/${ids.groupId}/members/${ids.vifId}`,
      ['groupId', 'vifId'],
    ),
  },
  {
    type: 'DeleteSecurityGroup',
    data: { groupId: 'sg-web' },
    fields: { groupId: id },
    rest: at('DELETE', (pool, ids) => `/pools/${pool}/security-groups/${ids.groupId}`, ['groupId']),
  },
  {
    type: 'SetNetworkAclDefault',
    data: { networkId: 'priv', defaultPolicy: 'deny' },
    fields: { networkId: id, defaultPolicy: oneOf(ACL_DEFAULT_POLICIES) },
    rest: at('PUT', (pool, ids) => `/pools/${pool}/networks/${ids.networkId}/acl-default`, [
      'networkId',
    ]),
  },
  {
    type: 'CreateMirror',
    data: {
      mirrorId: 'tap-2',
      source: { kind: 'vif', vifId: 'idle-0' },
      direction: 'ingress',
      destinationVifId: 'web-0',
    },
    fields: {
      mirrorId: id,
      source: { kind: 'object', fields: { kind: oneOf(['vif']), vifId: id } },
      direction: oneOf(MIRROR_DIRECTIONS),
      destinationVifId: id,
    },
    rest: post((pool) => `/pools/${pool}/mirrors`, [], 'mirrorId'),
  },
  {
    type: 'DeleteMirror',
    data: { mirrorId: 'tap' },
    fields: { mirrorId: id },
    rest: at('DELETE', (pool, ids) => `/pools/${pool}/mirrors/${ids.mirrorId}`, ['mirrorId']),
  },
  // The coordinator's steps: NATS only.
  ...['PrepareMigration', 'ActivateMigration', 'CompleteMigration'].map(
    (type): CommandTemplate => ({
      type,
      data: { migrationId: 'mig-0' },
      fields: { migrationId: id },
    }),
  ),
  {
    type: 'AbortMigration',
    data: { migrationId: 'mig-0', reason: 'timeout' },
    fields: { migrationId: id, reason: { kind: 'text' } },
  },
];

const REST_TEMPLATES = TEMPLATES.filter((t) => t.rest !== undefined);
const COMMAND_NAMES = new Set(TEMPLATES.map((t) => t.type));

// ---------------------------------------------------------------------------------------------
// REST cases

interface RestCase {
  what: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

/** The template's request as REST sends it: URL ids out of the data, the rest as the body. */
function restRequest(
  t: CommandTemplate,
  data: Record<string, unknown>,
  ids: Record<string, string>,
  pool = POOL,
): Omit<RestCase, 'what' | 'headers'> {
  const rest = t.rest!;
  const body = Object.fromEntries(Object.entries(data).filter(([k]) => !rest.fromPath.includes(k)));
  const encoded = Object.fromEntries(
    Object.entries(ids).map(([k, v]) => [k, encodeURIComponent(v)]),
  );
  return {
    method: rest.method,
    path: rest.path(encodeURIComponent(pool), encoded),
    body: json(body),
  };
}

/** JSON with own `__proto__` keys kept (JSON.stringify keeps them, as JSON.parse made them). */
const json = (value: unknown): string => JSON.stringify(value);

const template = fc.constantFrom(...REST_TEMPLATES);
const validRequest = (t: CommandTemplate) =>
  restRequest(t, t.data, Object.fromEntries(t.rest!.fromPath.map((k) => [k, String(t.data[k])])));
/** A command that would succeed: a bad query or header must stop it before it runs. */
const wouldSucceed = fc.constant({
  method: 'POST',
  path: `${P}/vms`,
  body: json({ name: 'gate' }),
});

const restCase: fc.Arbitrary<RestCase> = fc.oneof(
  {
    weight: 6,
    arbitrary: template.chain((t) =>
      defectiveData(t, 'rest').map(({ data, ids, defect }) => ({
        what: `${t.type} ${defect}`,
        ...restRequest(t, data, ids),
        headers: JSON_HEADERS,
      })),
    ),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(...REST_TEMPLATES.filter((t) => defectivePath(t))).chain((t) =>
      defectivePath(t)!.map(({ data, ids, defect }) => ({
        what: `${t.type} ${defect}`,
        ...restRequest(t, data, ids),
        headers: JSON_HEADERS,
      })),
    ),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom(...REST_TEMPLATES.filter((t) => t.type !== 'CreatePool')),
        fc.oneof(
          unknownId,
          fc.constantFrom('Upper', 'under_score', 'dot.ted', '-dash', 'x'.repeat(64)),
        ),
      )
      .map(([t, pool]) => ({
        what: `${t.type} on pool ${preview(pool)}`,
        ...restRequest(
          t,
          t.data,
          Object.fromEntries(t.rest!.fromPath.map((k) => [k, String(t.data[k])])),
          pool,
        ),
        headers: JSON_HEADERS,
      })),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(template, notJson).map(([t, body]) => ({
      what: `${t.type} body not JSON ${preview(body)}`,
      ...validRequest(t),
      body,
      headers: JSON_HEADERS,
    })),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(template, notAnObject).map(([t, value]) => ({
      what: `${t.type} body ${preview(value)}`,
      ...validRequest(t),
      body: json(value),
      headers: JSON_HEADERS,
    })),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(template, otherMediaType).map(([t, type]) => ({
      what: `${t.type} as ${type}`,
      ...validRequest(t),
      headers: { 'content-type': type },
    })),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(template, fc.integer({ min: 260_000, max: 400_000 })).map(([t, n]) => ({
      what: `${t.type} body of ${n} bytes`,
      ...validRequest(t),
      body: json({ ...t.data, pad: 'x'.repeat(n) }),
      headers: JSON_HEADERS,
    })),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(wouldSucceed, badCommandQuery).map(([request, query]) => ({
      what: `query ${query}`,
      ...request,
      path: `${request.path}?${query}`,
      headers: JSON_HEADERS,
    })),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(wouldSucceed, badCommandHeaders).map(([request, headers]) => ({
      what: `headers ${preview(headers)}`,
      ...request,
      headers: { ...JSON_HEADERS, ...headers },
    })),
  },
  {
    weight: 1,
    arbitrary: badEventsQuery.map((query) => ({
      what: `events ?${query}`,
      method: 'GET',
      path: `${P}/events?${query}`,
      headers: {},
    })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom('POST', 'PUT', 'PATCH', 'DELETE'),
        fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 12 }),
      )
      .map(([method, segment]) => ({
        what: `${method} unknown route ${preview(segment)}`,
        method,
        path: `${P}/zz${encodeURIComponent(segment)}`,
        headers: JSON_HEADERS,
        body: json({ name: 'x' }),
      })),
  },
);

// ---------------------------------------------------------------------------------------------
// NATS cases

interface NatsCase {
  what: string;
  subject: string;
  payload: Uint8Array | string;
  /** Nothing subscribes to this subject: "no responders" is the answer. */
  unrouted?: boolean;
}

/** A token NATS accepts in a subject: no dots, wildcards or whitespace. */
const token = fc
  .string({ unit: 'binary', minLength: 1, maxLength: 24 })
  .filter((s) => /^[^\s.*>]+$/u.test(s));
const subjectOf = (pool: string, type: string) => nats.commandSubject(pool, type);

/** CreatePool is sent on its own pool's subject; every other command on the fuzzed pool's. */
const natsPoolOf = (t: CommandTemplate, data: Record<string, unknown>) =>
  t.type === 'CreatePool' && typeof data.poolId === 'string' && /^[^\s.*>]+$/u.test(data.poolId)
    ? data.poolId
    : t.type === 'CreatePool'
      ? 'fuzz-new'
      : POOL;

const natsTemplate = fc.constantFrom(...TEMPLATES);
const validPayload = (t: CommandTemplate) => json({ data: t.data });

const badEnvelope = fc.oneof(
  fc
    .oneof(
      fc.constantFrom('', 'has space', 'k'.repeat(129), 'é', '\u0000'),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.nat(), { maxLength: 2 }),
    )
    .map((commandId) => ({ commandId })),
  fc
    .oneof(
      fc.integer({ max: -1 }),
      fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Number.isInteger(d)),
      fc.constantFrom('1', '', null, 2 ** 60, true),
    )
    .map((expectedVersion) => ({ expectedVersion })),
  fc
    .oneof(
      fc.string().filter((s) => s !== 'hosts'),
      fc.integer(),
      fc.constant(null),
    )
    .map((wait) => ({ wait })),
  fc
    .oneof(fc.constantFrom(0, -1, 600_001, 1.5, '100', null, true), fc.integer({ min: 600_001 }))
    .map((waitTimeoutMs) => ({ wait: 'hosts', waitTimeoutMs })),
  fc
    .tuple(
      fc
        .string({ minLength: 1, maxLength: 10 })
        .filter(
          (k) =>
            !['data', 'commandId', 'expectedVersion', 'wait', 'waitTimeoutMs', 'actor'].includes(k),
        ),
      fc.jsonValue({ maxDepth: 1 }),
    )
    .map(([key, value]) => ({ [key]: value })),
);

const natsCase: fc.Arbitrary<NatsCase> = fc.oneof(
  {
    weight: 6,
    arbitrary: natsTemplate.chain((t) =>
      defectiveData(t, 'nats').map(({ data, defect }) => ({
        what: `${t.type} ${defect}`,
        subject: subjectOf(natsPoolOf(t, data), t.type),
        payload: json({ data }),
      })),
    ),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(natsTemplate, badEnvelope).map(([t, envelope]) => ({
      what: `${t.type} envelope ${preview(envelope)}`,
      subject: subjectOf(natsPoolOf(t, t.data), t.type),
      payload: json({ data: t.data, ...envelope }),
    })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        token.filter((name) => !COMMAND_NAMES.has(name)),
        fc.jsonValue({ maxDepth: 2 }),
      )
      .map(([name, data]) => ({
        what: `unknown command ${preview(name)}`,
        subject: subjectOf(POOL, name),
        payload: json({ data }),
      })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(natsTemplate, fc.oneof(fc.uint8Array({ maxLength: 200 }), notJson))
      .map(([t, payload]) => ({
        what: `${t.type} payload ${preview(typeof payload === 'string' ? payload : [...payload])}`,
        subject: subjectOf(natsPoolOf(t, t.data), t.type),
        payload,
      })),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(natsTemplate, notAnObject).map(([t, value]) => ({
      what: `${t.type} payload ${preview(value)}`,
      subject: subjectOf(natsPoolOf(t, t.data), t.type),
      payload: json(value),
    })),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(natsTemplate, notAnObject).map(([t, value]) => ({
      what: `${t.type} data ${preview(value)}`,
      subject: subjectOf(natsPoolOf(t, t.data), t.type),
      payload: json({ data: value }),
    })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom(...TEMPLATES.filter((t) => t.type !== 'CreatePool')),
        fc.oneof(
          unknownId,
          token.filter((s) => s !== POOL),
        ),
      )
      .map(([t, pool]) => ({
        what: `${t.type} on pool ${preview(pool)}`,
        subject: subjectOf(pool, t.type),
        payload: validPayload(t),
      })),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(natsTemplate, token).map(([t, extra]) => ({
      what: `${t.type} with an extra subject token`,
      subject: `${subjectOf(POOL, t.type)}.${extra}`,
      payload: validPayload(t),
      unrouted: true,
    })),
  },
);

// ---------------------------------------------------------------------------------------------

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let nats: Awaited<ReturnType<typeof createTestNats>>;
let master: PoolMasterReplica;
let sql: pg.Client;
let logRows = 0;

const countRows = async () =>
  Number((await sql.query<{ n: string }>('SELECT count(*) AS n FROM es_events')).rows[0]!.n);

async function assertHealthy(): Promise<void> {
  const { child } = master.running;
  if (child.exitCode !== null || child.signalCode !== null) {
    throw new Error(
      `the master exited (${child.exitCode ?? child.signalCode})\n${master.running.output()}`,
    );
  }
  const response = await fetch(`${master.base}/health`);
  if (response.status !== 200)
    throw new Error(`/health answered ${response.status}: ${await response.text()}`);
}

async function send(c: RestCase): Promise<{ status: number; text: string }> {
  const response = await fetch(`${master.base}${c.path}`, {
    method: c.method,
    headers: c.headers,
    body: c.body,
    signal: AbortSignal.timeout(30_000),
  });
  return { status: response.status, text: await response.text() };
}

/** A refusal in the API's error shape; anything else fails the case with what was sent. */
function refusedOverRest(status: number, text: string): string | undefined {
  if (status < 400 || status >= 500) return `status ${status}`;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return 'a body that is not JSON';
  }
  const { statusCode, code, message } = (body ?? {}) as Record<string, unknown>;
  if (statusCode !== status) return `statusCode ${String(statusCode)} for HTTP ${status}`;
  if (typeof code !== 'string' || !/^[A-Z][A-Z0-9_]*$/.test(code)) return `code ${String(code)}`;
  if (typeof message !== 'string' || !/\S/.test(message)) return 'no message';
  return undefined;
}

function refusedOverNats(reply: CommandReply): string | undefined {
  if (reply.ok) return 'accepted';
  const { status, code, message } = reply.error ?? {};
  if (!Number.isInteger(status) || status < 400 || status >= 500) return `status ${status}`;
  if (typeof code !== 'string' || !/^[A-Z][A-Z0-9_]*$/.test(code)) return `code ${String(code)}`;
  if (typeof message !== 'string' || !/\S/.test(message)) return 'no message';
  return undefined;
}

/** Runs one case's checks: a refusal, the log unchanged, and the master healthy now and then. */
function checked<C extends { what: string }>(run: (c: C) => Promise<string | undefined>) {
  let n = 0;
  const recent: string[] = [];
  return async (c: C): Promise<void> => {
    recent.push(c.what.slice(0, 200));
    if (recent.length > 5) recent.shift();
    const problem = await run(c);
    if (problem) throw new Error(`${c.what}: ${problem}`);
    const rows = await countRows();
    if (rows !== logRows) {
      const { rows: added } = await sql.query(
        `SELECT stream_id, stream_version, event_type, data, metadata FROM es_events
          ORDER BY transaction_id DESC, global_position DESC LIMIT $1`,
        [Math.max(1, rows - logRows)],
      );
      throw new Error(
        `${c.what}: the log went from ${logRows} to ${rows} rows: ${JSON.stringify(added)}; ` +
          `the last cases: ${recent.join(' | ')}`,
      );
    }
    if (++n % HEALTH_EVERY === 0) await assertHealthy();
  };
}

beforeAll(async () => {
  db = await createTestDatabase();
  nats = await createTestNats();
  master = await startPoolMasterProcess(db.url, nats);
  sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  for (const [method, path, body] of SETUP) {
    const response = await fetch(`${master.base}${path}`, {
      method,
      headers: JSON_HEADERS,
      body: json(body),
    });
    expect(response.status, `${method} ${path}: ${await response.text()}`).toBeLessThan(300);
  }
  logRows = await countRows();
}, 60_000);

afterAll(async () => {
  killStarted();
  await sql?.end();
  await nats?.close();
  await db?.drop();
});

describe('fuzzed commands', () => {
  it('the templates are valid commands: only the generated defects are refused', () => {
    expect(TEMPLATES.length).toBeGreaterThanOrEqual(30);
    const types = new Set(TEMPLATES.map((t) => t.type));
    // Every command of the domain has a template (RequestMigration's steps over NATS only).
    expect(types.size).toBe(39);
  });

  // A request line over Node's 16 KB header limit is refused by Node's HTTP parser (431) before
  // Fastify routes it; runHttpApp's clientErrorHandler answers it in the API's shape.
  it('answers a URL over the header limit in the API error shape (431)', async () => {
    const { status, text } = await send({
      what: 'long URL',
      method: 'DELETE',
      path: `${P}/vms/${'x'.repeat(20_000)}`,
      headers: {},
    });
    expect(status).toBe(431);
    expect(refusedOverRest(status, text)).toBeUndefined();
  });

  it(`refuses ${REST_RUNS} generated bad REST requests with a 4xx, writing nothing`, async () => {
    const codes = new Map<string, number>();
    const started = performance.now();
    logRows = await countRows();
    await fc.assert(
      fc.asyncProperty(
        fc.noShrink(restCase),
        checked(async (c: RestCase) => {
          const { status, text } = await send(c);
          const problem = refusedOverRest(status, text);
          if (problem)
            return `${problem}: ${c.method} ${c.path.slice(0, 200)} → ${text.slice(0, 300)}`;
          const code = (JSON.parse(text) as { code: string }).code;
          codes.set(code, (codes.get(code) ?? 0) + 1);
          return undefined;
        }),
      ),
      { numRuns: REST_RUNS },
    );
    await assertHealthy();
    expect(await countRows()).toBe(logRows);
    console.log(
      `fuzz REST: ${REST_RUNS} cases in ${((performance.now() - started) / 1000).toFixed(1)} s, ` +
        `all 4xx; codes: ${summary(codes)}`,
    );
  }, 300_000);

  it(`refuses ${NATS_RUNS} generated bad NATS command requests with typed errors`, async () => {
    const codes = new Map<string, number>();
    const started = performance.now();
    logRows = await countRows();
    await fc.assert(
      fc.asyncProperty(
        fc.noShrink(natsCase),
        checked(async (c: NatsCase) => {
          let reply: CommandReply;
          try {
            const msg = await nats.nc.request(c.subject, c.payload, { timeout: 30_000 });
            reply = msg.json<CommandReply>();
          } catch (error) {
            const name = (error as Error).name;
            if (c.unrouted && isNoResponders(error)) {
              codes.set('(no responders)', (codes.get('(no responders)') ?? 0) + 1);
              return undefined;
            }
            return `${name}: ${(error as Error).message} on ${c.subject}`;
          }
          if (c.unrouted) return `answered on an unrouted subject: ${JSON.stringify(reply)}`;
          const problem = refusedOverNats(reply);
          if (problem) return `${problem}: ${c.subject} → ${JSON.stringify(reply).slice(0, 300)}`;
          const code = (reply as { error: { code: string } }).error.code;
          codes.set(code, (codes.get(code) ?? 0) + 1);
          return undefined;
        }),
      ),
      { numRuns: NATS_RUNS },
    );
    await assertHealthy();
    expect(await countRows()).toBe(logRows);
    console.log(
      `fuzz NATS: ${NATS_RUNS} cases in ${((performance.now() - started) / 1000).toFixed(1)} s, ` +
        `all refused; codes: ${summary(codes)}`,
    );
  }, 300_000);
});

const isNoResponders = (error: unknown): boolean =>
  (error as Error).name === 'NoRespondersError' ||
  (error as { isNoResponders?: () => boolean }).isNoResponders?.() === true;

const summary = (codes: Map<string, number>) =>
  [...codes.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([code, n]) => `${code} ${n}`)
    .join(', ');
