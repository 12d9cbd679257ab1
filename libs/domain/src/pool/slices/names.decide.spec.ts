import { describe, expect, it } from 'vitest';
import { poolDecider } from '../pool.decider.js';
import { nameKey } from '../pool.state.js';
import {
  checkIndexes,
  cmd,
  ev,
  given,
  hostJoined,
  lab,
  poolCreated,
  privateNetwork,
} from '../testing/pool.fixtures.js';

/** Names that read as something else, or as nothing: each holds a Unicode format character. */
const deceiving = [
  ['a zero-width space', 'pro\u200Bd'],
  ['a zero-width joiner', 'pro\u200Dd'],
  ['a zero-width non-joiner', 'pro\u200Cd'],
  ['a right-to-left override', 'evil\u202Egnp.exe'],
  ['a left-to-right isolate', '\u2066prod'],
  ['a soft hyphen', 'pro\u00ADd'],
  ['a zero-width no-break space (BOM)', 'pro\uFEFFd'],
  ['a word joiner', 'pro\u2060d'],
  ['only invisible characters', '\u200B\u200C\u200D'],
] as const;

const network = (networkId: string, name: string) =>
  ev('NetworkCreated', { networkId, name, purpose: 'vm', mtu: 1500, kind: 'private' });
const addressSet = (addressSetId: string, name: string) =>
  ev('AddressSetCreated', { addressSetId, name, cidrs: [] });
const group = (groupId: string, name: string) =>
  ev('SecurityGroupCreated', { groupId, name, defaultPolicy: 'deny' });

describe('names refuse format characters (INVALID_NAME)', () => {
  const commands = (name: string) =>
    [
      [[], cmd('CreatePool', { poolId: 'p1', name })],
      [lab, cmd('RenamePool', { name })],
      [
        [poolCreated],
        cmd('JoinHost', {
          hostId: 'h9',
          name,
          address: '10.0.0.9',
          pifs: [
            { device: 'eth0', mac: '00:16:3e:00:00:09', mtu: 1500, speedMbps: 1000, carrier: true },
          ],
          managementDevice: 'eth0',
        }),
      ],
      [lab, cmd('CreateNetwork', { networkId: 'n9', name, purpose: 'vm', kind: 'private' })],
      [lab, cmd('UpdateNetwork', { networkId: 'lan', name })],
      [lab, cmd('CreateVm', { vmId: 'vm9', name })],
      [lab, cmd('RenameVm', { vmId: 'vm1', name })],
      [lab, cmd('CreateAddressSet', { addressSetId: 'as9', name, cidrs: [] })],
      [lab, cmd('CreateSecurityGroup', { groupId: 'sg9', name })],
    ] as const;

  it.each(deceiving)('refuses %s in every name a command sets', (_, name) => {
    for (const [events, command] of commands(name)) {
      given([...events])
        .when(command)
        .then('INVALID_NAME');
    }
  });

  it('still takes names in any script, with accents, spaces and symbols', () => {
    for (const name of ['Prod net', 'réseau-é', 'сеть', 'ネットワーク', 'שרת', 'lab #2 (old)']) {
      given(lab)
        .when(cmd('CreateNetwork', { networkId: 'n9', name, purpose: 'vm', kind: 'private' }))
        .then([network('n9', name)]);
    }
  });

  it('replays older events whose names hold them, so the log keeps loading', () => {
    const old = [
      ev('PoolCreated', { poolId: 'p1', name: '\u202Elab', createdAt: '2025-01-01T00:00:00Z' }),
      network('n1', 'pro\u200Bd'),
      ev('VmCreated', { vmId: 'vm1', name: '\u200B' }),
      group('sg1', 'web\u200D'),
    ];
    let state = poolDecider.initialState();
    for (const event of old) state = poolDecider.evolve(state, event);
    expect(state.networks.get('n1')?.name).toBe('pro\u200Bd');
    checkIndexes(state);
    // …and such an old name still holds its look-alike without the invisible character.
    given(old)
      .when(cmd('CreateNetwork', { networkId: 'n2', name: 'prod', purpose: 'vm', kind: 'private' }))
      .then('NETWORK_NAME_IN_USE');
  });
});

