import {
  type BatchSummary,
  type BatchType,
  type CommandEnvelope,
  type CommandOutcome,
  type CommandSpec,
  type ImportRequest,
  type RevertRequest,
} from '@pool/contracts';
import { POOL_OBJECT_KINDS, type PoolSnapshot } from '@pool/domain';
import { assertPoolId } from '../api/validate-command.js';
import { CommandError } from '../commands/command-errors.js';
import { type CommandService } from '../commands/command-service.js';
import { type ParsedCommand } from '../commands/parse-command.js';
import { parsePoint } from '../history/history-query.js';
import { type PoolHistory, versionMismatch } from '../history/pool-history.js';
import { parseParts, readBatch } from './parse-batch.js';

/**
 * Several commands as one change (issue 22): `ApplyChanges` (any commands), `RevertPool` (the
 * commands back to a version's configuration) and `ImportPool` (an export into a new or empty
 * pool). Each is one request to the pool's writer: its commands decided in order, each against
 * the state the ones before it left, and appended together with the expected version, or
 * nothing. A stale expected version is 409 VERSION_MISMATCH (the body states it; If-Match's
 * 412 is for single commands).
 */
export class ChangeBatches {
  constructor(
    private readonly commands: CommandService,
    private readonly history: PoolHistory,
  ) {}

  async run(
    type: BatchType,
    pool: string,
    data: unknown,
    envelope: CommandEnvelope,
  ): Promise<CommandOutcome> {
    assertPoolId(pool);
    const batch = readBatch(type, data, envelope);
    switch (batch.type) {
      case 'ApplyChanges': {
        const { commands, expectedVersion } = batch.data;
        const parts = parseParts(pool, commands);
        return this.apply(pool, parts, { ...envelope, expectedVersion }, { type });
      }
      case 'RevertPool':
        return this.revert(pool, batch.data, envelope);
      case 'ImportPool':
        return this.import(pool, batch.data, envelope);
    }
  }

  /**
   * The plan is computed at the expected version, not at whatever the head is now: the writer
   * then refuses it unless the pool is still there, and a retry of the same key finds the same
   * commands (and its first outcome) even after the pool moved on.
   */
  private async revert(
    pool: string,
    request: RevertRequest,
    envelope: CommandEnvelope,
  ): Promise<CommandOutcome> {
    const { expectedVersion } = request;
    const point = parsePoint(request.toVersion, 'toVersion');
    const plan = await this.history.revertPlan(pool, point, expectedVersion);
    const commands = request.commands ?? plan.commands;
    if (commands.length === 0) {
      // Nothing to write, so no writer checks the version: a stale one is said here.
      const head = await this.history.headOf(pool);
      if (head !== expectedVersion) throw versionMismatch(head, expectedVersion);
      throw new CommandError(
        409,
        'NOTHING_TO_REVERT',
        `The configuration at ${plan.to} is the one at ${plan.from} but for what cannot be ` +
          'reverted (listed in details); no command to apply.',
        { notReverted: plan.notReverted },
      );
    }
    const parts = parseParts(pool, commands);
    const revert = { from: plan.from, to: plan.to };
    // Every event of the revert says what caused it, beside its command id and actor.
    const outcome = await this.apply(
      pool,
      parts,
      { ...envelope, expectedVersion },
      { type: 'RevertPool', revert },
    );
    return {
      ...outcome,
      batch: { ...outcome.batch!, revert, notReverted: plan.notReverted },
    };
  }

  /**
   * Into a pool that does not exist, the list must start with CreatePool, which takes this
   * pool's id (and `name` if given); into one that holds nothing but its creation, a leading
   * CreatePool is left out. A pool with anything in it is refused (409 POOL_NOT_EMPTY).
   */
  private async import(
    pool: string,
    request: ImportRequest,
    envelope: CommandEnvelope,
  ): Promise<CommandOutcome> {
    const { version, state } = await this.history.current(pool);
    if (request.expectedVersion !== undefined && request.expectedVersion !== version) {
      throw versionMismatch(version, request.expectedVersion);
    }
    const [first, ...rest] = request.commands;
    let commands: CommandSpec[];
    if (state === null) {
      if (first?.type !== 'CreatePool') {
        throw new CommandError(
          400,
          'IMPORT_NEEDS_CREATE_POOL',
          `Pool ${pool} does not exist: an import into it starts with CreatePool, as an ` +
            'export does.',
          { index: 0, commandType: first?.type },
        );
      }
      const data = { ...(first.data as object), poolId: pool };
      commands = [
        { type: 'CreatePool', data: request.name ? { ...data, name: request.name } : data },
        ...rest,
      ];
    } else {
      const held = objectsHeld(state);
      if (held.length > 0) {
        throw new CommandError(
          409,
          'POOL_NOT_EMPTY',
          `Pool ${pool} already holds ${held.join(', ')}: import into a new pool, or an empty one.`,
          { holds: held },
        );
      }
      commands = first?.type === 'CreatePool' ? rest : request.commands;
    }
    const parts = parseParts(pool, commands);
    return this.apply(
      pool,
      parts,
      { ...envelope, expectedVersion: version },
      { type: 'ImportPool' },
    );
  }

  private async apply(
    pool: string,
    parts: ParsedCommand[],
    envelope: CommandEnvelope,
    causation: Record<string, unknown> & { type: BatchType },
  ): Promise<CommandOutcome> {
    if (parts.length === 0) {
      throw new CommandError(400, 'BAD_COMMANDS', 'Nothing to apply: the batch has no command.');
    }
    try {
      const outcome = await this.commands.executeAll(pool, parts, envelope, { causation });
      const batch: BatchSummary = { type: causation.type, commands: parts.length };
      return { ...outcome, batch };
    } catch (error) {
      if (error instanceof CommandError && error.code === 'VERSION_MISMATCH') {
        throw new CommandError(409, error.code, error.message, error.details);
      }
      throw error;
    }
  }
}

/** `3 hosts, 1 networks`: what a pool holds besides itself. */
function objectsHeld(state: PoolSnapshot): string[] {
  return POOL_OBJECT_KINDS.filter((kind) => kind !== 'pool').flatMap((kind) => {
    const list = state[kind] as unknown[];
    return list.length > 0 ? [`${list.length} ${kind}`] : [];
  });
}
