/**
 * A fact that happened, as stored in a stream. `data` is JSON-safe (ISO strings for instants,
 * string ids, `null` rather than a missing field) and `schemaVersion` tells an upcaster which
 * shape it holds. A type string is never renamed once stored: a new meaning gets a new type.
 */
export type Event<
  Type extends string = string,
  Data extends object = object,
  SchemaVersion extends number = number,
> = Readonly<{
  type: Type;
  data: Readonly<Data>;
  schemaVersion: SchemaVersion;
}>;

/** The shape an upcaster receives: what came out of the store, before it is trusted. */
export type StoredEvent = Readonly<{ type: string; schemaVersion: number; data: unknown }>;
