import type { StoredEvent } from '../core/event.js';
import { POOL_EVENT_SCHEMA_VERSIONS, type PoolEvent, type PoolEventType } from './pool.events.js';

/*
 * Stored events come back at the schema version they were written with; readers only ever see
 * the current shapes. To change a shape: freeze the old one as `XxxV1` in pool.events.v1.ts,
 * bump its entry in POOL_EVENT_SCHEMA_VERSIONS, and add a step here from version n to n + 1,
 * with a fixture test. Type strings never change.
 */

/** Turns the data of version n into the data of version n + 1. */
export type UpcastStep = (data: unknown) => unknown;

export class UpcastError extends Error {
  override readonly name = 'UpcastError';
}

/**
 * An upcaster over `versions` (type → current schema version) and `steps`
 * (type → n → step from n to n + 1). Throws on an unknown type or version.
 */
export const createUpcaster =
  <E extends { type: string }>(
    versions: Readonly<Record<string, number>>,
    steps: Readonly<Record<string, Readonly<Record<number, UpcastStep>>>>,
  ) =>
  (stored: StoredEvent): E => {
    const { type } = stored;
    if (!Object.hasOwn(versions, type)) throw new UpcastError(`unknown event type ${type}`);
    const current = versions[type] ?? 0;
    let { schemaVersion: version, data } = stored;
    if (!Number.isInteger(version) || version < 1 || version > current) {
      throw new UpcastError(`${type} has unknown schema version ${version}`);
    }
    for (; version < current; version++) {
      const step = steps[type]?.[version];
      if (step === undefined) throw new UpcastError(`no upcaster for ${type} v${version}`);
      data = step(data);
    }
    return { type, schemaVersion: current, data } as unknown as E;
  };

/** `POOL_UPCASTS[type][n]` turns version n data into version n + 1. None exist yet. */
const POOL_UPCASTS: Partial<Record<PoolEventType, Record<number, UpcastStep>>> = {};

/** Brings a stored pool event to the current schema version of its type. */
export const upcastPoolEvent: (stored: StoredEvent) => PoolEvent = createUpcaster<PoolEvent>(
  POOL_EVENT_SCHEMA_VERSIONS,
  POOL_UPCASTS,
);
