import { Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { filter } from 'rxjs';
import { ReadModelsDatabase } from '../../read-models/read-models.database.js';
import type { ChangeMessage } from '../../read-models/read-model-store.js';
import { ApiErrorModel } from '../openapi/read-api-models.js';
import { requirePool } from '../queries/sql-fragments.js';
import { ChangeFeed } from './change-feed.js';

export const HEARTBEAT_MS = 15_000;

const frame = ({ type, ...data }: ChangeMessage): string =>
  `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;

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
      'a host report arrives; a comment heartbeat every 15 s.',
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
    socket.write(`retry: 2000\n: stream of pool ${pool}\n\n`);
    const heartbeat = setInterval(() => socket.write(': heartbeat\n\n'), HEARTBEAT_MS);
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
