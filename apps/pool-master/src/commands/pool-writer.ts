import { randomUUID } from 'node:crypto';
import { type CommandOutcome, poolStreamId } from '@pool/contracts';
import {
  IdempotencyKeyReusedError,
  loadSnapshot,
  PartialDuplicateError,
  saveSnapshot,
  WrongExpectedVersionError,
  type NewEvent,
  type PostgresEventStore,
  type StoredCommand,
} from '@pool/event-store';
import { CommandError, NotLeaderError } from './command-errors.js';
import { toCommandError } from './domain-errors.js';
import { type ModelEvent, type PoolModel } from './pool-model.js';

export interface SubmittedCommand<Command> {
  command: Command;
  /**
   * Further parts of the same request (a PIF's role and its MTU, a revert's commands), under the
   * same id: each is decided in order against the state its predecessors left, and all are
   * written in one append or none (a refusal names the part's index, `partRefused`).
   */
  more?: Command[];
  commandId: string;
  /**
   * What the command asks (pool, type, canonical data), hashed at the entry: a command id
   * already used with another fingerprint is refused, not answered with the first's outcome.
   */
  fingerprint?: string;
  /**
   * False only for an id the entry replica just generated, on the first attempt: it cannot be
   * in the log, so the writer skips the lookup. Client keys and retries are always checked.
   */
  mayRepeat?: boolean;
  expectedVersion?: number;
  metadata: Record<string, unknown>;
}

interface Pending<Command> extends SubmittedCommand<Command> {
  resolve: (outcome: CommandOutcome) => void;
  reject: (error: unknown) => void;
}

interface Decided<Command> {
  pending: Pending<Command>;
  events: ModelEvent[];
  /** For a request of several parts: the index of the part that decided each event. */
  parts?: number[];
}

interface Refused<Command> {
  pending: Pending<Command>;
  error: unknown;
}

export interface PoolWriterOptions {
  snapshotEvery?: number;
  /** Snapshots cost a write of the whole state: at most one per this interval. */
  snapshotMinIntervalMs?: number;
  maxBatch?: number;
  onBatch?: (commands: number, events: number, ms: number) => void;
  onError?: (error: unknown) => void;
}

/**
 * The leader's writer for one pool: state in memory (snapshot + tail at start), commands decided
 * one at a time, and the events of every command decided meanwhile appended in one transaction
 * (group commit) with one expected-version check, which is also the fence: if another writer
 * appended, this one was deposed and stops.
 */
export class PoolWriter<Command extends { type: string }, Event extends ModelEvent, State> {
  private queue: Pending<Command>[] = [];
  private draining: Promise<void> | undefined;
  private deposed = false;
  private snapshotVersion = 0;
  private snapshotAt = 0;

  private constructor(
    readonly poolId: string,
    private readonly streamId: string,
    private readonly store: PostgresEventStore,
    private readonly model: PoolModel<Command, Event, State>,
    private readonly options: PoolWriterOptions,
    private state: State,
    private version: number,
  ) {}

  static async load<C extends { type: string }, E extends ModelEvent, S>(
    poolId: string,
    store: PostgresEventStore,
    model: PoolModel<C, E, S>,
    options: PoolWriterOptions = {},
  ): Promise<PoolWriter<C, E, S>> {
    const streamId = poolStreamId(poolId);
    const { state, version, snapshotVersion } = await loadState(streamId, store, model);
    const writer = new PoolWriter(poolId, streamId, store, model, options, state, version);
    writer.snapshotVersion = snapshotVersion;
    return writer;
  }

  get currentVersion(): number {
    return this.version;
  }

  get isDeposed(): boolean {
    return this.deposed;
  }

  /** Read access for queries served by the leader (e.g. the snapshot subject). */
  get currentState(): State {
    return this.state;
  }

  submit(submitted: SubmittedCommand<Command>): Promise<CommandOutcome> {
    if (this.deposed) return Promise.reject(new NotLeaderError(this.poolId));
    return new Promise((resolve, reject) => {
      this.queue.push({ ...submitted, resolve, reject });
      this.draining ??= this.drain().finally(() => (this.draining = undefined));
    });
  }

  /** Stops accepting commands; queued ones are told to retry through the new leader. */
  depose(): void {
    this.deposed = true;
    for (const p of this.queue.splice(0)) p.reject(new NotLeaderError(this.poolId));
  }

