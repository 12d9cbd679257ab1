import { hash } from 'node:crypto';
import { configure } from 'safe-stable-stringify';
import {
  withoutLease,
  type AclRule,
  type Bridge,
  type HostSwitchState,
  type Port,
  type TunnelPort,
} from './host-state.js';
import type { VifQos } from './topology.js';

/**
 * JSON with sorted keys and no `undefined` members, so equal values print equal whatever the
 * order their properties were built in (what `JSON.stringify` prints of a key-sorted copy;
 * integer-like keys, which no switch state has, are sorted too, where a copy would list them
 * first). safe-stable-stringify writes it in one pass: a host prints its desired state for the
 * digest after every event, and a sorted copy per object first cost it ~25 % more.
 */
export function canonicalJson(value: unknown): string {
  return stableStringify(value) as string; // undefined only for undefined (as JSON.stringify)
}

const stableStringify = configure({ deterministic: true, bigint: false, circularValue: Error });

/** Equal when one value (the model hands an unchanged tunnel mesh on as the same array). */
export const sameValue = (a: unknown, b: unknown): boolean =>
  a === b || canonicalJson(a) === canonicalJson(b);

const byKey =
  <T>(key: (item: T) => string) =>
  (a: T, b: T): number => {
    const [ka, kb] = [key(a), key(b)];
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  };

/** Highest priority first; the id breaks ties so the order never depends on input order. */
export const compareAcls = (a: AclRule, b: AclRule): number =>
  b.priority - a.priority || byKey<AclRule>((r) => r.id)(a, b);

/**
 * A zero rate means "no limit", so its burst is meaningless and a driver reads it back as 0; with
 * both rates zero there is no QoS at all. Folding these makes equal switches compare equal.
 */
export function normalizeQos(qos: VifQos | undefined): VifQos | undefined {
  if (!qos || (qos.ingressKbps <= 0 && qos.egressKbps <= 0)) return undefined;
  const ingress = qos.ingressKbps > 0;
  const egress = qos.egressKbps > 0;
  return {
    ingressKbps: ingress ? qos.ingressKbps : 0,
    ingressBurstKb: ingress ? qos.ingressBurstKb : 0,
    egressKbps: egress ? qos.egressKbps : 0,
    egressBurstKb: egress ? qos.egressBurstKb : 0,
  };
}

const normalizePort = (port: Port): Port => ({
  ...port,
  qos: normalizeQos(port.qos),
  acls: [...port.acls].sort(compareAcls),
});

/**
 * Tunnel meshes in name order, by the array the model made: an unchanged mesh is the same array
 * from one event to the next (overlay.ts), so a host sorts its thousand tunnels once, not per
 * event. Nothing mutates a desired state's arrays once made.
 */
const sortedTunnels = new WeakMap<readonly TunnelPort[], TunnelPort[]>();
const tunnelsByName = (tunnels: readonly TunnelPort[]): TunnelPort[] => {
  let sorted = sortedTunnels.get(tunnels);
  if (!sorted) {
    sorted = [...tunnels].sort(byKey((t) => t.name));
    sortedTunnels.set(tunnels, sorted);
  }
  return sorted;
};

const normalizeBridge = (bridge: Bridge): Bridge => ({
  ...bridge,
  ...(bridge.tunnels?.length ? { tunnels: tunnelsByName(bridge.tunnels) } : { tunnels: undefined }),
  ...(bridge.mirrorTunnels?.length
    ? { mirrorTunnels: [...bridge.mirrorTunnels].sort(byKey((t) => t.name)) }
    : { mirrorTunnels: undefined }),
  ports: bridge.ports.map(normalizePort).sort(byKey((p) => p.name)),
  mirrors: bridge.mirrors
    .map((m) => ({ ...m, sourcePorts: [...m.sourcePorts].sort() }))
    .sort(byKey((m) => m.name)),
});

/** Every list in a fixed order: the form the model emits, drivers return and the digest hashes. */
export function normalizeState(state: HostSwitchState): HostSwitchState {
  return {
    uplinks: state.uplinks
      .map((u) => (u.bond ? { ...u, bond: { ...u.bond, members: [...u.bond.members].sort() } } : u))
      .sort(byKey((u) => u.device)),
    bridges: state.bridges.map(normalizeBridge).sort(byKey((b) => b.name)),
    // Absent without any, so a host's digest is what it was before host interfaces existed.
    ...(state.interfaces?.length
      ? { interfaces: [...state.interfaces].sort(byKey((i) => i.name)) }
      : {}),
  };
}

/**
 * Which definition of `digest` a value follows: its prefix. Scheme 2 hashes each tunnel mesh
 * apart (below); scheme 1, bare hex with no prefix, was the sha256 of the whole canonical JSON.
 * The same state has different digests under two schemes, so a digest is compared with another
 * only under the same scheme (`digestScheme`): a pool part-way through an upgrade then reads
 * "digest scheme differs", not drift (docs/design.md, "Digest").
 */
export const DIGEST_SCHEME = 'v2';

/** The scheme a digest was computed under: its prefix, or `v1` for a bare scheme 1 digest. */
export const digestScheme = (value: string): string => {
  const colon = value.indexOf(':');
  return colon < 0 ? 'v1' : value.slice(0, colon);
};

/** When a VM announced itself is what the datapath did, not what the host configured. */
const withoutAnnouncements = (state: HostSwitchState): HostSwitchState =>
  state.bridges.some((b) => b.ports.some((p) => p.announcedAt !== undefined))
    ? {
        ...state,
        bridges: state.bridges.map((b) => ({
          ...b,
          ports: b.ports.map(({ announcedAt: _, ...port }) => port),
        })),
      }
    : state;

/**
 * A master and a host compare this rather than whole states: `v2:` and the sha256 of the
 * canonical JSON of the normalized state in which each bridge's tunnel mesh stands as the
 * sha256 (hex) of the mesh's own canonical JSON.
 */
export function digest(state: HostSwitchState): string {
  const normal = normalizeState(state);
  // What a DHCP server leased is no part of the configuration (read back only).
  const configured = normal.interfaces?.some((i) => i.leased)
    ? { ...normal, interfaces: normal.interfaces.map(withoutLease) }
    : normal;
  const bridges = withoutAnnouncements(configured).bridges.map((bridge) =>
    bridge.tunnels ? { ...bridge, tunnels: meshDigest(bridge.tunnels) } : bridge,
  );
  // The one-shot form: no Hash object per call (a host digests after every event).
  return `${DIGEST_SCHEME}:${hash('sha256', canonicalJson({ ...configured, bridges }), 'hex')}`;
}

/*
 * A full mesh is one tunnel per other host carrying the network, and a host digests its state
 * after every event: hashing a thousand tunnels' JSON (~100 KB) each time was most of an overlay
 * host's convergence at 1,000 hosts. An unchanged mesh is the same (sorted) array from one event
 * to the next (overlay.ts; tunnelsByName above sorts it once), so its hash is remembered by that array and the rest
 * of the state is hashed around it. Nothing mutates a desired state's arrays once made.
 */
const meshDigests = new WeakMap<readonly TunnelPort[], string>();

function meshDigest(tunnels: readonly TunnelPort[]): string {
  let sha = meshDigests.get(tunnels);
  if (sha === undefined) {
    sha = hash('sha256', canonicalJson(tunnels), 'hex');
    meshDigests.set(tunnels, sha);
  }
  return sha;
}
