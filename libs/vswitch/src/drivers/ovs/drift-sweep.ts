import { hasAclPipeline, type HostDesiredState } from '../../model/host-state.js';
import { patchPortNames } from '../../model/naming.js';
import type { DriftFinding } from '../driver.js';
import { inBatches } from './batching.js';
import { desiredFlows, flowSpec } from './desired-flows.js';
import { hasDevice } from './device-watch.js';
import { parseFlowDiff } from './flow-diff.js';
import { learnedFlows } from './acl-flows.js';
import { learnedGates } from './handover-flows.js';
import { unreferencedRecords } from './acl-records.js';
import { cookie, hex, pendingFlows, TABLE } from './flows.js';
import type { Ofctl } from './ovs-clients.js';
import type { Vsctl } from './vsctl.js';
import type { ResolvedOvsOptions } from './ovs-options.js';
import { EXT } from './ovsdb-commands.js';
import { isMirrorTunnelInterface } from './mirror-tunnel-ports.js';
import { isTunnelInterface } from './tunnel-ports.js';
import {
  asOptionalNumber,
  asString,
  asStringMap,
  asUuid,
  asUuids,
  type Row,
} from './ovsdb-json.js';

const DEAD_VLAN = 4095;

/**
 * The drift pass by content, over the bridges the host owns (external_ids:poolnet-network);
 * other bridges are never read. Per bridge, `ovs-ofctl diff-flows` compares the whole table with
 * the desired pipeline, and only when they differ does `replace-flows` make it equal in one
 * bundle (foreign flows deleted, edited ones restored, missing ones added).
 *
 * A port someone else put on an owned bridge is not deleted: like ovn-controller with an
 * unbound port on br-int, the host does not remove interfaces it did not create (it may be a
 * VIF the toolstack plugged before its event arrived, or an operator's), but it gives the port
 * no network, as OVN's pipeline gives an unbound port none: its traffic is dropped on entry
 * (the pending-port flow) and it sits in the dead VLAN, so NORMAL delivers nothing to it. A
 * secure-mode bridge would otherwise admit it through table 0's default and flood to it.
 */
