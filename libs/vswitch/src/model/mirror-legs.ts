import { createHash } from 'node:crypto';
import { portHosts, type MirrorStatus } from '@pool/contracts';
import { PolicyIndex } from './policy.js';
import type { PoolTopology, TopologyHost, TopologyMirror, TopologyVif } from './topology.js';

/*
 * Where each mirror is realised, pool-wide, from the topology alone (DESIGN §1, mirrors).
 *
 * A mirror copies what its sources send or receive to its monitor port. Open vSwitch mirrors
 * within one bridge, so the copies are taken on each bridge that holds forwarding source ports:
 * on the monitor's own bridge they go straight to its port (a `local` leg); on another host the
 * bridge mirrors into a GRE port towards the monitor's host, whose matching GRE port delivers
 * every copy to the monitor's port and nowhere else (a `tunnel` leg, keyed per mirror and source
 * network). Every host derives the same legs, so when a VM migrates its leg moves with it.
 *
 * What cannot be realised is said, never left out: each problem has a code and a sentence, for
 * the host reports, the read API, the dashboard and `poolctl mirror list`.
 */

export type MirrorProblemCode =
  /** The monitor VIF is gone (a mirror whose destination was destroyed goes with it). */
  | 'MONITOR_MISSING'
  /** The monitor's VM is halted: no port to deliver to. */
  | 'MONITOR_HALTED'
  /** The monitor's VM runs but no port of it forwards (mid-migration, between prepared and activated). */
  | 'MONITOR_NOT_FORWARDING'
  /** No source VIF has a forwarding port on any host. */
  | 'NO_SOURCE'
  /** Sources and monitor are on different hosts and one of them declares no tunnel endpoint. */
  | 'NO_TUNNEL_ENDPOINT'
  /** Sources on the monitor's host but another network's bridge: a bridge mirrors only its own ports. */
  | 'SOURCE_ON_OTHER_NETWORK';

export interface MirrorProblem {
  code: MirrorProblemCode;
  message: string;
  /** The host the problem is on, when it is one host's. */
  host?: string;
}

/** One bridge whose forwarding source ports are copied to the monitor. */
export interface MirrorLeg {
  sourceHost: string;
  networkId: string;
  /** The source VIFs with a forwarding port on that bridge, sorted. */
  vifIds: string[];
  via: 'local' | 'tunnel';
  /** Tunnel legs: the GRE key both ends of the leg use (mirrorTunnelKey). */
  key?: number;
}

/**
 * `active`: every forwarding source is copied to the monitor; `partial`: some are, `problems`
 * say why the others are not; `inactive`: nothing is copied, `problems` say why.
 */
export type MirrorState = 'active' | 'partial' | 'inactive';

export interface MirrorRealisation {
  mirrorId: string;
  state: MirrorState;
  /** The host whose forwarding port of the monitor VIF receives the copies. */
  monitorHost?: string;
  monitorVifId: string;
  legs: MirrorLeg[];
  problems: MirrorProblem[];
}

/**
 * The GRE key of a tunnel leg: 32 bits of a hash of the mirror and the source network, never 0.
 * Two legs between the same two hosts with one key would be one tunnel to Open vSwitch; with
 * 2^32 keys that needs ~65,000 legs between one pair of hosts to be likely.
 */
export const mirrorTunnelKey = (mirrorId: string, networkId: string): number =>
  Number.parseInt(
    createHash('sha256').update(`${mirrorId}\0${networkId}`).digest('hex').slice(0, 8),
    16,
  ) || 1;

interface Placement {
  /** Host → the forwarding port's host for a VM, from portHosts. */
  forwardingHost: (vmId: string) => string | undefined;
  running: (vmId: string) => boolean;
  hosts: Map<string, TopologyHost>;
}

function placement(topology: PoolTopology): Placement {
  const vms = new Map(topology.vms.map((vm) => [vm.id, vm]));
  const migrations = new Map(topology.migrations.map((m) => [m.vmId, m]));
  const forwarding = new Map<string, string | undefined>();
  const forwardingHost = (vmId: string): string | undefined => {
    if (!forwarding.has(vmId)) {
      const vm = vms.get(vmId);
      const active = vm && portHosts(vm, migrations.get(vmId)).find((h) => h.role === 'active');
      forwarding.set(vmId, active?.hostId);
    }
    return forwarding.get(vmId);
  };
  return {
    forwardingHost,
    running: (vmId) => vms.get(vmId)?.powerState === 'running',
    hosts: new Map(topology.hosts.map((h) => [h.id, h])),
  };
}

