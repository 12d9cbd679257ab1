import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { AgentMetrics } from '../agent/host-agent.js';

/** The agent's counters as Prometheus metrics (`/metrics`). */
export function memberHostMetrics(registry: Registry): AgentMetrics {
  const registers = [registry];
  const appliedVersion = new Gauge({
    name: 'poolnet_member_applied_version',
    help: 'Last pool version folded into the replica and persisted',
    registers,
  });
  const pending = new Gauge({
    name: 'poolnet_member_pending_events',
    help: 'Events of the pool still to be delivered to this host (lag)',
    registers,
  });
  const applySeconds = new Histogram({
    name: 'poolnet_member_apply_seconds',
    help: 'Time to fold, converge and persist one batch of events',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
    registers,
  });
  const eventAge = new Histogram({
    name: 'poolnet_member_event_age_seconds',
    help: 'From the commit of the newest event of a batch to its durable apply on this host',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30],
    registers,
  });
  const counter = (name: string, help: string) => new Counter({ name, help, registers });
  const events = counter('poolnet_member_events_applied_total', 'Events applied');
  const duplicates = counter('poolnet_member_duplicates_total', 'Redelivered events skipped');
  const gaps = counter('poolnet_member_gaps_total', 'Missing versions that forced a resync');
  const snapshots = counter('poolnet_member_snapshots_loaded_total', 'Master snapshots loaded');
  const drift = counter(
    'poolnet_member_drift_repairs_total',
    'Switch changes made by hand, undone',
  );
  const failures = counter('poolnet_member_converge_failures_total', 'Failed convergences');
  return {
    applied: (batch) => {
      appliedVersion.set(batch.version);
      events.inc(batch.events);
      applySeconds.observe(batch.seconds);
      if (batch.ageSeconds !== undefined) eventAge.observe(Math.max(0, batch.ageSeconds));
    },
    duplicates: (count) => duplicates.inc(count),
    gap: () => gaps.inc(),
    snapshotLoaded: () => snapshots.inc(),
    driftRepaired: (count) => drift.inc(count),
    convergeFailed: () => failures.inc(),
    pending: (count) => pending.set(count),
  };
}
