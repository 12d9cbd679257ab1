/**
 * The balancing rule for pool leadership, as pure arithmetic over what the replicas' heartbeats
 * say (replica → pools it leads): every replica's share is capped at
 * ceil(pools led / live replicas), a replica over its cap hands the excess to the replicas
 * under theirs (fewest first), and a pool nobody leads goes to this replica unless that would
 * put it over its cap while another has room. The cap has no slack: it is already the smallest
 * that fits every pool, and nothing moves once every replica is at or under it.
 */
export type Shares = ReadonlyMap<string, number>;

export function shareCap(shares: Shares, extra = 0): number {
  let total = extra;
  for (const led of shares.values()) total += led;
  return Math.ceil(total / Math.max(1, shares.size));
}

/** Which of `ledPools` this replica should hand over, and to whom. */
export function planHandovers(
  self: string,
  shares: Shares,
  ledPools: readonly string[],
): { pool: string; to: string }[] {
  const cap = shareCap(shares);
  const excess = ledPools.length - cap;
  if (excess <= 0) return [];
  const room = new Map([...shares].filter(([replica, led]) => replica !== self && led < cap));
  const plan: { pool: string; to: string }[] = [];
  for (const pool of ledPools.slice(0, excess)) {
    const to = fewest(room);
    if (to === undefined) break;
    plan.push({ pool, to });
    const led = room.get(to)! + 1;
    if (led < cap) room.set(to, led);
    else room.delete(to);
  }
  return plan;
}

/** Who should lead a pool nobody leads: this replica, or one with more room under the cap. */
export function placeUnled(self: string, shares: Shares): string {
  const cap = shareCap(shares, 1);
  const mine = shares.get(self) ?? 0;
  if (mine < cap) return self;
  const others = new Map([...shares].filter(([replica, led]) => replica !== self && led < cap));
  return fewest(others) ?? self;
}

function fewest(shares: ReadonlyMap<string, number>): string | undefined {
  let best: string | undefined;
  for (const [replica, led] of shares) {
    if (best === undefined || led < shares.get(best)!) best = replica;
  }
  return best;
}
