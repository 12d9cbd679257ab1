import { evolvePool, initialPoolState, type PoolEvent, type PoolState } from '@pool/domain';
import type { MigrationFacts, StepMark, TrackedMigration } from './next-step.js';

/** A migration that just ended, for the metrics. */
export interface FinishedMigration {
  id: string;
  outcome: 'completed' | 'aborted';
  /** Seconds from one step's event to the next, for the steps it went through. */
  steps: Partial<Record<'prepare' | 'activate' | 'complete' | 'abort', number>>;
  totalSeconds: number;
}

/** A step just taken, for the step-duration metrics. */
export type StepTaken = { step: 'prepare' | 'activate'; seconds: number } | undefined;

interface Marks {
  requested: StepMark;
  prepared?: StepMark;
  activated?: StepMark;
}

/**
 * One pool's state as the coordinator folds it from the log (the domain's own evolve, so it
 * can never disagree with the master), plus where in the log each step of each active
 * migration was written: the versions reports must reach, and the times timeouts count from.
 */
export class PoolTracker {
  readonly state: PoolState = initialPoolState();
  version = 0;
  private readonly marks = new Map<string, Marks>();

  constructor(readonly pool: string) {}

  /**
   * Folds the event at `version` (which must be the next one) that was written at `at`.
   * Returns what finished or advanced, for metrics.
   */
  apply(
    event: PoolEvent,
    version: number,
    at: number,
  ): { finished?: FinishedMigration; step?: StepTaken } {
    if (version !== this.version + 1) {
      throw new Error(`pool ${this.pool}: event ${version} after version ${this.version}`);
    }
    evolvePool(this.state, event);
    this.version = version;
    const mark = { version, at };
    switch (event.type) {
      case 'MigrationRequested':
        this.marks.set(event.data.migrationId, { requested: mark });
        return {};
      case 'MigrationPrepared': {
        const marks = this.marks.get(event.data.migrationId);
        if (!marks) return {};
        marks.prepared = mark;
        return { step: { step: 'prepare', seconds: (at - marks.requested.at) / 1000 } };
      }
      case 'MigrationActivated': {
        const marks = this.marks.get(event.data.migrationId);
        if (!marks) return {};
        marks.activated = mark;
        const from = marks.prepared ?? marks.requested;
        return { step: { step: 'activate', seconds: (at - from.at) / 1000 } };
      }
      case 'MigrationCompleted':
      case 'MigrationAborted': {
        const marks = this.marks.get(event.data.migrationId);
        this.marks.delete(event.data.migrationId);
        if (!marks) return {};
        const completed = event.type === 'MigrationCompleted';
        const last = marks.activated ?? marks.prepared ?? marks.requested;
        const steps: FinishedMigration['steps'] = {};
        if (marks.prepared) steps.prepare = (marks.prepared.at - marks.requested.at) / 1000;
        if (marks.activated && marks.prepared) {
          steps.activate = (marks.activated.at - marks.prepared.at) / 1000;
        }
        steps[completed ? 'complete' : 'abort'] = (at - last.at) / 1000;
        return {
          finished: {
            id: event.data.migrationId,
            outcome: completed ? 'completed' : 'aborted',
            steps,
            totalSeconds: (at - marks.requested.at) / 1000,
          },
        };
      }
      default:
        return {};
    }
  }

  /** The pool's active migrations with their step marks. */
  migrations(): TrackedMigration[] {
    const out: TrackedMigration[] = [];
    for (const m of this.state.migrations.values()) {
      // A migration requested before this tracker's log start cannot happen (it reads from the
      // start), but a mark is rebuilt rather than trusted to exist.
      const marks = this.marks.get(m.id) ?? {
        requested: { version: this.version, at: Date.parse(m.requestedAt) },
      };
      out.push({
        id: m.id,
        vmId: m.vmId,
        fromHostId: m.fromHostId,
        toHostId: m.toHostId,
        status: m.status,
        ...marks,
      });
    }
    return out;
  }

  facts(migration: TrackedMigration): MigrationFacts {
    const host = this.state.hosts.get(migration.toHostId);
    const vifs = this.state.indexes.vifsByVm.get(migration.vmId);
    return {
      vifIds: vifs ? [...vifs.values()] : [],
      target: host === undefined ? 'missing' : host.state,
    };
  }
}
