import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PortCounters } from '../driver.js';
import type { Meter } from './actual-state.js';
import { run } from './exec.js';
import { mgmtSocket, mgmtTarget, type ResolvedOvsOptions } from './ovs-options.js';
import { noFloodPorts, setPortFlood, type PortFlood } from './openflow/port-flood.js';
import { hex, PACKET_OUT, RULE_BIT } from './flows.js';

/**
 * A bundle's time grows with its lines (a booting host with 1,000 ports with ACLs writes ~45,000
 * flows in one bundle, and ovs-vswitchd commits them all at once), so the configured timeout,
 * meant for one request, is what a bundle gets on top of a millisecond per line: a big bundle
 * on a loaded machine is not killed half-way and retried from the start.
 */
export const bundleTimeoutMs = (timeoutMs: number, lines: number): number => timeoutMs + lines;

/** ovs-ofctl on bridges' management sockets: OpenFlow 1.0 (+ extensions) for bundles, else 1.4. */
export class Ofctl {
  constructor(private readonly options: ResolvedOvsOptions) {}

  private exec(
    command: string,
    bridge: string,
    extra: string[] = [],
    input?: string,
    flags: string[] = [],
    answers: number[] = [],
  ) {
    const args = [
      '-O',
      'OpenFlow14',
      ...flags,
      command,
      mgmtTarget(this.options, bridge),
      ...extra,
    ];
    return run(this.options.ofctl, args, { input, timeoutMs: this.options.timeoutMs, answers });
  }

  /**
   * Flow-mod lines (`add …`, `delete …`) applied atomically as one OpenFlow bundle. Lines that
   * start with `packet-out ` go through `ovs-ofctl bundle`, which runs them in order with the
   * flow mods: a port's drop flow goes, then its announcements leave, in one round trip.
   */
  async bundle(bridge: string, lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return;
    const target = mgmtTarget(this.options, bridge);
    const withPackets = lines.some((line) => line.startsWith(PACKET_OUT));
    // OpenFlow 1.0 with Open vSwitch's extensions (NXM matches, goto_table, meter, bundles) says
    // everything these lines say, and spares ovs-ofctl the table-features request it sends
    // first at 1.3+: a reply of every table's capabilities that more than doubled the time of
    // each flow change (measured ~60 → ~23 ms per bundle on a loaded 2-core machine), and a
    // port's activation during a migration waits on one.
    const args = withPackets
      ? ['-O', 'OpenFlow10', 'bundle', target, '-']
      : ['-O', 'OpenFlow10', '--bundle', 'add-flows', target, '-'];
    const input = withPackets
      ? lines.map((line) => (line.startsWith(PACKET_OUT) ? line : `flow ${line}`))
      : lines;
    await run(this.options.ofctl, args, {
      input: `${input.join('\n')}\n`,
      timeoutMs: bundleTimeoutMs(this.options.timeoutMs, lines.length),
    });
  }

  /** Deleting a meter also deletes the flows that use it (OpenFlow semantics). */
  async deleteMeter(bridge: string, id: number): Promise<void> {
    await this.exec('del-meter', bridge, [`meter=${id}`]);
  }

  async addMeter(bridge: string, id: number, { kbps, burstKb }: Meter): Promise<void> {
    const spec =
      burstKb > 0
        ? `meter=${id},kbps,burst,band=type=drop,rate=${kbps},burst_size=${burstKb}`
        : `meter=${id},kbps,band=type=drop,rate=${kbps}`;
    await this.exec('add-meter', bridge, [spec]);
  }

  /** `ovs-ofctl dump-flows --no-stats` of the flows matching `match` (e.g. `table=5`). */
  async dumpFlows(bridge: string, match: string): Promise<string> {
    return this.exec('dump-flows', bridge, ['--no-stats', match]);
  }

  /** Packets and bytes per cookie of the bridge's ACL rule flows (flows.ts, ruleCookies). */
  async ruleStats(bridge: string): Promise<Map<bigint, FlowStats>> {
    return parseFlowStats(
      await this.exec('dump-flows', bridge, [`cookie=${hex(RULE_BIT)}/${hex(RULE_BIT)}`]),
    );
  }

  async flowCookies(bridge: string): Promise<Map<bigint, number>> {
    return parseFlowCookies(await this.exec('dump-flows', bridge, ['--no-stats']));
  }

  /**
   * `ovs-ofctl diff-flows` of the bridge against `flows` (specs, port names allowed): ovs-ofctl
   * parses both sides into its own form, so the comparison is by content. Empty: they match.
   * OpenFlow 1.4 on both sides: at 1.0 a stored goto_table reads back as resubmit.
   */
  async diffFlows(bridge: string, flows: readonly string[]): Promise<string> {
    return this.withFile(flows, (file) =>
      this.exec('diff-flows', bridge, [file], undefined, ['--names'], [2]),
    );
  }

  /** Makes the bridge's table equal `flows` in one bundle, touching only the flows that differ. */
  async replaceFlows(bridge: string, flows: readonly string[]): Promise<void> {
    await this.withFile(flows, (file) =>
      this.exec('replace-flows', bridge, [file], undefined, ['--names', '--bundle']),
    );
  }

