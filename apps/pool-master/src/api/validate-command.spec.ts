import { describe, expect, it } from 'vitest';
import { CommandError } from '../commands/command-errors.js';
import { type COMMAND_SCHEMAS } from './command-schemas/command-schemas.js';
import { assertPoolId, validateCommand } from './validate-command.js';

const refusal = (type: string, data: unknown): CommandError => {
  try {
    validateCommand(type, data);
  } catch (error) {
    if (error instanceof CommandError) return error;
    throw error;
  }
  throw new Error(`${type} was accepted`);
};

const pif = { device: 'eth0', mac: '52:54:00:00:00:01', mtu: 1500, speedMbps: 1000, carrier: true };
const host = {
  hostId: 'host-a',
  name: 'a',
  address: '192.0.2.1',
  pifs: [pif],
  managementDevice: 'eth0',
};
const acl = {
  ruleId: 'r1',
  scope: { kind: 'network', networkId: 'n1' },
  direction: 'to-vm',
  priority: 100,
  match: { protocol: 'tcp', cidr: '10.0.0.0/8', portFrom: 22, portTo: null },
  action: 'allow',
};
const qos = { ingressKbps: 1, ingressBurstKb: 2, egressKbps: 3, egressBurstKb: 4 };

/** One valid example of every command: the table must cover them all. */
const VALID: Record<keyof typeof COMMAND_SCHEMAS, Record<string, unknown>[]> = {
  CreatePool: [{ poolId: 'lab-1', name: 'Lab' }],
  RenamePool: [{ name: 'Lab 2' }],
  JoinHost: [host],
  EnableHost: [{ hostId: 'host-a' }],
  DisableHost: [{ hostId: 'host-a' }],
  EjectHost: [{ hostId: 'host-a' }],
  RecordNetworkRollback: [{ hostId: 'h1', refusedVersion: 5, heldVersion: 4, reason: 'cut off' }],
  ResetHostNetworking: [{ hostId: 'h1' }],
  SetPifRole: [{ hostId: 'host-a', device: 'eth1', role: 'storage' }],
  SetPifMtu: [{ hostId: 'host-a', device: 'eth1', mtu: 9000 }],
  SetTunnelEndpoint: [
    { hostId: 'host-a', device: 'eth1', address: '192.0.2.11' },
    { hostId: 'host-a', device: null, address: null },
  ],
  ConfigureHostInterface: [
    {
      hostId: 'host-a',
      name: 'mgmt0',
      purpose: 'management',
      device: 'bond0',
      vlan: 20,
      placement: 'internal',
      ipv4: { mode: 'static', address: '192.0.2.11/24', gateway: '192.0.2.1' },
      ipv6: { mode: 'autoconf' },
      dns: ['192.0.2.53'],
    },
    { hostId: 'host-a', name: 'eth2', purpose: 'storage', device: 'eth2', ipv4: { mode: 'dhcp' } },
  ],
  RemoveHostInterface: [{ hostId: 'host-a', name: 'stor0' }],
  CreateBond: [
    { bondId: 'b', hostId: 'h', device: 'bond0', members: ['eth1', 'eth2'], mode: 'lacp' },
  ],
  DestroyBond: [{ bondId: 'b' }],
  CreateNetwork: [
    { networkId: 'n1', name: 'ext', purpose: 'vm', kind: 'external', device: 'eth1', vlan: 100 },
    {
      networkId: 'n2',
      name: 'ext',
      purpose: 'vm',
      kind: 'external',
      device: 'eth1',
      vlan: null,
      mtu: 9000,
    },
    { networkId: 'n3', name: 'priv', purpose: 'vm', kind: 'private' },
    { networkId: 'n4', name: 'over', purpose: 'vm', kind: 'overlay', mtu: 1400 },
  ],
  UpdateNetwork: [{ networkId: 'n1' }, { networkId: 'n1', name: 'x', mtu: 1400 }],
  DestroyNetwork: [{ networkId: 'n1' }],
  CreateVm: [{ vmId: 'vm1', name: 'web' }],
  RenameVm: [{ vmId: 'vm1', name: 'web' }],
  StartVm: [{ vmId: 'vm1', hostId: 'host-a' }],
  StopVm: [{ vmId: 'vm1' }],
  DestroyVm: [{ vmId: 'vm1' }],
  CreateVif: [
    { vifId: 'v1', vmId: 'vm1', device: 0, networkId: 'n1' },
    {
      vifId: 'v2',
      vmId: 'vm1',
      device: 15,
      networkId: 'n1',
      mac: null,
      ipv4: '192.0.2.9',
      ipv6: null,
      qos,
      portSecurity: true,
    },
  ],
  UpdateVif: [
    { vifId: 'v1', ipv4: null, qos: null },
    { vifId: 'v1', qos, portSecurity: false },
  ],
  DestroyVif: [{ vifId: 'v1' }],
  CreateAclRule: [
    acl,
    { ...acl, scope: { kind: 'vif', vifId: 'v1' }, match: { protocol: 'any' } },
    // reject passes the schema so that the domain refuses it with ACL_REJECT_UNSUPPORTED.
    { ...acl, action: 'reject' },
    { ...acl, direction: 'from-vm', stateless: true },
    // So do the old direction words, for the domain's ACL_DIRECTION_RENAMED and its mapping.
    { ...acl, direction: 'ingress' },
    { ...acl, direction: 'egress' },
    {
      ...acl,
      scope: { kind: 'group', groupId: 'web' },
      match: { protocol: 'tcp', addressSetId: 'office', remoteGroupId: null },
    },
    // Two remotes pass the schema so that the domain refuses them with INVALID_MATCH.
    { ...acl, match: { protocol: 'any', cidr: '10.0.0.0/8', remoteGroupId: 'db' } },
  ],
  DeleteAclRule: [{ ruleId: 'r1' }],
  CreateAddressSet: [
    { addressSetId: 's', name: 'office', cidrs: ['10.0.0.0/8', '2001:db8::1'] },
    { addressSetId: 's', name: 'empty', cidrs: [] },
    // Over the decider's bound: its ADDRESS_SET_TOO_LARGE, not a shape error.
    {
      addressSetId: 's',
      name: 'big',
      cidrs: Array.from({ length: 300 }, (_, i) => `10.1.${i % 256}.${i >> 8}`),
    },
  ],
  UpdateAddressSet: [{ addressSetId: 's', cidrs: ['192.0.2.0/24'] }],
  DeleteAddressSet: [{ addressSetId: 's' }],
  CreateSecurityGroup: [
    { groupId: 'g', name: 'web' },
    { groupId: 'g', name: 'web', defaultPolicy: 'allow' },
  ],
  SetSecurityGroupPolicy: [{ groupId: 'g', defaultPolicy: 'deny' }],
  AddSecurityGroupMember: [{ groupId: 'g', vifId: 'v1' }],
  RemoveSecurityGroupMember: [{ groupId: 'g', vifId: 'v1' }],
  DeleteSecurityGroup: [{ groupId: 'g' }],
  SetNetworkAclDefault: [{ networkId: 'n1', defaultPolicy: 'deny' }],
  CreateMirror: [
    {
      mirrorId: 'm',
      source: { kind: 'vif', vifId: 'v1' },
      direction: 'both',
      destinationVifId: 'v2',
    },
  ],
  DeleteMirror: [{ mirrorId: 'm' }],
  RequestMigration: [
    { migrationId: 'mig', vmId: 'vm1', toHostId: 'host-b' },
    { migrationId: 'mig', vmId: 'vm1', toHostId: 'host-b', acceptIsolation: true },
  ],
  PrepareMigration: [{ migrationId: 'mig' }],
  ActivateMigration: [{ migrationId: 'mig' }],
  CompleteMigration: [{ migrationId: 'mig' }],
  AbortMigration: [{ migrationId: 'mig', reason: 'target lost' }],
};

