/**
 * What the ovn-peer bench asks of each system it compares (OVN, poolnet), so that both are
 * driven, timed and costed by the same code.
 */

/** The measured rows: a change to every hypervisor, the same change committed only, the floor. */
export const PARTS = ['acl', 'port-security', 'commit', 'floor'] as const;
export type Part = (typeof PARTS)[number];

export type SystemName = 'ovn' | 'poolnet';

/** Pids by role (`ovn-controller`, `member-host`, …), read when a batch starts. */
export type ProcessGroups = Record<string, number[]>;

export interface PeerSystem {
  readonly name: SystemName;
  readonly hypervisors: number;
  /** Roles that run once per hypervisor; the others are the system's central part. */
  readonly hypervisorRoles: readonly string[];
  /** Roles measured beside the system but not counted in it (a server other work shares). */
  readonly sharedRoles: readonly string[];
  /** How each part is asked of this system, for the report. */
  readonly calls: Record<Part, string>;
  processes(): Promise<ProcessGroups>;
  /**
   * Change number `i` of a part: even numbers add the rule or turn port security on, odd ones
   * take it back, so an even count of changes ends where it started.
   */
  change(part: Part, i: number): Promise<void>;
  /** After the `commit` part, which does not wait for them: until every hypervisor caught up. */
  caughtUp(): Promise<void>;
  /** Each hypervisor's OpenFlow flows, without counters, for the check that a change lands. */
  flows(): Promise<string[][]>;
  stop(): Promise<void>;
}

/** A flow line without what changes while it sits there (counters, ages, cookies). */
export function flowWithoutCounters(line: string): string {
  return line
    .trim()
    .replace(/\b(cookie|duration|n_packets|n_bytes|idle_age|hard_age)=[^,\s]*,?\s*/g, '')
    .trim();
}

/** Flows in one dump and not the other, either way. */
export function flowsChanged(before: readonly string[], after: readonly string[]): number {
  const [a, b] = [new Set(before), new Set(after)];
  return [...a].filter((f) => !b.has(f)).length + [...b].filter((f) => !a.has(f)).length;
}

/** `ovs-ofctl dump-flows` output → its flows, counters dropped. */
export function parseFlowDump(dump: string): string[] {
  return dump
    .split('\n')
    .filter((line) => line.includes('actions='))
    .map(flowWithoutCounters)
    .sort();
}
