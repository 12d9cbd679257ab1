import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { POOL_STREAM_PREFIX, type EventEnvelope } from '@pool/contracts';
import { formatPosition, PostgresEventStore, type RecordedEvent } from '@pool/event-store';
import { RequireRole } from '@pool/platform';
import { CommandError } from '../../commands/command-errors.js';
import { PoolIdPipe } from '../http/pool-id.pipe.js';
import { ApiErrorModel, EventsPageModel } from '../openapi/api-models.js';

export const MAX_EVENTS_LIMIT = 1000;
const DEFAULT_LIMIT = 100;

export interface EventsPage {
  pool: string;
  events: EventEnvelope[];
  /** The `after` of the next page. */
  next: number;
}

/** The pool's log itself, in version order, for audit and for clients that follow it. */
@Controller('pools/:pool/events')
@RequireRole('read-only')
@ApiTags('events')
export class EventsController {
  constructor(@Inject(PostgresEventStore) private readonly store: PostgresEventStore) {}

  @Get()
  @ApiOperation({ summary: "Read a pool's events after a version" })
  @ApiParam({ name: 'pool', description: 'The pool id' })
  @ApiQuery({
    name: 'after',
    required: false,
    type: 'integer',
    description: 'Version to read after (default 0: from the start)',
  })
  @ApiQuery({
    name: 'limit',
    required: false,
    type: 'integer',
    description: `At most this many events, 1–${MAX_EVENTS_LIMIT} (default ${DEFAULT_LIMIT})`,
  })
  @ApiOkResponse({ type: EventsPageModel })
  @ApiBadRequestResponse({
    type: ApiErrorModel,
    description: 'BAD_AFTER, BAD_LIMIT, UNKNOWN_QUERY_PARAMETER',
  })
  @ApiNotFoundResponse({ type: ApiErrorModel, description: 'POOL_NOT_FOUND' })
  async list(
    @Param('pool', PoolIdPipe) pool: string,
    @Query() query: Record<string, unknown>,
  ): Promise<EventsPage> {
    const { after, limit } = parseEventsQuery(query);
    const streamId = `${POOL_STREAM_PREFIX}${pool}`;
    const events = await this.store.readStream(streamId, after + 1, limit);
    // An empty page is normal past the end; only a pool without a single event is unknown.
    if (events.length === 0 && (await this.store.streamVersion(streamId)) === 0) {
      throw new CommandError(404, 'POOL_NOT_FOUND', `Pool ${pool} does not exist.`, { pool });
    }
    return {
      pool,
      events: events.map((event) => toEnvelope(pool, event)),
      next: events.at(-1)?.streamVersion ?? after,
    };
  }
}

const VERSION = /^\d{1,15}$/;

export function parseEventsQuery(query: Record<string, unknown>): { after: number; limit: number } {
  const unknown = Object.keys(query).filter((key) => key !== 'after' && key !== 'limit');
  if (unknown.length > 0) {
    throw new CommandError(
      400,
      'UNKNOWN_QUERY_PARAMETER',
      `Unknown query parameter(s) ${unknown.join(', ')}; events take after and limit.`,
      { parameters: unknown },
    );
  }
  const after = query.after === undefined ? 0 : toInteger(query.after);
  if (after === undefined) {
    throw new CommandError(400, 'BAD_AFTER', 'after must be a pool version: an integer ≥ 0.');
  }
  const limit = query.limit === undefined ? DEFAULT_LIMIT : toInteger(query.limit);
  if (limit === undefined || limit < 1 || limit > MAX_EVENTS_LIMIT) {
    throw new CommandError(
      400,
      'BAD_LIMIT',
      `limit must be an integer from 1 to ${MAX_EVENTS_LIMIT}.`,
    );
  }
  return { after, limit };
}

const toInteger = (value: unknown): number | undefined =>
  typeof value === 'string' && VERSION.test(value) ? Number(value) : undefined;

const toEnvelope = (pool: string, event: RecordedEvent): EventEnvelope => ({
  id: event.eventId,
  pool,
  version: event.streamVersion,
  position: formatPosition(event.position),
  type: event.type,
  schemaVersion: event.schemaVersion,
  data: event.data,
  metadata: event.metadata,
  createdAt: event.createdAt,
});