  /**
   * Deposes the writer and resolves once the batch it was writing (if any) is settled: after
   * that, nothing of this writer can reach the log, and the pool's lock may be given away.
   */
  async stepDown(): Promise<void> {
    this.depose();
    await this.draining?.catch(() => undefined);
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && !this.deposed) {
      const batch = this.queue.splice(0, this.options.maxBatch ?? 500);
      await this.process(batch);
    }
  }

  private async process(batch: Pending<Command>[]): Promise<void> {
    const started = performance.now();
    const known = await this.knownCommands(batch).catch((error: unknown) => {
      batch.forEach((p) => p.reject(error));
      return undefined;
    });
    if (!known) return;
    const baseVersion = this.version;
    const decided: Decided<Command>[] = [];
    // Refusals wait for the batch's append: one may rest on an event decided before it in this
    // batch, and if that is never written the refusal would be false (see `append`).
    const refused: Refused<Command>[] = [];
    const seen = new Map<string, Pending<Command>>();
    let version = baseVersion;
    for (const pending of batch) {
      const stored = known.get(pending.commandId);
      if (stored) {
        if (this.isSameCommand(stored, pending)) void this.replayDuplicate(pending, stored);
        else pending.reject(keyReused(pending.commandId));
        continue;
      }
      const first = seen.get(pending.commandId);
      if (first && first.fingerprint !== pending.fingerprint) {
        pending.reject(keyReused(pending.commandId));
        continue;
      }
      if (first) {
        // A retry that caught up with its first attempt (a client timing out on a busy
        // master): it gets the first attempt's answer, whatever that turns out to be.
        answerWithFirst(first, pending);
        continue;
      }
      if (pending.expectedVersion !== undefined && pending.expectedVersion !== version) {
        refused.push({
          pending,
          error: new CommandError(
            412,
            'VERSION_MISMATCH',
            `The pool is at version ${version}, not ${pending.expectedVersion} as the request expected.`,
            { currentVersion: version },
          ),
        });
        continue;
      }
      let outcome: { events: Event[]; parts?: number[] };
      try {
        outcome = pending.more?.length ? this.decideParts(pending) : this.decideOne(pending);
      } catch (error) {
        refused.push({ pending, error });
        continue;
      }
      version += outcome.events.length;
      seen.set(pending.commandId, pending);
      decided.push({ pending, ...outcome });
    }
    if (decided.length === 0) {
      for (const r of refused) r.pending.reject(r.error);
      return;
    }
    await this.append(decided, refused, baseVersion);
    this.options.onBatch?.(decided.length, version - baseVersion, performance.now() - started);
  }

  /** One command: decided, then evolved into the state. */
  private decideOne(pending: Pending<Command>): { events: Event[] } {
    let events: Event[];
    try {
      events = this.model.decide(pending.command, this.state);
    } catch (error) {
      throw toCommandError(error);
    }
    for (const event of events) this.state = this.model.evolve(this.state, event);
    return { events };
  }

  /**
   * Several parts, in order, each against the state its predecessors left: on a copy of the
   * state (evolve may change a state in place), which replaces it only when every part was
   * accepted, so a refused part leaves the state as it was.
   */
  private decideParts(pending: Pending<Command>): { events: Event[]; parts: number[] } {
    const all = [pending.command, ...(pending.more ?? [])];
    let scratch = this.model.deserialize(structuredClone(this.model.serialize(this.state)));
    const events: Event[] = [];
    const parts: number[] = [];
    all.forEach((part, index) => {
      let decided: Event[];
      try {
        decided = this.model.decide(part, scratch);
      } catch (error) {
        throw partRefused(toCommandError(error), index, part.type, all.length);
      }
      for (const event of decided) {
        scratch = this.model.evolve(scratch, event);
        events.push(event);
        parts.push(index);
      }
    });
    this.state = scratch;
    return { events, parts };
  }

  private async append(
    decided: Decided<Command>[],
    refused: Refused<Command>[],
    baseVersion: number,
  ): Promise<void> {
    const events: NewEvent[] = decided.flatMap(({ pending, events, parts }) =>
      events.map((e, i) => ({
        eventId: randomUUID(),
        type: e.type,
        schemaVersion: e.schemaVersion,
        data: e.data,
        // Which part of a request of several made the event: the log says which command did what.
        metadata: {
          ...pending.metadata,
          commandId: pending.commandId,
          ...(parts ? { part: parts[i] } : {}),
        },
      })),
    );
    try {
      const written = await this.store.appendRequest({
        streamId: this.streamId,
        events,
        expectedVersion: baseVersion,
        commands: decided.map((d) => ({
          commandId: d.pending.commandId,
          eventCount: d.events.length,
          fingerprint: d.pending.fingerprint,
        })),
      });
      // Every id of the batch was looked up (or fresh), so the log holding them all means
      // another writer stored them meanwhile: nothing of this batch was written.
      if (written.duplicate)
        throw new IdempotencyKeyReusedError(written.commands.map((c) => c.commandId));
    } catch (error) {
      // The in-memory state already holds the refused events: it is no longer the log's.
      this.depose();
      // A key stored meanwhile by a command racing this batch (on another pool, or before a
      // failover): the batch is decided again by the next leader, where the lookup finds it.
      const reason =
        error instanceof WrongExpectedVersionError ||
        error instanceof IdempotencyKeyReusedError ||
        error instanceof PartialDuplicateError
          ? new NotLeaderError(this.poolId)
          : error;
      decided.forEach((d) => d.pending.reject(reason));
      // Decided against events that were not written: the next leader decides them again.
      refused.forEach((r) => r.pending.reject(new NotLeaderError(this.poolId)));
      this.options.onError?.(error);
      return;
    }
    let version = baseVersion;
    const enabledHosts = this.model.enabledHosts(this.state);
    for (const { pending, events } of decided) {
      const firstVersion = version + 1;
      pending.resolve({
        pool: this.poolId,
        commandId: pending.commandId,
        firstVersion,
        version: version + events.length,
        duplicate: false,
        enabledHosts,
        events: events.map((e, i) => ({ type: e.type, version: firstVersion + i, data: e.data })),
      });
      version += events.length;
    }
    for (const r of refused) r.pending.reject(r.error);
    this.version = version;
    this.maybeSnapshot();
  }

  /** Command ids of the batch already in the log (retries), as stored. */
  private async knownCommands(batch: Pending<Command>[]): Promise<Map<string, StoredCommand>> {
    const ids = batch.filter((p) => p.mayRepeat !== false).map((p) => p.commandId);
    const stored = await this.store.findCommands(ids);
    return new Map(stored.map((c) => [c.commandId, c]));
  }

  /** A stored id is the same command again when pool and fingerprint agree (none: old rows). */
  private isSameCommand(stored: StoredCommand, pending: Pending<Command>): boolean {
    if (stored.streamId !== this.streamId) return false;
    return (
      stored.fingerprint === null ||
      pending.fingerprint === undefined ||
      stored.fingerprint === pending.fingerprint
    );
  }

  /** Answers a retried command with what its first attempt wrote. */
  private async replayDuplicate(pending: Pending<Command>, stored: StoredCommand): Promise<void> {
    try {
      const first = stored.firstVersion;
      const last = stored.lastVersion;
      const events =
        last >= first ? await this.store.readStream(this.streamId, first, last - first + 1) : [];
      pending.resolve({
        pool: this.poolId,
        commandId: pending.commandId,
        firstVersion: first,
        version: last,
        duplicate: true,
        enabledHosts: this.model.enabledHosts(this.state),
        events: events.map((e) => ({ type: e.type, version: e.streamVersion, data: e.data })),
      });
    } catch (error) {
      pending.reject(error);
    }
  }

  private maybeSnapshot(): void {
    const every = this.options.snapshotEvery ?? 500;
    if (this.version - this.snapshotVersion < every) return;
    const now = Date.now();
    if (now - this.snapshotAt < (this.options.snapshotMinIntervalMs ?? 10_000)) return;
    this.snapshotAt = now;
    this.snapshotVersion = this.version;
    // Serialized now, synchronously: the state keeps changing in place after this line.
    const state = this.model.serialize(this.state);
    saveSnapshot(this.store.pool, {
      streamId: this.streamId,
      streamVersion: this.version,
      stateVersion: this.model.stateVersion,
      state,
    }).catch((error: unknown) => this.options.onError?.(error));
  }
}

