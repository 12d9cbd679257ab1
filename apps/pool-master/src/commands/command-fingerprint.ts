import { createHash } from 'node:crypto';
import { configure } from 'safe-stable-stringify';
import { type IncomingCommand } from './command-service.js';

/** Keys sorted, nothing dropped silently: the same data always prints the same. */
const canonical = configure({ deterministic: true, bigint: false, circularValue: Error });

/** Where an entry lists the fields it filled in itself (JSON and forwarding never carry it). */
const GENERATED = Symbol('fields the entry generated');

/**
 * Marks `fields` of `data` as filled in by the entry (a REST route's generated id), not asked
 * for by the caller: a retry under the same key generates them anew and is still the same
 * command. The mark is an enumerable symbol, so spreads of `data` keep it and JSON drops it.
 */
export function markGenerated<T extends Record<string, unknown>>(data: T, fields: string[]): T {
  return Object.assign(data, { [GENERATED]: fields });
}

/**
 * What an idempotency key is bound to: the pool, and each part's type and canonical data
 * (keys sorted, generated fields left out). Metadata (time, actor) is not part of it.
 */
export function commandFingerprint(pool: string, parts: IncomingCommand[]): string {
  const asked = parts.map(({ type, data }) => ({ type, data: withoutGenerated(data) }));
  const text = canonical({ pool, parts: asked }) ?? '';
  return createHash('sha256').update(text).digest('base64url');
}

function withoutGenerated(data: unknown): unknown {
  if (data === null || typeof data !== 'object') return data;
  const generated = (data as { [GENERATED]?: string[] })[GENERATED];
  if (!generated) return data;
  return Object.fromEntries(Object.entries(data).filter(([key]) => !generated.includes(key)));
}
