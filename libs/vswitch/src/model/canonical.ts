import { createHash, hash } from 'node:crypto';
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

/** A master and a host compare this rather than whole states (sha256 of the canonical JSON). */
export function digest(state: HostSwitchState): string {
  const normal = normalizeState(state);
  // What a DHCP server leased is no part of the configuration (read back only).
  const configured = normal.interfaces?.some((i) => i.leased)
    ? { ...normal, interfaces: normal.interfaces.map(withoutLease) }
    : normal;
  return canonicalStateHash(configured);
}

/*
 * The sha256 of the canonical JSON of a normalized state, with each tunnel mesh's part printed
 * once per mesh: an unchanged mesh is the same array from event to event, and printing a
 * thousand tunnels was most of an overlay host's digest. The meshes stand in as marker strings
 * in the JSON of the rest; the hash is fed that JSON's pieces with each mesh's JSON between
 * them, so the bytes hashed are exactly `canonicalJson(state)`'s, and no string of the whole
 * state is ever built (splicing the meshes into one was most of what was left). A marker is a
 * string starting with U+0001, which JSON prints escaped; should some other string print the
 * same (ids refuse control characters, so none should), the count differs and the state is
 * printed whole.
 */
const MESH_MARK = '\u0001mesh#';
const MESH_MARK_JSON = /"\\u0001mesh#(\d+)"/;
const meshJson = new WeakMap<readonly TunnelPort[], string>();

function canonicalStateHash(state: HostSwitchState): string {
  const meshes: string[] = [];
  const bridges = state.bridges.map((bridge) => {
    if (!bridge.tunnels) return bridge;
    let json = meshJson.get(bridge.tunnels);
    if (json === undefined) {
      json = canonicalJson(bridge.tunnels);
      meshJson.set(bridge.tunnels, json);
    }
    meshes.push(json);
    return { ...bridge, tunnels: `${MESH_MARK}${meshes.length - 1}` };
  });
  // The one-shot form: no Hash object per call (a host digests after every event).
  if (meshes.length === 0) return hash('sha256', canonicalJson(state), 'hex');
  // [text, mesh index, text, mesh index, ..., text]: split keeps the captured index.
  const pieces = canonicalJson({ ...state, bridges }).split(new RegExp(MESH_MARK_JSON, 'g'));
  const indexes = pieces.filter((_, i) => i % 2 === 1).map(Number);
  if (indexes.length !== meshes.length || indexes.some((index, i) => index !== i)) {
    return hash('sha256', canonicalJson(state), 'hex');
  }
  const sha = createHash('sha256');
  pieces.forEach((piece, i) => sha.update(i % 2 === 0 ? piece : meshes[i >> 1]!));
  return sha.digest('hex');
}
