import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { digestByDefinition } from '../testing/digest-by-definition.js';
import { topology } from '../testing/topology-builder.js';
import { canonicalJson, digest, DIGEST_SCHEME, digestScheme } from './canonical.js';
import { desiredState } from './desired-state.js';
import type { HostSwitchState, TunnelPort } from './host-state.js';
import { NameCollisionError, NameGroup, NameRegistry } from './naming.js';

const build = () =>
  topology()
    .host('h1')
    .external('a', 'eth0', 10)
    .external('b', 'eth0', 20)
    .vm('vm1', 'h1')
    .vif('v1', 'vm1', 'a', { ipv4: '10.0.0.1' })
    .vif('v2', 'vm1', 'b')
    .acl('x', { networkId: 'a' }, { priority: 5 })
    .acl('y', { networkId: 'a' }, { priority: 5 });

/** Three hosts on one overlay network with a VM each: h1's bridge holds a mesh of two tunnels. */
const overlayPool = (mtu = 1450) => {
  const t = topology().overlay('o', 7, mtu);
  for (const [i, host] of ['h1', 'h2', 'h3'].entries()) {
    t.host(host)
      .tunnel(host, `192.168.9.${i + 1}`)
      .vm(`vm-${host}`, host);
    t.vif(`v-${host}`, `vm-${host}`, 'o');
  }
  return t.build();
};
describe('digest', () => {
  it('hashes each tunnel mesh apart, remembered by its array, and the state around it', () => {
    const first = desiredState(overlayPool(), 'h1');
    expect(first.bridges[0]!.tunnels).toHaveLength(2);
    expect(digest(first)).toBe(digestByDefinition(first));
    // The same mesh again (the same array, its hash remembered) under a changed bridge.
    const next = desiredState(overlayPool(1400), 'h1');
    expect(next.bridges[0]!.tunnels).toBe(first.bridges[0]!.tunnels);
    expect(digest(next)).toBe(digestByDefinition(next));
    expect(digest(next)).not.toBe(digest(first));
  });

  it('changes with any tunnel of a mesh, and not with the array that holds it', () => {
    const state = desiredState(overlayPool(), 'h1');
    const bridge = state.bridges[0]!;
    const withMesh = (tunnels: TunnelPort[]): HostSwitchState => ({
      ...state,
      bridges: [{ ...bridge, tunnels }],
    });
    const tunnels = bridge.tunnels!;
    expect(digest(state)).toBe(digest(withMesh(tunnels.map((t) => ({ ...t })))));
    const moved = tunnels.map((t, i) => (i === 1 ? { ...t, remoteIp: '192.168.9.99' } : t));
    expect(digest(withMesh(moved))).not.toBe(digest(state));
    expect(digest(withMesh(moved))).toBe(digestByDefinition(withMesh(moved)));
    expect(digest(withMesh(tunnels.slice(1)))).not.toBe(digest(state));
  });

  it('is the definition for any number of meshes, new or remembered', () => {
    const tunnel = fc.record({
      name: fc.string({ maxLength: 6 }),
      remoteHost: fc.string({ maxLength: 4 }),
      remoteIp: fc.constantFrom('192.0.2.1', '192.0.2.2'),
      localIp: fc.constant('192.0.2.9'),
      vni: fc.nat(9),
    });
    const base = desiredState(build().build(), 'h1');
    const meshes = fc.array(fc.array(tunnel, { maxLength: 5 }), { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(meshes, fc.string({ maxLength: 8 }), (tunnelSets, networkId) => {
        const state: HostSwitchState = {
          ...base,
          bridges: tunnelSets.map((tunnels, i) => ({
            ...base.bridges[0]!,
            name: `b${i}`,
            networkId: i === 0 ? networkId : `n${i}`,
            tunnels,
          })),
        };
        expect(digest(state)).toBe(digestByDefinition(state));
        // Again, every mesh's hash now remembered (normalizeState hands on the same arrays).
        expect(digest(state)).toBe(digestByDefinition(state));
      }),
    );
  });

  it('names its scheme, so digests of two schemes are never taken for drift', () => {
    const value = digest(desiredState(overlayPool(), 'h1'));
    expect(value).toMatch(/^v2:[0-9a-f]{64}$/);
    expect(DIGEST_SCHEME).toBe('v2');
    expect(digestScheme(value)).toBe(DIGEST_SCHEME);
    // Scheme 1 was bare hex: what a host not yet upgraded reports.
    expect(digestScheme(value.slice(3))).toBe('v1');
  });

  it('does not depend on the order of the topology lists', () => {
    const t = build().build();
    const shuffled = build()
      .edit((s) => {
        s.networks.reverse();
        s.vifs.reverse();
        s.acls.reverse();
      })
      .build();
    expect(digest(desiredState(shuffled, 'h1'))).toBe(digest(desiredState(t, 'h1')));
    expect(digest(desiredState(t, 'h1'))).toMatch(/^v2:[0-9a-f]{64}$/);
  });

  it('changes when anything the switch does changes', () => {
    const before = digest(desiredState(build().build(), 'h1'));
    const after = build()
      .edit((s) => {
        s.vifs[0]!.portSecurity = true;
      })
      .build();
    expect(digest(desiredState(after, 'h1'))).not.toBe(before);
  });

  // Keys like "0" a copy cannot sort (objects list integer keys first); no switch state has one.
  it('prints what JSON.stringify prints of a key-sorted copy, for any JSON-like value', () => {
    const sortedCopy = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(sortedCopy)
        : v !== null && typeof v === 'object'
          ? Object.fromEntries(
              Object.keys(v)
                .sort()
                .map((k) => [k, sortedCopy((v as Record<string, unknown>)[k])]),
            )
          : v;
    fc.assert(
      fc.property(
        fc.anything({
          key: fc.string().filter((k) => !/^(0|[1-9][0-9]*)$/.test(k)),
          withNullPrototype: false,
          withBigInt: false,
          withDate: false,
          withMap: false,
          withSet: false,
          withTypedArray: false,
          withSparseArray: true,
          withObjectString: false,
        }),
        (value) => {
          expect(canonicalJson(value)).toBe(JSON.stringify(sortedCopy(value)));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('prints keys sorted and leaves undefined members out', () => {
    expect(canonicalJson({ b: 1, a: { d: undefined, c: [2, { z: 1, y: 0 }] } })).toBe(
      '{"a":{"c":[2,{"y":0,"z":1}]},"b":1}',
    );
  });
});

describe('NameRegistry', () => {
  it('refuses one name for two owners, and accepts the same owner twice', () => {
    const names = new NameRegistry();
    names.claim('pnb-0123456789', 'network a');
    expect(names.claim('pnb-0123456789', 'network a')).toBe('pnb-0123456789');
    expect(() => names.claim('pnb-0123456789', 'network b')).toThrow(NameCollisionError);
  });

  const mesh = (network: string, ...names: string[]) =>
    new NameGroup(names.map((name, i) => [name, `tunnel ${network} to h${i}`] as const));
  const owners = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      if (error instanceof NameCollisionError) return error.owners;
      throw error;
    }
    return undefined;
  };

  it('checks a group of names against the names claimed before and after it', () => {
    const before = new NameRegistry();
    before.claim('ptn-b', 'vif x');
    expect(owners(() => before.claimGroup(mesh('n', 'ptn-a', 'ptn-b')))).toEqual([
      'vif x',
      'tunnel n to h1',
    ]);
    const after = new NameRegistry();
    after.claimGroup(mesh('n', 'ptn-a', 'ptn-b'));
    expect(owners(() => after.claim('ptn-a', 'vif y'))).toEqual(['tunnel n to h0', 'vif y']);
    expect(after.claim('ptn-b', 'tunnel n to h1')).toBe('ptn-b');
    expect(after.claim('ptn-c', 'vif y')).toBe('ptn-c');
  });

  it('checks groups against each other, whichever is larger, and within themselves', () => {
    const small = mesh('n', 'ptn-z');
    const large = mesh('m', 'ptn-a', 'ptn-b', 'ptn-z');
    const first = new NameRegistry();
    first.claimGroup(small);
    expect(owners(() => first.claimGroup(large))).toEqual(['tunnel n to h0', 'tunnel m to h2']);
    const second = new NameRegistry();
    second.claimGroup(large);
    expect(owners(() => second.claimGroup(small))).toEqual(['tunnel m to h2', 'tunnel n to h0']);
    // Checked once as a pair, and still refused in every registry that holds both.
    expect(owners(() => second.claimGroup(small))).toEqual(['tunnel m to h2', 'tunnel n to h0']);
    const apart = new NameRegistry();
    apart.claimGroup(mesh('n', 'ptn-a'));
    apart.claimGroup(mesh('m', 'ptn-b'));
    expect(owners(() => mesh('n', 'ptn-a', 'ptn-a'))).toEqual(['tunnel n to h0', 'tunnel n to h1']);
  });
});
