import { once } from 'node:events';
import { type Metadata, type ServerWritableStream } from '@grpc/grpc-js';
import { Controller, Inject, Logger } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { isBatchType, subjects, poolStreamId } from '@pool/contracts';
import { PostgresEventStore } from '@pool/event-store';
import { AccessControl, AccessDenied, NatsClient, type Principal, type Role } from '@pool/platform';
import { catchError, map, type Observable, throwError } from 'rxjs';
import { ChangeBatches } from '../batches/change-batches.js';
import { CommandError } from '../commands/command-errors.js';
import { CommandService } from '../commands/command-service.js';
import { parseDiffQuery, parseStateQuery } from '../history/history-query.js';
import { PoolHistory } from '../history/pool-history.js';
import { roleForCommand } from '../api/command-roles.js';
import { followPoolEvents } from './event-follower.js';
import { toGrpcException } from './grpc-errors.js';
import {
  parseCommandRequest,
  readCommandRequest,
  requirePoolId,
  toCommandResultMessage,
  toEventMessage,
  type CommandReplyMessage,
  type CommandRequestMessage,
  type DiffRequestMessage,
  type EventMessage,
  type FollowRequestMessage,
  type HistoryReplyMessage,
  type StateAtRequestMessage,
} from './grpc-messages.js';
import {
  POOL_MASTER_GRPC_OPTIONS,
  type PoolMasterGrpcOptions,
} from './pool-master-grpc.options.js';
import { GRPC_SERVICE } from './proto.js';

/** `poolnet.v1.PoolMaster` (libs/contracts/proto): the same command handler as REST and NATS. */
@Controller()
export class PoolMasterGrpcController {
  constructor(
    @Inject(CommandService) private readonly commands: CommandService,
    @Inject(PostgresEventStore) private readonly store: PostgresEventStore,
    @Inject(NatsClient) private readonly nats: NatsClient,
    @Inject(POOL_MASTER_GRPC_OPTIONS) private readonly options: PoolMasterGrpcOptions,
    @Inject(AccessControl) private readonly access: AccessControl,
    @Inject(PoolHistory) private readonly history: PoolHistory,
    @Inject(ChangeBatches) private readonly batches: ChangeBatches,
  ) {}

  @GrpcMethod(GRPC_SERVICE, 'StateAt')
  async stateAt(request: StateAtRequestMessage, metadata: Metadata): Promise<HistoryReplyMessage> {
    try {
      this.authorize(metadata, 'read-only');
      const pool = requirePoolId(request.pool);
      const point = parseStateQuery(request.point ? { version: request.point } : {});
      return { resultJson: JSON.stringify(await this.history.stateAt(pool, point)) };
    } catch (error) {
      throw toGrpcException(error);
    }
  }

  @GrpcMethod(GRPC_SERVICE, 'Diff')
  async diff(request: DiffRequestMessage, metadata: Metadata): Promise<HistoryReplyMessage> {
    try {
      this.authorize(metadata, 'read-only');
      const pool = requirePoolId(request.pool);
      const query = request.to ? { from: request.from, to: request.to } : { from: request.from };
      const { from, to } = parseDiffQuery(query);
      return { resultJson: JSON.stringify(await this.history.diff(pool, from, to)) };
    } catch (error) {
      throw toGrpcException(error);
    }
  }

  @GrpcMethod(GRPC_SERVICE, 'Execute')
  async execute(request: CommandRequestMessage, metadata: Metadata): Promise<CommandReplyMessage> {
    try {
      // Before anything else: a caller without the role learns nothing of its request's flaws.
      const principal = this.authorize(metadata, roleForCommand(request.type));
      if (isBatchType(request.type)) {
        const { data, envelope } = readCommandRequest(request);
        const batch = { ...envelope, actor: principal.name };
        const outcome = await this.batches.run(request.type, request.pool, data, batch);
        return { result: toCommandResultMessage(outcome) };
      }
      const { pool, command, envelope } = parseCommandRequest(request);
      const outcome = await this.commands.execute(pool, command, {
        ...envelope,
        actor: principal.name,
      });
      return { result: toCommandResultMessage(outcome) };
    } catch (error) {
      throw toGrpcException(error);
    }
  }

  @GrpcMethod(GRPC_SERVICE, 'FollowEvents')
  async followEvents(
    request: FollowRequestMessage,
    metadata: Metadata,
    call: ServerWritableStream<FollowRequestMessage, EventMessage>,
  ): Promise<Observable<EventMessage>> {
    let pool: string;
    try {
      this.authorize(metadata, 'read-only');
      pool = requirePoolId(request.pool);
      const version = await this.store.streamVersion(poolStreamId(pool)).catch((error: unknown) => {
        throw unavailable(error);
      });
      if (version === 0) {
        throw new CommandError(404, 'POOL_NOT_FOUND', `pool ${pool} does not exist`, { id: pool });
      }
    } catch (error) {
      throw toGrpcException(error);
    }
    const events = followPoolEvents(pool, request.afterVersion, {
      store: this.store,
      nats: () => this.nats.connection,
      wakeSubject: subjects(this.options.subjectRoot).events(pool),
      pollIntervalMs: this.options.pollIntervalMs ?? 200,
      pageSize: this.options.pageSize ?? 500,
      ready: async (signal) => {
        while (call.writableNeedDrain && !call.cancelled) await once(call, 'drain', { signal });
      },
    });
    return events.pipe(
      map((event) => toEventMessage(pool, event)),
      catchError((error: unknown) => throwError(() => toGrpcException(unavailable(error)))),
    );
  }

  /**
   * The REST bearer token, in the `authorization` metadata (`Bearer <token>`); a refusal is
   * UNAUTHENTICATED or PERMISSION_DENIED with the same code as over REST in the trailers.
   */
  private authorize(metadata: Metadata, needed: Role): Principal {
    const values = metadata.get('authorization').map(String);
    try {
      return this.access.authorize(values.length > 1 ? values : values[0], needed);
    } catch (error) {
      if (error instanceof AccessDenied) {
        throw new CommandError(error.status, error.code, error.message);
      }
      throw error;
    }
  }
}

const logger = new Logger('PoolMasterGrpc');

/** A failed read of the log (cause logged here): the client resumes from its last version. */
function unavailable(error: unknown): CommandError {
  logger.warn(`FollowEvents cannot read the event log: ${String(error)}`);
  return new CommandError(
    503,
    'EVENT_LOG_UNAVAILABLE',
    'The event log cannot be read right now; retry from the last version received.',
  );
}
