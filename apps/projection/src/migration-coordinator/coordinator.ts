import {
  poolIdOfStream,
  type CommandOutcome,
  type CommandReply,
  type HostReport,
} from '@pool/contracts';
import { POOL_EVENT_SCHEMA_VERSIONS, upcastPoolEvent, type PoolEventType } from '@pool/domain';
import type { RecordedEvent } from '@pool/event-store';
import type { CoordinatorMetrics } from './coordinator.metrics.js';
import { nextStep, type HostView, type NextStep, type TrackedMigration } from './next-step.js';
import { PoolTracker } from './pool-tracker.js';

/** Sends one saga command to the pool's master and returns its reply. */
export type SendCommand = (
  pool: string,
  type: string,
  commandId: string,
  data: Record<string, unknown>,
) => Promise<CommandReply>;

export interface CoordinatorOptions {
  send: SendCommand;
  /** Per step before activation; see next-step.ts. */
  timeoutMs: number;
  log: { log(message: string): void; warn(message: string): void };
  metrics?: CoordinatorMetrics;
  now?: () => number;
  /** How long after a failed or refused command the same command may go again. */
  retryMs?: number;
}

const STEP_NAMES = {
  PrepareMigration: 'prepare',
  ActivateMigration: 'activate',
  CompleteMigration: 'complete',
  AbortMigration: 'abort',
} as const;

/** Refusals that only mean the log moved on; the next fold shows where to. */
const SETTLED = new Set(['MIGRATION_NOT_FOUND', 'MIGRATION_INVALID_TRANSITION']);

/**
 * Drives every pool's migrations through the saga (DESIGN §5), from two inputs only: the log,
 * folded per pool, and each host's last report. Whenever either changes it asks `nextStep`
 * what each active migration needs and sends that command to the master, with an id derived
 * from the migration and the step (`migration:<id>:prepare`), so a retry, a second replica
 * that briefly thinks it leads, or a restart half-way are all applied once. At most one
 * command per migration is in flight. Free of Nest and NATS, so it is tested with fakes.
 */
export class MigrationCoordinator {
  private readonly pools = new Map<string, PoolTracker>();
  private readonly views = new Map<string, Map<string, HostView>>();
  private readonly inFlight = new Set<string>();
  private readonly retryAt = new Map<string, number>();
  /** Migrations whose last command succeeded but whose events the fold has not reached yet. */
  private readonly awaiting = new Map<string, number>();
  private readonly sending = new Set<Promise<void>>();
  private live = false;

  constructor(private readonly o: CoordinatorOptions) {}

  /** True once the log was read to its end: before that, no decision is taken. */
  get caughtUp(): boolean {
    return this.live;
  }

  pool(id: string): PoolTracker | undefined {
    return this.pools.get(id);
  }

  /** Folds a batch of the log in commit order; acts on the pools it touched once caught up. */
  onLog(events: readonly RecordedEvent[], caughtUp: boolean): void {
    const touched = new Set<string>();
    for (const recorded of events) {
      const pool = poolIdOfStream(recorded.streamId);
      if (pool === undefined) continue;
      const tracker = this.tracker(pool);
      if (recorded.streamVersion <= tracker.version) continue; // folded from a command reply
      const event = upcastPoolEvent(recorded);
      this.fold(tracker, event, recorded.streamVersion, Date.parse(recorded.createdAt));
      touched.add(pool);
    }
    if (!this.live && caughtUp) {
      this.live = true;
      this.tick();
    } else if (this.live) {
      for (const pool of touched) this.evaluate(pool);
    }
  }

  onReport(report: HostReport): void {
    let hosts = this.views.get(report.pool);
    if (!hosts) this.views.set(report.pool, (hosts = new Map<string, HostView>()));
    hosts.set(report.host, {
      appliedVersion: report.appliedVersion,
      ports: new Map((report.ports ?? []).map((p) => [p.vif, p])),
    });
    if (this.live) this.evaluate(report.pool);
  }

  /** Re-decides every pool: timeouts and retries happen here. */
  tick(): void {
    if (!this.live) return;
    let active = 0;
    for (const [pool, tracker] of this.pools) {
      active += tracker.state.migrations.size;
      this.evaluate(pool);
    }
    this.o.metrics?.active.set(active);
  }

  /** Resolves once no command is in flight (for a clean stop and for tests). */
  async idle(): Promise<void> {
    while (this.sending.size > 0) await Promise.allSettled([...this.sending]);
  }

  private tracker(pool: string): PoolTracker {
    let tracker = this.pools.get(pool);
    if (!tracker) this.pools.set(pool, (tracker = new PoolTracker(pool)));
    return tracker;
  }

