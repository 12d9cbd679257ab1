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

/**
 * One bridge's steps of one phase, with fewer round trips. Consecutive bundles become one
 * bundle, same order. Lines are appended in place to a bundle this function made, never copied
 * again: a boot of 1,000 ports merges ~3,000 bundles into one of ~53,000 lines, and copying the
 * growing list at each merge cost seconds. Port flood configs all go last, in one step (one
 * OpenFlow session): set after the ports' ACL flows, a port turned `no-flood` gets no flooded
 * frame until the bridge's flood flows (a later phase) deliver them through its ACLs.
 */
export function mergeSteps(steps: Tagged<OfStep>[]): Tagged<OfStep>[] {
  const merged: Tagged<OfStep>[] = [];
  let flood: Tagged<Extract<OfStep, { kind: 'portFlood' }>> | undefined;
  for (const current of steps) {
    if (current.step.kind === 'portFlood') {
      flood ??= { op: current.op, step: { ...current.step, ports: [] } };
      for (const port of current.step.ports) flood.step.ports.push(port);
      continue;
    }
    const last = merged.at(-1);
    if (
      last?.step.kind === 'bundle' &&
      current.step.kind === 'bundle' &&
      last.step.bridge === current.step.bridge
    ) {
      for (const line of current.step.lines) last.step.lines.push(line);
    } else {
      const { step } = current;
      merged.push({
        ...current,
        step: step.kind === 'bundle' ? { ...step, lines: [...step.lines] } : step,
      });
    }
  }
  if (flood) merged.push(flood);
  return merged;
}

/**
 * A phase's OVSDB transaction is cut into transactions of at most about this many bytes of
 * commands. This began as ovs-vsctl's limit (Linux refuses a program whose arguments pass
 * ARG_MAX, and a thousand ports with ten rules each was past it); over the JSON-RPC connection
 * it now only bounds one message, which ovsdb-server parses and commits in one go.
 */
export const ARG_BUDGET = 1 << 20;

const argBytes = (command: readonly string[]): number =>
  command.reduce((sum, arg) => sum + Buffer.byteLength(arg) + 1 + 8, 0) + '--'.length + 1 + 8;

/**
 * The commands in runs that fit `budget`, cut only between operations: an operation's commands
 * share `--id=@name` references, which live within one transaction.
 */
export function commandChunks(
  commands: readonly Tagged<string[]>[],
  budget = ARG_BUDGET,
): Tagged<string[]>[][] {
  const chunks: Tagged<string[]>[][] = [];
  let current: Tagged<string[]>[] = [];
  let bytes = 0;
  for (let i = 0; i < commands.length;) {
    const op = commands[i]!.op;
    let end = i;
    let size = 0;
    while (end < commands.length && commands[end]!.op === op) {
      size += argBytes(commands[end]!.step);
      end++;
    }
    if (current.length > 0 && bytes + size > budget) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(...commands.slice(i, end));
    bytes += size;
    i = end;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
