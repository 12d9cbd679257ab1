import { InvalidAppendError } from './errors.js';
import { type AppendRequest, type ExpectedVersion } from './types.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MODES = new Set(['any', 'no_stream', 'stream_exists']);

export function assertValidRequest(request: AppendRequest): void {
  const { streamId, events, expectedVersion, commands } = request;
  if (typeof streamId !== 'string' || streamId.trim() === '' || streamId.length > 200) {
    throw new InvalidAppendError(
      'The stream id must be a non-empty string of at most 200 characters.',
    );
  }
  assertExpectedVersion(expectedVersion);
  if (!Array.isArray(events)) throw new InvalidAppendError('Events must be an array.');
  events.forEach((event, i) => {
    if (typeof event?.type !== 'string' || event.type === '') {
      throw new InvalidAppendError(`Event ${i} of ${streamId} has no type.`);
    }
    if (event.eventId !== undefined && !UUID.test(event.eventId)) {
      throw new InvalidAppendError(`Event ${i} of ${streamId} has an event id that is not a UUID.`);
    }
    const sv = event.schemaVersion;
    if (sv !== undefined && (!Number.isInteger(sv) || sv < 1)) {
      throw new InvalidAppendError(`Event ${i} of ${streamId} has a bad schema version.`);
    }
    assertJson(event.data, `event ${i} (${event.type}) data`);
    if (event.metadata !== undefined) assertJson(event.metadata, `event ${i} metadata`);
  });
  if (commands) {
    const total = commands.reduce((sum, c) => sum + c.eventCount, 0);
    if (total !== events.length || commands.some((c) => !c.commandId || c.eventCount < 0)) {
      throw new InvalidAppendError(
        'Command ids must name their event counts, which sum to the events.',
      );
    }
  }
}

function assertExpectedVersion(expected: ExpectedVersion | undefined): void {
  if (expected === undefined) return;
  if (typeof expected === 'number') {
    if (Number.isSafeInteger(expected) && expected >= 0) return;
  } else if (MODES.has(expected)) {
    return;
  }
  throw new InvalidAppendError(
    `Unknown expected version ${JSON.stringify(expected)}: use 'any', 'no_stream', 'stream_exists' or a version number.`,
  );
}

/** Stored data must survive a JSON round trip unchanged: no undefined, NaN, functions, classes. */
export function assertJson(value: unknown, where: string, depth = 0): void {
  if (depth > 64) throw new InvalidAppendError(`The ${where} is nested too deeply.`);
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (Number.isFinite(value)) return;
      throw new InvalidAppendError(`The ${where} holds a number JSON cannot represent.`);
    case 'object': {
      if (value === null) return;
      if (Array.isArray(value)) {
        for (const item of value) assertJson(item, where, depth + 1);
        return;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        throw new InvalidAppendError(`The ${where} holds a non-plain object, which is not JSON.`);
      }
      for (const item of Object.values(value)) assertJson(item, where, depth + 1);
      return;
    }
    default:
      throw new InvalidAppendError(`The ${where} holds a ${typeof value}, which is not JSON.`);
  }
}
