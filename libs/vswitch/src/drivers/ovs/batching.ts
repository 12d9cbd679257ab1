import type { Operation } from '../../planner/operation.js';
import type { OfStep } from './ovs-steps.js';

/** A step with the operation it came from, for error reports. */
export interface Tagged<T> {
  op: Operation;
  step: T;
}

const CONCURRENCY = 8;

/** Runs `work` over `items`, at most 8 at a time: enough to overlap process start-up. */
export async function inBatches<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += CONCURRENCY) {
    await Promise.all(items.slice(i, i + CONCURRENCY).map(work));
  }
}

/** Consecutive bundles for one bridge become one bundle: fewer processes, same order. */
export function mergeBundles(steps: Tagged<OfStep>[]): Tagged<OfStep>[] {
  const merged: Tagged<OfStep>[] = [];
  for (const current of steps) {
    const last = merged.at(-1);
    if (
      last?.step.kind === 'bundle' &&
      current.step.kind === 'bundle' &&
      last.step.bridge === current.step.bridge
    ) {
      last.step = { ...last.step, lines: [...last.step.lines, ...current.step.lines] };
    } else {
      merged.push({ ...current });
    }
  }
  return merged;
}