/** The refusal of a key that came back with another command (or for another pool). */
function keyReused(commandId: string): CommandError {
  return new CommandError(
    409,
    'IDEMPOTENCY_KEY_REUSED',
    `Idempotency key ${commandId} was already used for another command; nothing was written. ` +
      'Send a new key for a new command.',
    { commandId },
  );
}

/**
 * A part of a request of several refused: the part's own status and code, its index and type
 * beside its details, and a sentence that says nothing of the request was written.
 */
export function partRefused(
  error: CommandError,
  index: number,
  type: string,
  parts: number,
): CommandError {
  return new CommandError(
    error.status,
    error.code,
    `Command ${index} (${type}) of ${parts} was refused, so none was applied: ${error.message}`,
    { ...error.details, index, commandType: type },
  );
}

/** Settles `retry` as `first` settles: the same outcome, marked as a duplicate, or the same error. */
function answerWithFirst<C>(first: Pending<C>, retry: Pending<C>): void {
  const { resolve, reject } = first;
  first.resolve = (outcome) => {
    resolve(outcome);
    retry.resolve({ ...outcome, duplicate: true });
  };
  first.reject = (error) => {
    reject(error);
    retry.reject(error);
  };
}

/** Snapshot (when one of this code's version exists) plus every event after it. */
export async function loadState<C, E extends ModelEvent, S>(
  streamId: string,
  store: PostgresEventStore,
  model: PoolModel<C, E, S>,
): Promise<{ state: S; version: number; snapshotVersion: number }> {
  const snapshot = await loadSnapshot(store.pool, streamId, model.stateVersion);
  let state = snapshot ? model.deserialize(snapshot.state) : model.initialState();
  let version = snapshot?.streamVersion ?? 0;
  for (;;) {
    const events = await store.readStream(streamId, version + 1, 5000);
    for (const e of events) {
      state = model.evolve(state, model.upcast(e));
      version = e.streamVersion;
    }
    if (events.length < 5000) break;
  }
  return { state, version, snapshotVersion: snapshot?.streamVersion ?? 0 };
}
