import { randomUUID } from 'node:crypto';
import { RequestError, type NatsConnection } from '@nats-io/transport-node';
import {
  subjects,
  type CommandEnvelope,
  type CommandOutcome,
  type CommandReply,
} from '@pool/contracts';
import { type PoolCommand } from '@pool/domain';
import { commandFingerprint } from './command-fingerprint.js';
import { CommandError, NotLeaderError } from './command-errors.js';
import { type ParsedCommand } from './parse-command.js';
import { type ModelEvent } from './pool-model.js';
import { type PoolLeadership } from './pool-leadership.js';
import { type SubmittedCommand } from './pool-writer.js';
import { type ConvergenceTracker } from '../convergence/convergence-tracker.js';

export interface CommandServiceOptions {
  nc: NatsConnection;
  subjectRoot: string;
  /** How long a command may look for its pool's leader (failover included). */
  leaderTimeoutMs?: number;
  forwardTimeoutMs?: number;
  defaultWaitTimeoutMs?: number;
}

/** A command's type and data, as its idempotency fingerprint reads them. */
export interface IncomingCommand {
  type: string;
  data: unknown;
}

/**
 * The one entry for every command on every transport (REST, NATS, gRPC): run it here if this
 * replica leads the pool (or wins it now), otherwise forward it to the leader over NATS. Each
 * command gets an id at the entry, so a retry after a failover is applied once. Commands come
 * in parsed (`parseCommand`, at each transport's edge); the entry adds the time and the actor.
 */
export class CommandService {
  constructor(
    private readonly leadership: PoolLeadership<PoolCommand, ModelEvent, unknown>,
    private readonly convergence: ConvergenceTracker,
    private readonly options: CommandServiceOptions,
  ) {}

  execute(
    pool: string,
    command: ParsedCommand,
    envelope: CommandEnvelope = {},
  ): Promise<CommandOutcome> {
    return this.executeAll(pool, [command], envelope);
  }

  /**
   * One request made of several commands (a PIF's role and MTU, a revert): every part was
   * parsed before this call, each is decided in order against the state the ones before it
   * left, and the events of all are appended together or not at all, under one command id.
   * `recorded` joins the metadata of every event (what caused them, for a revert).
   */
  async executeAll(
    pool: string,
    parts: ParsedCommand[],
    envelope: CommandEnvelope = {},
    recorded: Record<string, unknown> = {},
  ): Promise<CommandOutcome> {
    const now = new Date().toISOString();
    const actor = envelope.actor ?? 'anonymous';
    const [command, ...more] = parts.map((part): PoolCommand => ({
      ...part,
      metadata: { now, actor },
    }));
    if (!command) throw new Error('executeAll needs at least one command');
    const submitted: SubmittedCommand<PoolCommand> = {
      command,
      ...(more.length > 0 ? { more } : {}),
      commandId: envelope.commandId ?? randomUUID(),
      // Only a caller's key can come back; a generated id is never reused.
      fingerprint: envelope.commandId === undefined ? undefined : commandFingerprint(pool, parts),
      mayRepeat: envelope.commandId !== undefined,
      expectedVersion: envelope.expectedVersion,
      metadata: { ...recorded, actor, at: now },
    };
    const outcome = await this.route(pool, submitted);
    if (envelope.wait !== 'hosts') return outcome;
    const hosts = await this.convergence.waitFor(
      pool,
      outcome.version,
      outcome.enabledHosts,
      envelope.waitTimeoutMs ?? this.options.defaultWaitTimeoutMs ?? 30_000,
      outcome,
    );
    const notPlugged = this.convergence.notPlugged(pool, outcome.enabledHosts);
    return { ...outcome, hosts, ...(notPlugged.length > 0 ? { notPlugged } : {}) };
  }

  private async route(
    pool: string,
    submitted: SubmittedCommand<PoolCommand>,
  ): Promise<CommandOutcome> {
    const deadline = Date.now() + (this.options.leaderTimeoutMs ?? 10_000);
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.attempt(pool, submitted);
      } catch (error) {
        if (!isLeaderGone(error) || Date.now() > deadline) throw error;
        // The failed attempt may have been written before the leader went away.
        submitted.mayRepeat = true;
        await new Promise((r) => setTimeout(r, Math.min(500, 20 * 2 ** attempt)));
      }
    }
  }

  /**
   * Here if this replica leads the pool; otherwise to the leader, and only when nobody answers
   * for the pool does this replica campaign for it. Forwarding first keeps the lock session out
   * of the path of a pool led elsewhere: with a thousand pools over three replicas, two commands
   * in three would otherwise queue a lock query on the replica's one lock connection.
   */
  private async attempt(
    pool: string,
    submitted: SubmittedCommand<PoolCommand>,
  ): Promise<CommandOutcome> {
    const led = this.leadership.leading(pool);
    if (led) return led.submit(submitted);
    try {
      return await this.forward(pool, submitted);
    } catch (error) {
      // A request nobody received was not applied: campaigning and running it here is safe.
      if (!(error instanceof RequestError && error.isNoResponders())) throw error;
    }
    const writer = await this.leadership.writerFor(pool);
    if (writer) return writer.submit(submitted);
    return this.forward(pool, submitted);
  }

  private async forward(
    pool: string,
    submitted: SubmittedCommand<PoolCommand>,
  ): Promise<CommandOutcome> {
    const msg = await this.options.nc.request(
      subjects(this.options.subjectRoot).leader(pool),
      JSON.stringify(submitted),
      { timeout: this.options.forwardTimeoutMs ?? 5000 },
    );
    const reply = msg.json<CommandReply>();
    if (reply.ok) return reply.result;
    throw CommandError.fromWire(reply.error);
  }
}

/** Failures after which the command is retried: the leader changed or is changing. */
function isLeaderGone(error: unknown): boolean {
  if (error instanceof NotLeaderError) return true;
  if (error instanceof CommandError) return error.code === 'NOT_LEADER';
  const name = (error as { name?: string; code?: string })?.name ?? '';
  // No replica subscribed for the pool yet, or the leader died while holding the request.
  return name === 'NoRespondersError' || name === 'TimeoutError' || name === 'RequestError';
}
