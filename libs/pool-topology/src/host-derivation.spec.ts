import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isDomainError, poolDecider, type PoolCommand, type PoolEvent } from '@pool/domain';
import { canonicalJson, desiredState, digest } from '@pool/vswitch';
import { digestByDefinition } from '@pool/vswitch/testing';
import { HostDerivation, toTopology } from './index.js';
import { cmd, commands, decideAll, HOSTS, SEED } from './testing/random-pool.js';

const tunnelsTo = (derivation: HostDerivation, state: Parameters<HostDerivation['topology']>[0]) =>
  desiredState(derivation.topology(state), derivation.hostId)
    .bridges.flatMap((b) => b.tunnels ?? [])
    .map((t) => t.remoteHost);

describe('HostDerivation', () => {
  it('derives what the whole pool does after any events, deriving at random points', () => {
    let compared = 0;
    let tunnels = 0;
    fc.assert(
      fc.property(commands(), fc.array(fc.boolean(), { minLength: 80 }), (list, derivePoints) => {
        const { state } = decideAll(SEED);
        const derivations = [...HOSTS, 'nobody'].map((host) => new HostDerivation(host));
        const check = () => {
          const whole = toTopology(state);
          for (const derivation of derivations) {
            const expected = desiredState(whole, derivation.hostId);
            const actual = desiredState(derivation.topology(state), derivation.hostId);
            expect(canonicalJson(actual)).toBe(canonicalJson(expected));
            expect(digest(actual)).toBe(digest(expected));
            // And as defined, with nothing remembered: a mesh's remembered hash (libs/vswitch
            // canonical.ts) is never that of another mesh.
            expect(digest(actual)).toBe(digestByDefinition(expected));
            tunnels += actual.bridges.flatMap((b) => b.tunnels ?? []).length;
            compared++;
          }
        };
        check();
        for (const [i, command] of list.entries()) {
          for (const event of decided(command, state)) {
            poolDecider.evolve(state, event);
            for (const derivation of derivations) derivation.folded(state, event);
          }
          // Several commands' events between derivations too, as a replayed batch has.
          if (derivePoints[i]) check();
        }
        check();
      }),
      { numRuns: 120 },
    );
    expect(compared).toBeGreaterThan(1000);
    // Only worth something if meshes are built, kept and changed along the way.
    // (A few hundred over 120 runs; the seed pool alone gives some in every run.)
    expect(tunnels).toBeGreaterThan(50);
  }, 120_000);

  it('keeps a mesh no folded event touched, even while the pool has changed under it', () => {
    const { state } = decideAll([
      ...SEED,
      cmd('JoinHost', {
        hostId: 'h3',
        name: 'h3',
        address: 'h3',
        managementDevice: 'eth0',
        pifs: [
          { device: 'eth0', mac: '00:16:3e:00:03:01', mtu: 1500, speedMbps: 0, carrier: true },
        ],
      }),
      cmd('SetTunnelEndpoint', { hostId: 'h3', device: 'eth0', address: '192.0.2.3' }),
      cmd('CreateVm', { vmId: 'vm4', name: 'vm4' }),
      cmd('CreateVif', { vifId: 'vo4', vmId: 'vm4', device: 3, networkId: 'n4' }),
      cmd('StartVm', { vmId: 'vm1', hostId: 'h1' }),
      cmd('StartVm', { vmId: 'vm2', hostId: 'h2' }),
    ]);
    const h1 = new HostDerivation('h1');
    expect(tunnelsTo(h1, state)).toEqual(['h2']);
    const before = h1.topology(state).overlayRemotes?.get('n4');
    const started = decided(cmd('StartVm', { vmId: 'vm4', hostId: 'h3' }), state);
    for (const event of started) poolDecider.evolve(state, event);
    // Not told: the kept mesh is handed on as it was (what makes `folded` necessary) ...
    expect(tunnelsTo(h1, state)).toEqual(['h2']);
    expect(h1.topology(state).overlayRemotes?.get('n4')).toBe(before);
    // ... told: that network's mesh is found again.
    for (const event of started) h1.folded(state, event);
    expect(tunnelsTo(h1, state)).toEqual(['h2', 'h3']);
    // An MTU change touches no mesh: the same array again, not a copy.
    const mesh = h1.topology(state).overlayRemotes?.get('n4');
    for (const event of decided(cmd('UpdateNetwork', { networkId: 'n4', mtu: 1400 }), state)) {
      poolDecider.evolve(state, event);
      h1.folded(state, event);
    }
    expect(h1.topology(state).overlayRemotes?.get('n4')).toBe(mesh);
  });
});

function decided(command: PoolCommand, state: Parameters<typeof poolDecider.decide>[1]) {
  try {
    return poolDecider.decide(command, state);
  } catch (error) {
    if (isDomainError(error)) return [] as PoolEvent[];
    throw error;
  }
}
