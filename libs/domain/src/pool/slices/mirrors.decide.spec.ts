import { describe, it } from 'vitest';
import type { CreateMirror } from '../pool.commands.js';
import { cmd, ev, given, lab, vifCreated } from '../testing/pool.fixtures.js';

const base = [
  ...lab,
  vifCreated('vif1', 'vm1', 'lan'),
  vifCreated('tap', 'vm1', 'priv', { device: 1 }),
];
const mirror = (data: Partial<CreateMirror['data']> = {}) =>
  cmd('CreateMirror', {
    mirrorId: 'm1',
    source: { kind: 'vif', vifId: 'vif1' },
    direction: 'both',
    destinationVifId: 'tap',
    ...data,
  });
const created = ev('MirrorCreated', {
  mirrorId: 'm1',
  source: { kind: 'vif', vifId: 'vif1' },
  direction: 'both',
  destinationVifId: 'tap',
});

describe('CreateMirror', () => {
  it('mirrors a VIF to another VIF', () => {
    given(base).when(mirror()).then([created]);
  });

  it('mirrors a network to a VIF outside it', () => {
    given(base)
      .when(mirror({ source: { kind: 'network', networkId: 'lan' }, direction: 'ingress' }))
      .then([
        ev('MirrorCreated', {
          mirrorId: 'm1',
          source: { kind: 'network', networkId: 'lan' },
          direction: 'ingress',
          destinationVifId: 'tap',
        }),
      ]);
  });

  it.each([
    ['a VIF to itself', { destinationVifId: 'vif1' }, 'MIRROR_LOOP'],
    [
      'a network to one of its VIFs',
      { source: { kind: 'network', networkId: 'priv' } },
      'MIRROR_LOOP',
    ],
    ['an unknown source', { source: { kind: 'vif', vifId: 'nope' } }, 'VIF_NOT_FOUND'],
    [
      'an unknown source network',
      { source: { kind: 'network', networkId: 'nope' } },
      'NETWORK_NOT_FOUND',
    ],
    ['an unknown destination', { destinationVifId: 'nope' }, 'VIF_NOT_FOUND'],
    ['an unknown direction', { direction: 'sideways' as never }, 'INVALID_OPTION'],
    ['a bad id', { mirrorId: 'm 1' }, 'INVALID_ID'],
  ] as const)('refuses %s', (_, data, code) => {
    given(base).when(mirror(data)).then(code);
  });

  it('refuses an id in use', () => {
    given([...base, created])
      .when(mirror())
      .then('MIRROR_EXISTS');
  });
});

describe('DeleteMirror', () => {
  it('deletes the mirror', () => {
    given([...base, created])
      .when(cmd('DeleteMirror', { mirrorId: 'm1' }))
      .then([ev('MirrorDeleted', { mirrorId: 'm1' })]);
  });

  it('refuses an unknown mirror', () => {
    given(base)
      .when(cmd('DeleteMirror', { mirrorId: 'm1' }))
      .then('MIRROR_NOT_FOUND');
  });
});
