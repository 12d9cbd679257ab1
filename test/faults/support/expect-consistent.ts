import { expect } from 'vitest';
import { type ScenarioResult } from './scenario.js';

export interface Allowances {
  /** Messages on the events subject that are not the pool's events (a scenario put them there). */
  foreignMessages?: number;
}

/** What every scenario must end with, whatever its fault. */
export function expectConsistent(r: ScenarioResult, allow: Allowances = {}): void {
  expect(r.crashed, 'processes that died on their own').toEqual([]);
  expect(r.log.acknowledged, 'commands acknowledged').toBeGreaterThan(0);
  expect(r.log.lost, 'acknowledged commands missing from the log').toEqual([]);
  expect(r.log.duplicateEffects, 'commands applied twice').toBe(0);
  expect(r.log.versionGaps, 'versions out of order').toBe(0);
  expect(r.unanswered, 'commands never answered').toBe(0);
  expect(r.refusals, 'commands refused').toEqual([]);
  // Everything the driver sent was answered, so nothing is in the log that nobody was told of.
  expect(r.log.unacknowledgedInLog, 'commands in the log never acknowledged').toBe(0);
  expect(
    r.stream.missing,
    `log versions missing from the events stream: ${r.stream.missingRanges}`,
  ).toBe(0);
  expect(r.stream.duplicates, 'events published twice').toBe(0);
  expect(r.stream.foreign, 'foreign messages on the events subject').toBe(
    allow.foreignMessages ?? 0,
  );
  expect(r.reports.checked, 'host reports checked').toBeGreaterThan(0);
  expect(r.reports.mismatches, 'reports whose digest is not the model’s').toEqual([]);
  expect(r.readModels, 'read models').not.toMatch(/^DIFFERENT/);
  // Break before make (libs/vswitch placement): never two forwarding ports for one VIF.
  expect(r.overlaps, 'VIFs seen forwarding on two hosts').toEqual([]);
  expect(r.atRestOverlaps, 'VIFs forwarding on two hosts at rest').toEqual([]);
  expect(r.migrations.givenUp, 'migrations the coordinator never finished').toBe(0);
}
