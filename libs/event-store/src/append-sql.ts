import { randomUUID } from 'node:crypto';
import {
  IdempotencyKeyReusedError,
  PartialDuplicateError,
  WrongExpectedVersionError,
  type EventStoreError,
} from './errors.js';
import { type AppendRequest, type AppendResult, type CommandResult } from './types.js';

/** Shapes requests as the `es_append(jsonb)` function reads them. */
export function toSqlRequests(requests: AppendRequest[]): string {
  return JSON.stringify(
    requests.map((r) => {
      const expected = r.expectedVersion ?? 'any';
      let offset = 0;
      return {
        streamId: r.streamId,
        streamType: r.streamId.split(':')[0],
        expected: typeof expected === 'number' ? 'exact' : expected,
        expectedVersion: typeof expected === 'number' ? expected : null,
        events: r.events.map((e) => ({
          eventId: e.eventId ?? randomUUID(),
          type: e.type,
          schemaVersion: e.schemaVersion ?? 1,
          data: e.data,
          metadata: e.metadata ?? {},
        })),
        commands: (r.commands ?? []).map((c) => {
          const shaped = {
            commandId: c.commandId,
            firstOffset: offset,
            count: c.eventCount,
            fingerprint: c.fingerprint ?? null,
          };
          offset += c.eventCount;
          return shaped;
        }),
      };
    }),
  );
}

export type SqlOutcome =
  | {
      outcome: 'appended';
      firstVersion: number;
      lastVersion: number;
      transactionId: string;
      positions: string[];
    }
  | { outcome: 'duplicate' | 'partial_duplicate'; commands: SqlCommand[] }
  | { outcome: 'key_reused'; commandIds: string[] }
  | { outcome: 'wrong_version'; actualVersion: number };

interface SqlCommand {
  commandId: string;
  streamId: string;
  firstVersion: number;
  lastVersion: number;
}

/** Turns one `es_append` outcome into a result, or the typed error to reject with. */
export function toAppendResult(
  request: AppendRequest,
  outcome: SqlOutcome,
): AppendResult | EventStoreError {
  switch (outcome.outcome) {
    case 'appended': {
      let version = outcome.firstVersion;
      const commands: CommandResult[] = (request.commands ?? []).map((c) => {
        const result = {
          commandId: c.commandId,
          streamId: request.streamId,
          firstVersion: version,
          lastVersion: version + c.eventCount - 1,
        };
        version += c.eventCount;
        return result;
      });
      return {
        streamId: request.streamId,
        duplicate: false,
        firstVersion: outcome.firstVersion,
        nextExpectedVersion: outcome.lastVersion,
        positions: outcome.positions,
        transactionId: outcome.transactionId,
        commands,
      };
    }
    case 'duplicate': {
      const commands = outcome.commands.map(
        ({ commandId, streamId, firstVersion, lastVersion }) => ({
          commandId,
          streamId,
          firstVersion,
          lastVersion,
        }),
      );
      return {
        streamId: request.streamId,
        duplicate: true,
        firstVersion: Math.min(...commands.map((c) => c.firstVersion)),
        nextExpectedVersion: Math.max(...commands.map((c) => c.lastVersion)),
        positions: [],
        commands,
      };
    }
    case 'partial_duplicate':
      return new PartialDuplicateError(outcome.commands.map((c) => c.commandId));
    case 'key_reused':
      return new IdempotencyKeyReusedError(outcome.commandIds);
    case 'wrong_version':
      return new WrongExpectedVersionError(
        request.streamId,
        request.expectedVersion ?? 'any',
        outcome.actualVersion,
      );
  }
}
