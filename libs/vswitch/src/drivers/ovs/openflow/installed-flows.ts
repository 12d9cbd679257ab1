import { aclFlowChanges, installed } from '../acl-flow-changes.js';

const ALL_ONES = (1n << 64n) - 1n;

const cookieOf = (line: string): bigint | undefined => {
  const c = /cookie=(0x[0-9a-f]+)/.exec(line)?.[1];
  return c === undefined ? undefined : BigInt(c);
};

/** What OpenFlow keys a flow on: its table, priority and match (after the cookie, before actions). */
const identityOf = (line: string): string =>
  line.slice(line.indexOf(',') + 1, line.indexOf(',actions='));

/** `delete cookie=C/M` → [C, M]; `delete` → [0, 0]; anything else undefined. */
function deleteByCookie(line: string): [bigint, bigint] | undefined {
  if (line === 'delete') return [0n, 0n];
  const m = /^delete cookie=(0x[0-9a-f]+)\/(-1|0x[0-9a-f]+)$/.exec(line);
  if (!m) return undefined;
  return [BigInt(m[1]!), m[2] === '-1' ? ALL_ONES : BigInt(m[2]!)];
}

/**
 * What one bridge's flow table holds, as far as this host wrote it over the current OpenFlow
 * connection: for each cookie it wrote whole (a delete by exact cookie, then its adds), the
 * flows by identity. The driver re-writes a concern as "delete its cookie, add all its flows"
 * (ovs-steps.ts); with the cookie known, `narrow` sends only the flows that differ (strict
 * deletes of the ones that go, adds of the ones new or changed), unless that is not shorter.
 *
 * Known is trusted only as long as nothing else writes the table: a new connection (ovs-vswitchd
 * restarted) starts with nothing known, the drift pass's repair forgets everything
 * (Ofctl.replaceFlows), a failed bundle forgets everything, and every read of the bridge's
 * cookies (`check`, each readActual) forgets a cookie whose count differs from the switch's.
 */
export class InstalledFlows {
  /** Known cookies' flows, by identity. */
  private cookies = new Map<bigint, Map<string, string>>();
  /** After a delete of everything: a cookie not in `cookies` is known to hold nothing. */
  private emptyElsewhere = false;

  /** The lines to send for `lines`, and the state they leave (apply it once they committed). */
  narrow(lines: readonly string[]): { lines: string[]; commit: () => void } {
    const next = this.copy();
    const out: string[] = [];
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      const deleted = deleteByCookie(line);
      if (deleted && deleted[1] === ALL_ONES) {
        const [c] = deleted;
        const group: string[] = [];
        while (
          i + 1 < lines.length &&
          lines[i + 1]!.startsWith('add ') &&
          cookieOf(lines[i + 1]!) === c
        ) {
          group.push(lines[++i]!);
        }
        out.push(...next.rewrite(c, line, group));
      } else {
        out.push(line);
        next.apply(line, deleted);
      }
    }
    return { lines: out, commit: () => this.replaceWith(next) };
  }

  /** Forgets every cookie whose flow count the switch reports differently. */
  check(counts: ReadonlyMap<bigint, number>): void {
    for (const [c, flows] of this.cookies)
      if ((counts.get(c) ?? 0) !== flows.size) this.cookies.delete(c);
    if ([...counts.keys()].some((c) => !this.cookies.has(c))) this.emptyElsewhere = false;
  }

  /** Forgets the flows whose actions contain `text` (a meter deleted takes its flows along). */
  forgetUsing(text: string): void {
    for (const [c, flows] of this.cookies) {
      if ([...flows.values()].some((line) => line.includes(text))) this.cookies.delete(c);
    }
  }

  forgetAll(): void {
    this.cookies.clear();
    this.emptyElsewhere = false;
  }

  private known(c: bigint): Map<string, string> | undefined {
    return this.cookies.get(c) ?? (this.emptyElsewhere ? new Map() : undefined);
  }

  /** A whole cookie written anew: the difference if it is known and shorter, else as written. */
  private rewrite(c: bigint, deleteLine: string, adds: string[]): string[] {
    const before = this.known(c);
    const after = installed(adds);
    this.setCookie(c, after);
    if (!before) return [deleteLine, ...adds];
    if (after.size === 0) return before.size === 0 ? [] : [deleteLine];
    const diff = aclFlowChanges([...before.values()], after);
    return diff.length < 1 + adds.length ? diff : [deleteLine, ...adds];
  }

  private setCookie(c: bigint, flows: Map<string, string>): void {
    // An identity is one flow whatever its cookie: a flow another cookie held is overwritten.
    for (const [other, held] of this.cookies) {
      if (other === c) continue;
      for (const id of flows.keys()) held.delete(id);
    }
    this.cookies.set(c, new Map(flows));
  }

  private apply(line: string, deleted: [bigint, bigint] | undefined): void {
    if (deleted) {
      const [c, mask] = deleted;
      if (mask === 0n) {
        this.cookies.clear();
        this.emptyElsewhere = true;
        return;
      }
      for (const [k, flows] of this.cookies) if ((k & mask) === (c & mask)) flows.clear();
      return;
    }
    if (line.startsWith('delete_strict ')) {
      const c = cookieOf(line);
      const id = line.slice(line.indexOf(',') + 1);
      if (c !== undefined) this.cookies.get(c)?.delete(id);
      return;
    }
    if (line.startsWith('add ')) {
      const c = cookieOf(line);
      if (c === undefined) return;
      const flows = this.known(c);
      const id = identityOf(line);
      for (const held of this.cookies.values()) held.delete(id);
      if (flows) this.cookies.set(c, flows.set(id, line));
      return;
    }
    if (!line.startsWith('packet-out ')) this.forgetAll(); // a line this record cannot follow
  }

  private copy(): InstalledFlows {
    const copy = new InstalledFlows();
    copy.cookies = new Map([...this.cookies].map(([c, flows]) => [c, new Map(flows)]));
    copy.emptyElsewhere = this.emptyElsewhere;
    return copy;
  }

  private replaceWith(other: InstalledFlows): void {
    this.cookies = other.cookies;
    this.emptyElsewhere = other.emptyElsewhere;
  }
}
