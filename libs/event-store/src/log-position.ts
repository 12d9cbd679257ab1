import { type LogPosition } from './types.js';

/** Compares two log positions in commit order. */
export function comparePositions(a: LogPosition, b: LogPosition): number {
  if (a.epoch !== b.epoch) return a.epoch - b.epoch;
  const tx = BigInt(a.transactionId) - BigInt(b.transactionId);
  if (tx !== 0n) return tx < 0n ? -1 : 1;
  const pos = BigInt(a.globalPosition) - BigInt(b.globalPosition);
  return pos === 0n ? 0 : pos < 0n ? -1 : 1;
}

export const formatPosition = (p: LogPosition): string =>
  `${p.epoch}:${p.transactionId}:${p.globalPosition}`;

export function parsePosition(text: string): LogPosition | undefined {
  const match = /^(\d{1,5}):(\d{1,20}):(\d{1,20})$/.exec(text);
  if (!match) return undefined;
  return { epoch: Number(match[1]), transactionId: match[2]!, globalPosition: match[3]! };
}