  private evaluate(pool: string): void {
    const tracker = this.pools.get(pool);
    if (!tracker || tracker.state.migrations.size === 0) return;
    const now = this.now();
    const hosts = this.views.get(pool);
    for (const migration of tracker.migrations()) {
      if (this.inFlight.has(migration.id)) continue;
      if ((this.retryAt.get(migration.id) ?? 0) > now) continue;
      const written = this.awaiting.get(migration.id);
      if (written !== undefined && tracker.version < written) continue; // not a decision yet
      this.awaiting.delete(migration.id);
      const step = nextStep({
        migration,
        facts: tracker.facts(migration),
        source: hosts?.get(migration.fromHostId),
        target: hosts?.get(migration.toHostId),
        now,
        timeoutMs: this.o.timeoutMs,
      });
      this.act(pool, migration, step);
    }
  }

  private act(pool: string, migration: TrackedMigration, step: NextStep): void {
    if (step.kind === 'wait') return;
    const type = step.kind === 'abort' ? 'AbortMigration' : step.command;
    const data: Record<string, unknown> = { migrationId: migration.id };
    if (step.kind === 'abort') {
      data.reason = step.reason;
      this.o.log.warn(
        `migration ${migration.id} of VM ${migration.vmId}: aborting, ${step.reason}`,
      );
    }
    this.inFlight.add(migration.id);
    const sent = this.dispatch(pool, migration.id, type, data).finally(() => {
      this.inFlight.delete(migration.id);
      this.sending.delete(sent);
      if (this.live) this.evaluate(pool);
    });
    this.sending.add(sent);
  }

  private async dispatch(
    pool: string,
    migrationId: string,
    type: keyof typeof STEP_NAMES,
    data: Record<string, unknown>,
  ): Promise<void> {
    const commandId = `migration:${migrationId}:${STEP_NAMES[type]}`;
    const metric = (result: 'ok' | 'refused' | 'failed') =>
      this.o.metrics?.commands.inc({ command: type, result });
    try {
      const reply = await this.o.send(pool, type, commandId, data);
      if (reply.ok) {
        metric('ok');
        this.retryAt.delete(migrationId);
        this.awaiting.set(migrationId, reply.result.version);
        this.foldReply(pool, reply.result);
        return;
      }
      metric('refused');
      this.retryAt.set(migrationId, this.now() + (this.o.retryMs ?? 500));
      if (!SETTLED.has(reply.error.code)) {
        this.o.log.warn(
          `${type} for migration ${migrationId} refused: ${reply.error.code} ${reply.error.message}`,
        );
      }
    } catch (error) {
      metric('failed');
      this.retryAt.set(migrationId, this.now() + (this.o.retryMs ?? 500));
      this.o.log.warn(`${type} for migration ${migrationId} failed: ${String(error)}`);
    }
  }

  /**
   * The reply carries the events the command wrote: folding them now, when they follow what
   * the log reader already has, saves the wait for its next read (a NOTIFY and a query) on
   * the path that is the migration's downtime. The reader skips them later by version.
   */
  private foldReply(pool: string, outcome: CommandOutcome): void {
    const tracker = this.pools.get(pool);
    if (!tracker || outcome.duplicate || outcome.firstVersion !== tracker.version + 1) return;
    const at = this.now();
    for (const { type, version, data } of outcome.events) {
      const schemaVersion = POOL_EVENT_SCHEMA_VERSIONS[type as PoolEventType];
      this.fold(tracker, upcastPoolEvent({ type, schemaVersion, data }), version, at);
    }
  }

  private fold(
    tracker: PoolTracker,
    event: ReturnType<typeof upcastPoolEvent>,
    version: number,
    at: number,
  ): void {
    const { finished, step } = tracker.apply(event, version, at);
    if (finished) {
      this.awaiting.delete(finished.id);
      this.retryAt.delete(finished.id);
    }
    const metrics = this.o.metrics;
    if (!this.live || !metrics) return;
    if (step) metrics.stepSeconds.observe({ step: step.step }, step.seconds);
    if (finished) {
      metrics.migrations.inc({ outcome: finished.outcome });
      const last = finished.outcome === 'completed' ? 'complete' : 'abort';
      const seconds = finished.steps[last];
      if (seconds !== undefined) metrics.stepSeconds.observe({ step: last }, seconds);
      metrics.stepSeconds.observe({ step: 'total' }, finished.totalSeconds);
    }
  }

  private now(): number {
    return (this.o.now ?? Date.now)();
  }
}
