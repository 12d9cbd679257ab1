import type { MigrationStatus, MigrationView } from '@pool/contracts';
import { age, duration, secondsSince } from './format.js';
import { html, type Html } from './html.js';
import { type Lookup } from './lookup.js';

/** Finished migrations stay on screen for a while, so a completion is seen, not just missed. */
export const FINISHED_SHOWN = 8;

type StepState = 'done' | 'current' | 'todo' | 'failed' | 'skipped';

/** A migration's steps in order; `aborted` ends it instead of `completed`. */
const MIGRATION_STEPS = [
  'requested',
  'prepared',
  'activated',
  'completed',
] as const satisfies readonly MigrationStatus[];

const STEP_HINT: Record<(typeof MIGRATION_STEPS)[number], string> = {
  requested: 'requested by an operator',
  prepared: 'target ports created and ready (pending, not forwarding)',
  activated: 'target ports forward, MACs announced, source ports removed',
  completed: 'the VM resides on the target host',
};

export function isActive(m: MigrationView): boolean {
  return m.status !== 'completed' && m.status !== 'aborted';
}

/** Where each step of the saga stands (DESIGN §5): requested → prepared → activated → completed. */
export function migrationSteps(
  m: MigrationView,
): { step: (typeof MIGRATION_STEPS)[number] | 'aborted'; state: StepState }[] {
  let failedShown = false;
  return MIGRATION_STEPS.map((step) => {
    if (m.versions[step] !== null) return { step, state: 'done' as const };
    if (m.status === 'aborted') {
      if (failedShown) return { step, state: 'skipped' as const };
      failedShown = true;
      return { step: 'aborted', state: 'failed' as const };
    }
    // The first step not reached yet is the one in progress.
    const previous = MIGRATION_STEPS[MIGRATION_STEPS.indexOf(step) - 1];
    const current = previous !== undefined && m.versions[previous] !== null;
    return { step, state: current ? ('current' as const) : ('todo' as const) };
  });
}

/** Migrations as they happen, active first, each with its step progress. */
export function renderMigrations(migrations: MigrationView[], lookup: Lookup, now: number): Html {
  const active = migrations
    .filter(isActive)
    .sort((a, b) => a.requestedAt.localeCompare(b.requestedAt));
  const finished = migrations
    .filter((m) => !isActive(m))
    .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
    .slice(0, FINISHED_SHOWN);
  if (active.length === 0 && finished.length === 0) {
    return html`<p class="empty">No migration yet.</p>`;
  }
  return html`${active.length === 0 && html`<p class="empty">No migration in progress.</p>`}
    <ol class="migrations">
      ${[...active, ...finished].map((m) => renderMigration(m, lookup, now))}
    </ol>`;
}

function renderMigration(m: MigrationView, lookup: Lookup, now: number): Html {
  const took = (Date.parse(m.updatedAt) - Date.parse(m.requestedAt)) / 1000;
  const steps = migrationSteps(m);
  return html`<li data-key="${m.id}" class="${`migration ${m.status}`}">
    <div class="migration-head">
      <strong class="vm-name">${lookup.vm(m.vmId)}</strong>
      <span class="route"
        >${lookup.host(m.fromHostId)} <span aria-hidden="true">→</span
        ><span class="sr-only">to</span> ${lookup.host(m.toHostId)}</span
      >
      <span class="${`pill ${m.status}`}">${m.status}</span>
      <span class="sub">
        ${
          isActive(m)
            ? html`started
                <time data-since="${m.requestedAt}" datetime="${m.requestedAt}"
                  >${age(m.requestedAt, now)}</time
                >`
            : html`${Number.isNaN(took) ? '' : `took ${duration(took)}, `}ended
              ${age(m.updatedAt, now)}`
        }
      </span>
    </div>
    <ol class="steps" aria-label="Steps of the migration of ${lookup.vm(m.vmId)}">
      ${steps.map(
        ({ step, state }) =>
          html`<li
            class="${`step ${state}`}"
            title="${step === 'aborted' ? (m.reason ?? 'aborted') : STEP_HINT[step]}"
          >
            <span class="sr-only">${state}:</span> ${step}
          </li>`,
      )}
    </ol>
    ${m.reason && html`<p class="reason">Reason: ${m.reason}</p>`}
    ${
      isActive(m) &&
      secondsSince(m.updatedAt, now) !== null &&
      html`<p class="sub">
        ${m.status}
        <time data-since="${m.updatedAt}" datetime="${m.updatedAt}">${age(m.updatedAt, now)}</time>,
        waiting for ${steps.find((s) => s.state === 'current')?.step ?? 'the next step'}
      </p>`
    }
  </li>`;
}