describe('name uniqueness compares NFKC and case-folded forms', () => {
  it.each([
    ['fullwidth letters', 'ｐｒｏｄ'],
    ['upper case', 'PROD'],
    ['a ligature (ﬁ is fi)', 'ﬁnance'],
    ['sharp s against double s', 'STRASSE'],
    ['a circled letter', 'ⓟrod'],
    ['mathematical bold letters', '𝐩𝐫𝐨𝐝'],
    ['a composed against a decomposed accent', 'cafe\u0301'],
  ])('%s collide', (_, name) => {
    const holder =
      name === 'ﬁnance'
        ? 'finance'
        : name === 'STRASSE'
          ? 'straße'
          : name === 'cafe\u0301'
            ? 'café'
            : 'prod';
    expect(nameKey(name)).toBe(nameKey(holder));
    const base = [...lab, network('n1', holder), addressSet('as1', holder), group('sg1', holder)];
    given(base)
      .when(cmd('CreateNetwork', { networkId: 'n2', name, purpose: 'vm', kind: 'private' }))
      .then('NETWORK_NAME_IN_USE');
    given(base)
      .when(cmd('UpdateNetwork', { networkId: 'priv', name }))
      .then('NETWORK_NAME_IN_USE');
    given(base)
      .when(cmd('CreateAddressSet', { addressSetId: 'as2', name, cidrs: [] }))
      .then('ADDRESS_SET_NAME_IN_USE');
    given(base)
      .when(cmd('CreateSecurityGroup', { groupId: 'sg2', name }))
      .then('SECURITY_GROUP_NAME_IN_USE');
  });

  it('lets a network take a look-alike of its own name', () => {
    given([...lab, network('n1', 'prod')])
      .when(cmd('UpdateNetwork', { networkId: 'n1', name: 'ＰＲＯＤ' }))
      .then([ev('NetworkRenamed', { networkId: 'n1', name: 'ＰＲＯＤ' })]);
  });

  it('keeps names that only look alike to people, not to Unicode, apart', () => {
    // Latin "prod" and Cyrillic "р" are different letters; NFKC does not join scripts.
    given([...lab, network('n1', 'prod')])
      .when(cmd('CreateNetwork', { networkId: 'n2', name: 'рrod', purpose: 'vm', kind: 'private' }))
      .then([network('n2', 'рrod')]);
  });

  it('keeps a name taken while any old look-alike holding it stands, in replay and snapshot', () => {
    // Recorded before the key grew: two networks whose names now share a key.
    const old = [poolCreated, hostJoined('h1'), network('n2', 'ｐｒｏｄ'), network('n1', 'prod')];
    const create = cmd('CreateNetwork', {
      networkId: 'n3',
      name: 'Prod',
      purpose: 'vm',
      kind: 'private',
    });
    given(old).when(create).then('NETWORK_NAME_IN_USE');
    given([...old, ev('NetworkDestroyed', { networkId: 'n1' })])
      .when(create)
      .then('NETWORK_NAME_IN_USE');
    given([...old, ev('NetworkRenamed', { networkId: 'n2', name: 'other' })])
      .when(create)
      .then('NETWORK_NAME_IN_USE');
    given([...old, privateNetwork('x'), ev('NetworkDestroyed', { networkId: 'n1' })])
      .when(cmd('DestroyNetwork', { networkId: 'n2' }))
      .then([ev('NetworkDestroyed', { networkId: 'n2' })]);
    given([
      ...old,
      ev('NetworkDestroyed', { networkId: 'n1' }),
      ev('NetworkDestroyed', { networkId: 'n2' }),
    ])
      .when(create)
      .then([network('n3', 'Prod')]);
  });

  it('frees an old look-alike address set or group name only when the last one goes', () => {
    const old = [...lab, addressSet('b', 'ｏｆｆｉｃｅ'), addressSet('a', 'office')];
    const create = cmd('CreateAddressSet', { addressSetId: 'c', name: 'OFFICE', cidrs: [] });
    given([...old, ev('AddressSetDeleted', { addressSetId: 'a' })])
      .when(create)
      .then('ADDRESS_SET_NAME_IN_USE');
    given([
      ...old,
      ev('AddressSetDeleted', { addressSetId: 'a' }),
      ev('AddressSetDeleted', { addressSetId: 'b' }),
    ])
      .when(create)
      .then([addressSet('c', 'OFFICE')]);
    const groups = [...lab, group('sg2', 'web\u200B'), group('sg1', 'web')];
    given([...groups, ev('SecurityGroupDeleted', { groupId: 'sg1' })])
      .when(cmd('CreateSecurityGroup', { groupId: 'sg3', name: 'Web' }))
      .then('SECURITY_GROUP_NAME_IN_USE');
  });
});