  /** diff-flows and replace-flows read files only (`-` is taken for a bridge name). */
  private async withFile<T>(lines: readonly string[], use: (file: string) => Promise<T>) {
    const dir = await mkdtemp(join(tmpdir(), 'poolnet-flows-'));
    try {
      const file = join(dir, 'flows');
      await writeFile(file, lines.map((line) => `${line}\n`).join(''));
      return await use(file);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async meters(bridge: string): Promise<Map<number, Meter>> {
    return parseMeters(await this.exec('dump-meters', bridge));
  }

  /**
   * Ports' `flood`/`no-flood` config, all in one OpenFlow 1.0 session (OFPPC_NO_FLOOD exists in
   * 1.0 only; Open vSwitch keeps it for NORMAL's flood). Returns the ports it skipped because
   * they have no OpenFlow port yet (device absent).
   */
  async setFlood(bridge: string, ports: readonly PortFlood[]): Promise<string[]> {
    return setPortFlood(mgmtSocket(this.options, bridge), ports, this.options.timeoutMs);
  }

  /** The names of the bridge's ports whose config has NO_FLOOD. */
  async noFloodPorts(bridge: string): Promise<Set<string>> {
    return noFloodPorts(mgmtSocket(this.options, bridge), this.options.timeoutMs);
  }

  /** Live port statistics (OVSDB's Interface:statistics is refreshed only every 5 s). */
  async portStats(bridge: string): Promise<PortCounters[]> {
    const args = ['-O', 'OpenFlow14', '--names', 'dump-ports', mgmtTarget(this.options, bridge)];
    return parsePortStats(
      await run(this.options.ofctl, args, { timeoutMs: this.options.timeoutMs }),
    );
  }
}

export function parseFlowCookies(dump: string): Map<bigint, number> {
  const counts = new Map<bigint, number>();
  for (const [, hexCookie] of dump.matchAll(/cookie=(0x[0-9a-f]+)/g)) {
    const key = BigInt(hexCookie ?? '0');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

export interface FlowStats {
  packets: number;
  bytes: number;
}

/** `dump-flows` with statistics, summed per cookie (a rule has a flow per family and port block). */
export function parseFlowStats(dump: string): Map<bigint, FlowStats> {
  const stats = new Map<bigint, FlowStats>();
  for (const line of dump.split('\n')) {
    const c = /cookie=(0x[0-9a-f]+)/.exec(line)?.[1];
    const packets = /n_packets=(\d+)/.exec(line)?.[1];
    const bytes = /n_bytes=(\d+)/.exec(line)?.[1];
    if (!c || packets === undefined || bytes === undefined) continue;
    const key = BigInt(c);
    const sum = stats.get(key) ?? { packets: 0, bytes: 0 };
    stats.set(key, { packets: sum.packets + Number(packets), bytes: sum.bytes + Number(bytes) });
  }
  return stats;
}

/** `port  NAME: rx pkts=…, bytes=…, drop=…` then `tx pkts=…, bytes=…, drop=…`; `?` reads as 0. */
export function parsePortStats(dump: string): PortCounters[] {
  const n = (value: string | undefined) => (value && value !== '?' ? Number(value) : 0);
  const v = '(\\d+|\\?)';
  const pattern = new RegExp(
    `port\\s+"?([^":\\s]+)"?: rx pkts=${v}, bytes=${v}, drop=${v}[^\\n]*\\n\\s*tx pkts=${v}, bytes=${v}, drop=${v}`,
    'g',
  );
  return [...dump.matchAll(pattern)].map(([, port = '', rxp, rxb, rxd, txp, txb, txd]) => ({
    port,
    rxPackets: n(rxp),
    rxBytes: n(rxb),
    rxDropped: n(rxd),
    txPackets: n(txp),
    txBytes: n(txb),
    txDropped: n(txd),
  }));
}

/** `meter=N kbps [burst] bands=\ntype=drop rate=R [burst_size=B]` blocks. */
export function parseMeters(dump: string): Map<number, Meter> {
  const meters = new Map<number, Meter>();
  const pattern = /meter=(\d+)\s+kbps[^\n]*\n\s*type=drop rate=(\d+)(?: burst_size=(\d+))?/g;
  for (const [, id, rate, burst] of dump.matchAll(pattern)) {
    meters.set(Number(id), { kbps: Number(rate), burstKb: Number(burst ?? 0) });
  }
  return meters;
}

/** ovs-appctl to the ovs-vswitchd of the run dir. */
export class Appctl {
  constructor(private readonly options: ResolvedOvsOptions) {}

  async call(command: string, args: string[] = []): Promise<string> {
    const target = [
      '-t',
      this.options.vswitchdControl,
      `--timeout=${Math.ceil(this.options.timeoutMs / 1000)}`,
    ];
    return run(this.options.appctl, [...target, command, ...args], {
      env: { ...process.env, OVS_RUNDIR: this.options.runDir },
      timeoutMs: this.options.timeoutMs,
    });
  }
}
