import { Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { filter } from 'rxjs';
import { ReadModelsDatabase } from '../../read-models/read-models.database.js';
import type { ChangeMessage } from '../../read-models/read-model-store.js';
import { ApiErrorModel } from '../openapi/read-api-models.js';
import { requirePool } from '../queries/sql-fragments.js';
import { ChangeFeed } from './change-feed.js';

/**
 * How often an idle stream says it is alive. An event, not an SSE comment: the browser's
 * EventSource never shows comments to the page, and the page must tell a quiet pool from a
 * dead stream (the dashboard calls the link lost after three missed beats).
 */
export const HEARTBEAT_MS = 5_000;

const frame = ({ type, ...data }: ChangeMessage): string =>
  `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;

/** Carries its interval, so a client's bound follows the server's rhythm. */
export const HEARTBEAT_FRAME = `event: heartbeat\ndata: ${JSON.stringify({ intervalMs: HEARTBEAT_MS })}\n\n`;

/** Server-sent events of one pool, written straight to the socket (through Fastify's hijack). */
@ApiTags('stream')
@Controller('api/pools')
export class StreamController {
  constructor(
    @Inject(ReadModelsDatabase) private readonly db: ReadModelsDatabase,
    @Inject(ChangeFeed) private readonly feed: ChangeFeed,
  ) {}

  @Get(':pool/stream')
  @ApiOperation({
    summary: 'Live changes of a pool (server-sent events)',
    description:
      '`event: change` with `{ pool, version, kinds }` after every committed read-model batch ' +
      'touching the pool; `event: host` with `{ pool, hostId, appliedVersion, lagEvents }` when ' +
      'a host report arrives; `event: heartbeat` with `{ intervalMs }` on connect and every ' +
      `${HEARTBEAT_MS / 1000} s, so a client can tell a quiet pool from a dead stream.`,
  })
  @ApiParam({ name: 'pool' })
  @ApiProduces('text/event-stream')
  @ApiResponse({ status: 200, description: 'text/event-stream' })
  @ApiResponse({ status: 404, type: ApiErrorModel })
  async stream(
    @Param('pool') pool: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await requirePool(this.db.dataSource, pool); // a 404 before the stream starts
    reply.hijack();
    const socket = reply.raw;
    socket.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    socket.write(`retry: 2000\n: stream of pool ${pool}\n\n${HEARTBEAT_FRAME}`);
    const heartbeat = setInterval(() => socket.write(HEARTBEAT_FRAME), HEARTBEAT_MS);
    const subscription = this.feed.changes.pipe(filter((m) => m.pool === pool)).subscribe({
      next: (message) => socket.write(frame(message)),
      complete: () => socket.end(),
    });
    request.raw.once('close', () => {
      clearInterval(heartbeat);
      subscription.unsubscribe();
    });
  }
}
