import type { EventEnvelope } from '@pool/contracts';

/**
 * Reads the relay's envelope, or says why it cannot: a message that is not one of this pool's
 * events must never be folded into the replica.
 */
export function decodeEnvelope(
  data: Uint8Array,
  pool: string,
): { envelope: EventEnvelope; raw: string } | { error: string } {
  let parsed: unknown;
  let raw: string;
  try {
    raw = decoder.decode(data);
    parsed = JSON.parse(raw);
  } catch {
    return { error: 'not JSON' };
  }
  const e = parsed as Partial<EventEnvelope> | null;
  if (typeof e !== 'object' || e === null) return { error: 'not an object' };
  if (e.pool !== pool) return { error: `event of pool ${String(e.pool)}` };
  if (!Number.isSafeInteger(e.version) || (e.version ?? 0) < 1) return { error: 'bad version' };
  if (typeof e.type !== 'string' || !Number.isInteger(e.schemaVersion)) {
    return { error: 'bad type or schema version' };
  }
  return { envelope: e as EventEnvelope, raw };
}

const decoder = new TextDecoder();