/** Every mirror's legs and problems, in the topology's mirror order. */
export function mirrorRealisations(
  topology: PoolTopology,
  index: PolicyIndex,
): MirrorRealisation[] {
  if (topology.mirrors.length === 0) return [];
  const where = placement(topology);
  const vifs = new Map(topology.vifs.map((v) => [v.id, v]));
  return topology.mirrors.map((mirror) => realise(topology, mirror, index, where, vifs));
}

function realise(
  topology: PoolTopology,
  mirror: TopologyMirror,
  index: PolicyIndex,
  where: Placement,
  vifs: Map<string, TopologyVif>,
): MirrorRealisation {
  const base = { mirrorId: mirror.id, monitorVifId: mirror.destinationVifId, legs: [] };
  const inactive = (code: MirrorProblemCode, message: string): MirrorRealisation => ({
    ...base,
    state: 'inactive',
    problems: [{ code, message }],
  });
  const monitor = vifs.get(mirror.destinationVifId);
  if (!monitor)
    return inactive('MONITOR_MISSING', `monitor VIF ${mirror.destinationVifId} is gone`);
  if (!where.running(monitor.vmId)) {
    return inactive('MONITOR_HALTED', `monitor VM ${monitor.vmId} is halted`);
  }
  const monitorHost = where.forwardingHost(monitor.vmId);
  if (monitorHost === undefined) {
    return inactive(
      'MONITOR_NOT_FORWARDING',
      `monitor VM ${monitor.vmId} is migrating: no port of it forwards yet`,
    );
  }

  // Forwarding source ports, by (host, network): one leg each.
  const groups = new Map<string, { host: string; networkId: string; vifIds: string[] }>();
  for (const vif of topology.vifs) {
    if (vif.id === monitor.id || !index.inScope(mirror.source, vif)) continue;
    const host = where.forwardingHost(vif.vmId);
    if (host === undefined) continue;
    const key = `${host}\0${vif.networkId}`;
    const group = groups.get(key) ?? { host, networkId: vif.networkId, vifIds: [] };
    groups.set(key, group);
    group.vifIds.push(vif.id);
  }
  if (groups.size === 0) {
    return {
      ...inactive('NO_SOURCE', 'no source VIF has a forwarding port on any host'),
      monitorHost,
    };
  }

  const legs: MirrorLeg[] = [];
  const problems: MirrorProblem[] = [];
  const endpoint = (host: string) => where.hosts.get(host)?.tunnel;
  const sorted = [...groups.values()].sort((a, b) =>
    a.host === b.host ? compare(a.networkId, b.networkId) : compare(a.host, b.host),
  );
  for (const { host, networkId, vifIds } of sorted) {
    const leg = { sourceHost: host, networkId, vifIds: vifIds.sort() };
    if (host === monitorHost) {
      if (networkId === monitor.networkId) legs.push({ ...leg, via: 'local' });
      else
        problems.push({
          code: 'SOURCE_ON_OTHER_NETWORK',
          message: `sources on network ${networkId} share host ${host} with the monitor, which is on network ${monitor.networkId}: a mirror copies within one bridge on a host`,
          host,
        });
      continue;
    }
    const missing = [host, monitorHost].filter((h) => !endpoint(h));
    if (missing.length > 0) {
      problems.push({
        code: 'NO_TUNNEL_ENDPOINT',
        message: `sources on host ${host}, monitor on host ${monitorHost}: ${missing.map((h) => `host ${h}`).join(' and ')} ${missing.length > 1 ? 'declare' : 'declares'} no tunnel endpoint`,
        host: missing[0],
      });
      continue;
    }
    legs.push({ ...leg, via: 'tunnel', key: mirrorTunnelKey(mirror.id, networkId) });
  }
  const state = problems.length === 0 ? 'active' : legs.length > 0 ? 'partial' : 'inactive';
  return { ...base, state, monitorHost, legs, problems };
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Every mirror's status in the shape the read API and host reports show (libs/contracts). */
export function mirrorStatuses(topology: PoolTopology): ({ mirror: string } & MirrorStatus)[] {
  return mirrorRealisations(topology, new PolicyIndex(topology)).map((r) => ({
    mirror: r.mirrorId,
    state: r.state,
    monitorHost: r.monitorHost ?? null,
    problems: r.problems,
  }));
}