export async function sweep(
  desired: HostDesiredState,
  clients: { vsctl: Vsctl; ofctl: Ofctl; options: ResolvedOvsOptions },
): Promise<DriftFinding[]> {
  const { vsctl, ofctl, options } = clients;
  const [bridges = [], ports = [], interfaces = []] = await vsctl.list([
    ['Bridge', 'name,ports,external_ids'],
    ['Port', '_uuid,name,interfaces,tag'],
    ['Interface', '_uuid,name,ofport,ifindex,external_ids'],
  ]);
  const portRows = new Map(ports.map((p) => [asUuid(p._uuid) ?? '', p]));
  const ifaceRows = new Map(interfaces.map((i) => [asUuid(i._uuid) ?? '', i]));
  const ofports = new Map<string, number>();
  for (const iface of interfaces) {
    const ofport = asOptionalNumber(iface.ofport);
    if (ofport !== undefined && hasDevice(iface)) ofports.set(asString(iface.name), ofport);
  }
  const wanted = desiredFlows(withDevices(desired, ofports), options, ofports);
  const findings: DriftFinding[] = [];
  const owned = bridges.filter((b) => asStringMap(b.external_ids).has(EXT.network));
  await inBatches(owned, async (row) => {
    const bridge = asString(row.name);
    const flows = wanted.get(bridge);
    if (!flows) return; // not desired: apply has just deleted it, or a later pass will
    const foreign = asUuids(row.ports)
      .map((uuid) => portRows.get(uuid))
      .filter((port): port is Row => port !== undefined && isForeign(bridge, port, ifaceRows));
    const admitted = foreign.map((p) => asString(p.name)).filter((name) => ofports.has(name));
    // What OVS learned for the bridge's ports with ACLs stays (acl-flows.ts, learnedFlows).
    const aclPorts = desired.bridges
      .find((b) => b.name === bridge)
      ?.ports.filter(hasAclPipeline)
      .map((p) => p.name);
    const learned = aclPorts?.length
      ? learnedFlows(await ofctl.dumpFlows(bridge, `table=${TABLE.macs}`), aclPorts)
      : [];
    // So does the gate a VM's announcement opened or closed (handover-flows.ts, learnedGates).
    const gated = desired.bridges
      .find((b) => b.name === bridge)
      ?.ports.filter((p) => p.handover)
      .map((p) => p.name);
    const gates = gated?.length
      ? [
          ...learnedGates(
            await ofctl.dumpFlowsWithStats(bridge, `table=${TABLE.handover}`),
            gated,
            Date.now(),
          ).values(),
        ].map((g) => g.spec)
      : [];
    const table = [...flows, ...learned, ...gates, ...admitted.flatMap(pendingFlows).map(flowSpec)];
    const diff = await ofctl.diffFlows(bridge, table);
    const isolatedNow = new Set<string>();
    if (diff.trim() !== '') {
      for (const finding of parseFlowDiff(bridge, diff)) {
        const c = /cookie=(0x[0-9a-f]+)/.exec(finding.flow)?.[1];
        const name = admitted.find((p) => c === hex(cookie(p, 'forwarding')));
        if (finding.change === 'removed' && name) isolatedNow.add(name);
        else findings.push(finding);
      }
      await ofctl.replaceFlows(bridge, table);
    }
    // NORMAL's flood skips ports with ACLs (flows.ts, floodFlows); the config lives in
    // ovs-vswitchd only (a restart or a re-created port loses it), so it is read back here.
    const vifs = desired.bridges.find((b) => b.name === bridge)?.ports ?? [];
    const noFlood = await ofctl.noFloodPorts(bridge);
    const wrong = vifs
      .filter((port) => ofports.has(port.name) && noFlood.has(port.name) !== hasAclPipeline(port))
      .map((port) => ({ port: port.name, flood: !hasAclPipeline(port) }));
    await ofctl.setFlood(bridge, wrong);
    for (const { port, flood } of wrong) {
      const [found, expected] = flood ? ['no-flood', 'flood'] : ['flood', 'no-flood'];
      findings.push({
        kind: 'flow',
        bridge,
        change: 'changed',
        flow: `port ${port} config ${found}`,
        expected: `port ${port} config ${expected}`,
      });
    }
    const untagged = foreign.filter((p) => asOptionalNumber(p.tag) !== DEAD_VLAN);
    // Rule records no port of the bridge refers to any more (acl-records.ts) go too.
    const portExternalIds = asUuids(row.ports).flatMap((uuid) =>
      asUuids(portRows.get(uuid)?.interfaces).map((i) =>
        asStringMap(ifaceRows.get(i)?.external_ids),
      ),
    );
    const stale = unreferencedRecords(asStringMap(row.external_ids), portExternalIds);
    await vsctl.transact(
      [
        ...untagged.map((p) => [
          'set',
          'Port',
          asString(p.name),
          'vlan_mode=access',
          `tag=${DEAD_VLAN}`,
        ]),
        ...(stale.length > 0 ? [['remove', 'Bridge', bridge, 'external_ids', ...stale]] : []),
      ],
      // Only a port's new VLAN needs ovs-vswitchd to have applied it before the pass ends.
      { wait: untagged.length > 0 },
    );
    for (const name of new Set([...isolatedNow, ...untagged.map((p) => asString(p.name))])) {
      findings.push({ kind: 'port', bridge, change: 'added', port: name });
    }
  });
  return findings;
}

/**
 * Not the bridge's own port, not its patch to the uplink, not a VIF or tunnel the host put
 * there (a tunnel edited by hand is the planner's to rewrite: readActual reads it as edited).
 */
function isForeign(bridge: string, port: Row, ifaces: Map<string, Row>): boolean {
  const name = asString(port.name);
  if (name === bridge || name === patchPortNames(bridge).bridgeSide) return false;
  const iface = ifaces.get(asUuids(port.interfaces)[0] ?? '');
  return (
    !asStringMap(iface?.external_ids).has(EXT.vif) &&
    !isTunnelInterface(iface) &&
    !isMirrorTunnelInterface(iface)
  );
}

/** A port whose device is absent holds no flows until it appears (ovs-driver.ts, apply). */
const withDevices = (
  desired: HostDesiredState,
  ofports: Map<string, number>,
): HostDesiredState => ({
  ...desired,
  bridges: desired.bridges.map((b) => ({
    ...b,
    ports: b.ports.filter((p) => ofports.has(p.name)),
  })),
});
