import { describe, expect, it } from 'vitest';
import type { CreateVif, UpdateVif } from '../pool.commands.js';
import type { PoolEvent } from '../pool.events.js';
import { cmd, ev, given, lab, vifCreated, vmCreated } from '../testing/pool.fixtures.js';

const MAC = '52:54:00:aa:bb:cc';
const create = (data: Partial<CreateVif['data']> = {}) =>
  cmd('CreateVif', { vifId: 'vif1', vmId: 'vm1', device: 0, networkId: 'lan', mac: MAC, ...data });
const update = (data: Partial<UpdateVif['data']>) => cmd('UpdateVif', { vifId: 'vif0', ...data });
const created = (data: Partial<Extract<PoolEvent, { type: 'VifCreated' }>['data']>) =>
  ev('VifCreated', {
    vifId: 'vif1',
    vmId: 'vm1',
    device: 0,
    networkId: 'lan',
    mac: MAC,
    macGenerated: false,
    ipv4: null,
    ipv6: null,
    extraIps: [],
    allowedPairs: [],
    qos: null,
    portSecurity: false,
    ...data,
  });
const withVif = [
  ...lab,
  vmCreated('vm2'),
  vifCreated('vif0', 'vm2', 'lan', { ipv4: '10.0.0.5', ipv6: '2001:db8::5' }),
];

const updated = {
  vifId: 'vif0',
  ipv4: '10.0.0.5',
  ipv6: '2001:db8::5',
  extraIps: [] as string[],
  allowedPairs: [] as { ip: string; mac: string | null }[],
  qos: null,
  portSecurity: false,
};

describe('VIF addresses: several per family, and allowed address pairs', () => {
  it('records further addresses and pairs canonical, sorted, without repeats', () => {
    given(lab)
      .when(
        create({
          ipv4: '10.0.0.1',
          extraIps: ['2001:DB8::7', '10.0.0.2', '10.0.0.2', '10.0.0.1'],
          allowedPairs: [
            { ip: '10.0.0.100', mac: '02:00:00:00:00:AA' },
            { ip: '10.0.0.99', mac: MAC },
            { ip: '10.0.0.99' },
          ],
        }),
      )
      .then([
        created({
          ipv4: '10.0.0.1',
          extraIps: ['10.0.0.2', '2001:db8::7'],
          allowedPairs: [
            { ip: '10.0.0.100', mac: '02:00:00:00:00:aa' },
            { ip: '10.0.0.99', mac: null },
          ],
        }),
      ]);
  });

  it('keeps every own address unique on the network, further ones included', () => {
    const taken = given(withVif)
      .when(create({ extraIps: ['10.0.0.5'] }))
      .then('IP_IN_USE');
    expect(taken.details).toMatchObject({ ip: '10.0.0.5', vifId: 'vif0' });
    const withExtra = [...withVif, ev('VifUpdated', { ...updated, extraIps: ['10.0.0.6'] })];
    given(withExtra)
      .when(create({ ipv4: '10.0.0.6' }))
      .then('IP_IN_USE');
  });

  it('lets VIFs share a pair (a VRRP VIP), even one that is another VIF address', () => {
    const vip = [{ ip: '10.0.0.100', mac: null }];
    const withPair = [...withVif, ev('VifUpdated', { ...updated, allowedPairs: vip })];
    given(withPair)
      .when(create({ allowedPairs: [{ ip: '10.0.0.100' }, { ip: '10.0.0.5' }] }))
      .then([
        created({
          allowedPairs: [
            { ip: '10.0.0.100', mac: null },
            { ip: '10.0.0.5', mac: null },
          ],
        }),
      ]);
  });

  it('frees the further addresses a VIF no longer lists', () => {
    const withExtra = [...withVif, ev('VifUpdated', { ...updated, extraIps: ['10.0.0.6'] })];
    const moved = given(withExtra).when(update({ extraIps: [] }));
    moved.then([ev('VifUpdated', updated)]);
    given([...withExtra, ev('VifUpdated', updated)])
      .when(create({ extraIps: ['10.0.0.6'] }))
      .then([created({ extraIps: ['10.0.0.6'] })]);
  });

  it('emits nothing when the lists are the same sets', () => {
    const withExtra = [...withVif, ev('VifUpdated', { ...updated, extraIps: ['10.0.0.6'] })];
    given(withExtra)
      .when(update({ extraIps: ['10.0.0.6', '10.0.0.6'] }))
      .then([]);
  });

  it.each([
    ['an IPv4-mapped ipv6', { ipv6: '::ffff:10.0.0.1' }],
    ['an IPv4-mapped ipv6 in hex', { ipv6: '::ffff:a00:1' }],
    ['an IPv4-compatible ipv6', { ipv6: '::10.0.0.1' }],
    ['an IPv4-mapped further address', { extraIps: ['::ffff:10.0.0.1'] }],
    ['an IPv4-mapped pair', { allowedPairs: [{ ip: '::ffff:10.0.0.1' }] }],
  ])('refuses %s with IPV4_EMBEDDED_IPV6', (_, data) => {
    given(lab).when(create(data)).then('IPV4_EMBEDDED_IPV6');
  });

  it('refuses malformed lists, pairs and too many entries', () => {
    given(lab)
      .when(create({ extraIps: ['nope'] }))
      .then('INVALID_IP');
    given(lab)
      .when(create({ allowedPairs: ['10.0.0.1'] as never }))
      .then('INVALID_ADDRESS_PAIR');
    given(lab)
      .when(create({ allowedPairs: [{ ip: '10.0.0.1', mac: 'ff:ff:ff:ff:ff:ff' }] }))
      .then('INVALID_MAC');
    const many = Array.from({ length: 9 }, (_, i) => `10.0.1.${i + 1}`);
    given(lab)
      .when(create({ extraIps: many }))
      .then('TOO_MANY_ADDRESSES');
  });
});