describe('validateCommand', () => {
  it.each(Object.entries(VALID).flatMap(([type, cases]) => cases.map((data) => [type, data])))(
    'accepts a valid %s',
    (type, data) => {
      expect(() => validateCommand(type as string, data)).not.toThrow();
    },
  );

  it('leaves ranges and formats to the decider', () => {
    // VLAN 0, MTU 67, a malformed MAC and an empty name are the decider's to refuse, with its codes.
    expect(() =>
      validateCommand('CreateNetwork', {
        networkId: 'n',
        name: '',
        purpose: 'vm',
        kind: 'external',
        device: 'eth1',
        vlan: 0,
        mtu: 67,
      }),
    ).not.toThrow();
    expect(() =>
      validateCommand('CreateVif', {
        vifId: 'v',
        vmId: 'vm',
        device: 16,
        networkId: 'n',
        mac: 'zz',
      }),
    ).not.toThrow();
  });

  it('refuses an unknown command', () => {
    const error = refusal('FormatDisk', {});
    expect(error).toMatchObject({ status: 400, code: 'UNKNOWN_COMMAND' });
    expect(error.message).toContain('FormatDisk');
  });

  it('refuses a command named after an Object.prototype member', () => {
    expect(refusal('toString', {}).code).toBe('UNKNOWN_COMMAND');
  });

  it.each([
    ['an array', []],
    ['a string', 'vm1'],
    ['a number', 42],
    ['null', null],
    ['nothing', undefined],
  ])('refuses data that is %s', (what, data) => {
    const error = refusal('CreateVm', data);
    expect(error).toMatchObject({ status: 400, code: 'BODY_NOT_OBJECT' });
    expect(error.message).toBe(`The data of CreateVm must be a JSON object, not ${what}.`);
  });

  it('names every bad field in the message and in details', () => {
    const error = refusal('CreateVm', { vmId: 'bad id', name: 7, colour: 'red' });
    expect(error).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(error.details?.fields).toEqual(expect.arrayContaining(['vmId', 'name', 'colour']));
    expect(error.message).toMatch(/^The CreateVm data is invalid: /);
    expect(error.message).toContain('name must be a string');
    expect(error.message).toContain('colour is not a known field');
    expect(error.message).toContain("vmId must be 1–64 letters, digits, '_' or '-'");
  });

  it('reports a missing field as required, once', () => {
    const error = refusal('StartVm', { vmId: 'vm1' });
    expect(error.details).toEqual({
      fields: ['hostId'],
      problems: [{ field: 'hostId', message: 'is required' }],
    });
  });

  it.each([
    [
      'CreateVif',
      { vifId: 'v', vmId: 'vm', device: '0', networkId: 'n' },
      'device',
      'must be an integer',
    ],
    [
      'CreateVif',
      { vifId: 'v', vmId: 'vm', device: 1.5, networkId: 'n' },
      'device',
      'must be an integer',
    ],
    [
      'CreateVif',
      { vifId: 'v', vmId: 'vm', device: 0, networkId: 'n', mac: 5 },
      'mac',
      'must be a string',
    ],
    [
      'CreateVif',
      { vifId: 'v', vmId: 'vm', device: 0, networkId: 'n', portSecurity: 'yes' },
      'portSecurity',
      'must be true or false',
    ],
    [
      'CreateVif',
      { vifId: 'v', vmId: 'vm', device: 0, networkId: 'n', portSecurity: null },
      'portSecurity',
      'must be true or false',
    ],
    [
      'CreateVif',
      { vifId: 'v', vmId: 'vm', device: 0, networkId: 'n', qos: { ...qos, egressKbps: '1' } },
      'qos.egressKbps',
      'must be an integer',
    ],
    [
      'CreateVif',
      { vifId: 'v', vmId: 'vm', device: 0, networkId: 'n', qos: 'fast' },
      'qos',
      'must be an object',
    ],
    ['UpdateNetwork', { networkId: 'n', mtu: null }, 'mtu', 'must be an integer'],
    [
      'JoinHost',
      { ...host, pifs: [{ ...pif, carrier: 'up' }] },
      'pifs[0].carrier',
      'must be true or false',
    ],
    [
      'JoinHost',
      { ...host, pifs: [pif, { ...pif, extra: 1 }] },
      'pifs[1].extra',
      'is not a known field',
    ],
    ['JoinHost', { ...host, pifs: ['eth0'] }, 'pifs', 'must hold objects'],
    ['JoinHost', { ...host, pifs: pif }, 'pifs', 'must be a list'],
    [
      'CreateBond',
      { bondId: 'b', hostId: 'h', device: 'bond0', members: ['eth1', 2], mode: 'lacp' },
      'members',
      'must hold strings',
    ],
    [
      'CreateBond',
      { bondId: 'b', hostId: 'h', device: 'bond0', members: ['eth1', 'eth2'], mode: 'raid' },
      'mode',
      'must be one of active-backup, balance-slb, lacp',
    ],
    [
      'CreatePool',
      { poolId: 'Lab', name: 'x' },
      'poolId',
      "must be 1–63 lowercase letters, digits or '-', starting with a letter or digit",
    ],
    [
      'CreatePool',
      { poolId: 'a.b', name: 'x' },
      'poolId',
      "must be 1–63 lowercase letters, digits or '-', starting with a letter or digit",
    ],
    [
      'CreateVm',
      { vmId: 'x'.repeat(65), name: 'x' },
      'vmId',
      "must be 1–64 letters, digits, '_' or '-', starting with a letter or digit",
    ],
    [
      'CreateVm',
      { vmId: 'v', name: 'x'.repeat(1_000_000) },
      'name',
      'must be at most 256 characters',
    ],
    [
      'CreateNetwork',
      { networkId: 'n', name: 'x', purpose: 'vm', kind: 'private', device: 'eth1' },
      'device',
      'is not a known field',
    ],
    [
      'CreateNetwork',
      { networkId: 'n', name: 'x', purpose: 'vm', kind: 'external' },
      'device',
      'is required',
    ],
    [
      'CreateNetwork',
      { networkId: 'n', name: 'x', purpose: 'vm', kind: 'geneve' },
      'kind',
      'must be one of external, private, overlay',
    ],
    [
      'CreateNetwork',
      { networkId: 'n', name: 'x', purpose: 'vm', kind: 'external', device: 'eth1', vlan: '100' },
      'vlan',
      'must be an integer',
    ],
    [
      'CreateAclRule',
      { ...acl, scope: { kind: 'host', hostId: 'h' } },
      'scope.kind',
      'must be one of network, vif, group',
    ],
    [
      'CreateAclRule',
      { ...acl, scope: { kind: 'group', vifId: 'v1' } },
      'scope.groupId',
      'is required',
    ],
    [
      'CreateAclRule',
      { ...acl, match: { protocol: 'any', addressSetId: 'bad id' } },
      'match.addressSetId',
      "must be 1–64 letters, digits, '_' or '-', starting with a letter or digit",
    ],
    [
      'CreateAclRule',
      { ...acl, match: { protocol: 'any', remoteGroupId: 7 } },
      'match.remoteGroupId',
      'must be a string',
    ],
    ['CreateAddressSet', { addressSetId: 's', name: 'x' }, 'cidrs', 'is required'],
    [
      'CreateAddressSet',
      { addressSetId: 's', name: 'x', cidrs: '10.0.0.0/8' },
      'cidrs',
      'must be a list',
    ],
    ['UpdateAddressSet', { addressSetId: 's', cidrs: [10] }, 'cidrs', 'must hold strings'],
    [
      'UpdateAddressSet',
      { addressSetId: 's', cidrs: Array.from({ length: 1025 }, () => '10.0.0.1') },
      'cidrs',
      'must have at most 1024 items',
    ],
    [
      'CreateSecurityGroup',
      { groupId: 'g', name: 'web', defaultPolicy: 'reject' },
      'defaultPolicy',
      'must be one of allow, deny',
    ],
    [
      'CreateSecurityGroup',
      { groupId: 'g', name: 'web', defaultPolicy: null },
      'defaultPolicy',
      'must be one of allow, deny',
    ],
    ['SetSecurityGroupPolicy', { groupId: 'g' }, 'defaultPolicy', 'is required'],
    ['AddSecurityGroupMember', { groupId: 'g' }, 'vifId', 'is required'],
    [
      'SetNetworkAclDefault',
      { networkId: 'n1', defaultPolicy: 'drop' },
      'defaultPolicy',
      'must be one of allow, deny',
    ],
    [
      'CreateAclRule',
      { ...acl, scope: { kind: 'vif', networkId: 'n1' } },
      'scope.vifId',
      'is required',
    ],
    ['CreateAclRule', { ...acl, scope: 'n1' }, 'scope', 'must be an object'],
    ['CreateAclRule', { ...acl, priority: 1e3 + 0.5 }, 'priority', 'must be an integer'],
    [
      'CreateAclRule',
      { ...acl, match: { ...acl.match, portTo: '80' } },
      'match.portTo',
      'must be an integer',
    ],
    ['CreateAclRule', { ...acl, match: undefined }, 'match', 'is required'],
    ['CreateAclRule', { ...acl, stateless: 'yes' }, 'stateless', 'must be true or false'],
    ['CreateAclRule', { ...acl, stateless: null }, 'stateless', 'must be true or false'],
    [
      'CreateMirror',
      {
        mirrorId: 'm',
        source: { kind: 'vif', vifId: 'v1', extra: true },
        direction: 'both',
        destinationVifId: 'v2',
      },
      'source.extra',
      'is not a known field',
    ],
    ['AbortMigration', { migrationId: 'mig' }, 'reason', 'is required'],
  ])('refuses %s with %j at %s', (type, data, field, message) => {
    const error = refusal(type, data);
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.details?.problems).toContainEqual({ field, message });
  });

  it.each(['toString', 'valueOf', 'hasOwnProperty', '__lookupSetter__'])(
    'refuses a field named like an inherited Object key (%s)',
    (key) => {
      const data = { vmId: 'v', name: 'n', [key]: 1 };
      expect(() => validateCommand('CreateVm', data)).toThrow(/is not a known field/);
    },
  );

  it('refuses keys class-transformer would silently drop', () => {
    const data = JSON.parse('{"vmId":"v","name":"n","__proto__":{"admin":true}}');
    const error = refusal('CreateVm', data);
    expect(error.details?.problems).toEqual([
      { field: '__proto__', message: 'is not a known field' },
    ]);
    expect(refusal('CreateVm', { vmId: 'v', name: 'n', constructor: 1 }).code).toBe(
      'VALIDATION_FAILED',
    );
  });

  it('stops at documents nested too deeply', () => {
    let deep: unknown = {};
    for (let i = 0; i < 10_000; i++) deep = { a: deep };
    expect(refusal('CreateVm', { vmId: 'v', name: 'n', deep }).details?.problems).toEqual([
      { field: 'deep.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a', message: 'nests too deeply' },
    ]);
  });

  it('keeps long messages short and lists every problem in details', () => {
    const error = refusal('JoinHost', { a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7 });
    expect(error.message).toMatch(/\(and \d+ more\)\.$/);
    expect((error.details?.problems as unknown[]).length).toBeGreaterThan(7);
  });
});

describe('assertPoolId', () => {
  it.each([['lab'], ['a'], ['pool-1'], ['0'], ['a'.repeat(63)]])('accepts %s', (pool) => {
    expect(() => assertPoolId(pool)).not.toThrow();
  });

  it.each([['Lab'], ['lab.1'], ['lab*'], ['>'], ['-lab'], ['lab_1'], [''], ['a'.repeat(64)]])(
    'refuses %j',
    (pool) => {
      expect(() => assertPoolId(pool)).toThrow(
        expect.objectContaining({
          code: 'VALIDATION_FAILED',
          details: expect.objectContaining({ fields: ['pool'] }),
        }),
      );
    },
  );
});
