import { describe, expect, it } from 'vitest';
import type { Operation } from '../../planner/operation.js';
import { commandChunks, type Tagged } from './batching.js';

const op = (port: string): Operation => ({
  kind: 'setPortAcls',
  bridge: 'b',
  port,
  mac: '',
  acls: [],
});

describe('commandChunks', () => {
  it('keeps a transaction that fits whole', () => {
    const a = op('a');
    const commands: Tagged<string[]>[] = [
      { op: a, step: ['set', 'Interface', 'a', 'x=1'] },
      { op: a, step: ['set', 'Port', 'a', 'tag=1'] },
    ];
    expect(commandChunks(commands)).toEqual([commands]);
  });

  it('cuts between operations only, in order, each call within the budget', () => {
    const ops = ['a', 'b', 'c', 'd'].map(op);
    const big = 'x'.repeat(300);
    const commands = ops.flatMap((o) => [
      { op: o, step: ['set', 'Interface', big] },
      { op: o, step: ['set', 'Port', big] },
    ]);
    const chunks = commandChunks(commands, 1500);
    expect(chunks.flat()).toEqual(commands);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) {
      const bytes = chunk.reduce(
        (sum, c) => sum + 12 + c.step.reduce((s, arg) => s + arg.length + 9, 0),
        0,
      );
      expect(bytes).toBeLessThanOrEqual(1500);
      // Both commands of an operation (which may share --id=@refs) are in one call.
      expect(chunk.length % 2).toBe(0);
      expect(chunk[0]!.op).toBe(chunk[1]!.op);
    }
  });

  it('gives an operation larger than the budget a call of its own', () => {
    const [a, b] = [op('a'), op('b')];
    const commands = [
      { op: a, step: ['set', 'x'.repeat(2000)] },
      { op: b, step: ['set', 'y'] },
    ];
    expect(commandChunks(commands, 1000)).toEqual([[commands[0]], [commands[1]]]);
  });
});
