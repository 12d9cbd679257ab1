import type { PortCounters } from '../../driver.js';
import type { Meter } from '../actual-state.js';
import type { FlowStats } from '../ovs-clients.js';

/*
 * ovs-ofctl's printed dumps, read. The driver reads flows, meters and counters over its own
 * OpenFlow connection now; these are what its native reads are checked against on real Open
 * vSwitch (native-flows.int-spec.ts), parsing what ovs-ofctl prints for the same bridge.
 */

/** Flows per cookie: each line's own cookie (not one a `learn` action names in its actions). */
export function parseFlowCookies(dump: string): Map<bigint, number> {
  const counts = new Map<bigint, number>();
  for (const [, hexCookie] of dump.matchAll(/^\s*cookie=(0x[0-9a-f]+)/gm)) {
    const key = BigInt(hexCookie ?? '0');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
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
