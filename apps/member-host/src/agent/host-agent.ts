import type { HostReport } from '@pool/contracts';
import {
  touchesUplinks,
  uplinkShape,
  type HostDesiredState,
  type RuleCounters,
} from '@pool/vswitch';
import { initialPoolState } from '@pool/domain';
import { driftItems, type ConvergeOutcome, type Datapath, type DriftItem } from './datapath.js';
import type { EventFeed, FeedMessage, SnapshotSource } from './feed.js';
import type { NetworkHold, NetworkHoldFile } from './network-hold.js';
import type { NetworkWatchdog } from './network-watchdog.js';

type Snapshot = Awaited<ReturnType<SnapshotSource['fetch']>>;
import { classify, PoolReplica } from './replica.js';
import { errorMessage, Serial, sleep } from './serial.js';
import type { JournalEntry, StateStore } from './state-store.js';

export interface AgentLog {
  log(message: string): void;
  warn(message: string): void;
}

/** What the agent counts; the Nest app backs it with prom-client, tests and benches with nothing. */
export interface AgentMetrics {
  applied(batch: { version: number; events: number; seconds: number; ageSeconds?: number }): void;
  duplicates(count: number): void;
  gap(): void;
  snapshotLoaded(): void;
  driftRepaired(count: number): void;
  convergeFailed(): void;
  pending(count: number): void;
}

export type AgentPhase =
  'created' | 'booting' | 'offline' | 'catching-up' | 'following' | 'stopped';

/** The log was found behind the host's state: recreated, or restored from an older backup. */
export interface LogBehind {
  at: string;
  hostVersion: number;
  logVersion: number;
  reason: string;
}

/**
 * The pool's events were found to come from another log than the one this host's state was
 * built from (the master's database made anew), whatever the versions.
 */
export interface OtherLog {
  at: string;
  hostLogId: string;
  logId: string;
  hostVersion: number;
  logVersion: number;
  reason: string;
}

export interface HostAgentOptions {
  pool: string;
  host: string;
  store: StateStore;
  datapath: Datapath;
  log: AgentLog;
  metrics?: Partial<AgentMetrics>;
  /** Live, more pending messages than this switch the host to a bulk replay. */
  backlog?: number;
  /** Something reports should say changed: a version applied, drift found, an error. */
  onChange?: () => void;
  /** Changes to the host's uplinks, bonds or interfaces are applied under it, once following. */
  watchdog?: NetworkWatchdog;
  /** Where a rollback's hold persists (the state directory). */
  holdFile?: NetworkHoldFile;
  /** A rollback the master has not recorded yet: the service sends RecordNetworkRollback. */
  onRollback?: (hold: NetworkHold) => void;
}

interface Folded {
  consumed: number;
  fresh: JournalEntry[];
  gap?: FeedMessage;
  /** A message new to this host carrying a version it already holds: is the log behind it? */
  suspect?: FeedMessage;
  /** A message from another log than this host's: does the master follow that one? */
  foreign?: FeedMessage;
  failure?: Error;
  /** When the newest folded event was committed. */
  newest?: string;
}

/** `setPortAcls pnv-…`, or for a finding by content `flow added on pnb-…: priority=…`. */
const describeDrift = (item: DriftItem): string =>
  item.change
    ? `${item.kind} ${item.change} on ${item.bridge ?? item.object}: ${item.flow ?? item.object}`
    : `${item.kind} ${item.object}`;

/** The persisted replica could not be written: memory is ahead of disk, reload from disk. */
class ReloadNeeded extends Error {
  override readonly name = 'ReloadNeeded';
}

/**
 * One member host's follow-and-apply logic, free of Nest and of NATS (it sees an EventFeed and
 * a SnapshotSource). Each event is applied once and in version order: versions already held
 * are skipped, a missing version stops the host until a snapshot from the master covers it.
 * Per batch: fold into the replica, converge the switch, append to the journal (O_DSYNC),
 * and only then ack. Reports claim only a version that is both durable and on the switch.
 */
export class HostAgent {
  phase: AgentPhase = 'created';
  readonly replica = new PoolReplica();
  /** Persisted and matched by the switch: the version and digest reports carry. */
  applied: { version: number; digest: string } | undefined;
  lastError: string | undefined;
  /** The last time the pool's log was found behind this host, and what was decided. */
  logBehind: LogBehind | undefined;
  /** The last time the pool's events were found to come from another log, and the decision. */
  otherLog: OtherLog | undefined;
  /** Set while the switch holds an earlier version after the network watchdog rolled back. */
  hold: NetworkHold | undefined;
  readonly stats = {
    events: 0,
    duplicates: 0,
    gaps: 0,
    snapshots: 0,
    driftRepairs: 0,
    logBehind: 0,
    otherLog: 0,
    rollbacks: 0,
  };
  /** Messages of another log up to this sequence were found not to be the master's log. */
  private logCheckedThroughSeq = 0;
  /** The replica took a log id its checkpoint does not hold yet (saved by older code). */
  private logIdUnsaved = false;
  /** Old versions in messages up to this sequence were checked against the master's log. */
  private verifiedThroughSeq = 0;
  /** False from adopting a snapshot until the next new event: duplicates then are expected. */
  private appliedSinceSnapshot = true;
  private readonly serial = new Serial();
  private drift: DriftItem[] = [];
  private readonly listeners = new Set<(version: number) => void>();
  private retryTimer: NodeJS.Timeout | undefined;
  /** Versions replayed into the replica since its last checkpoint. */
  private unflushed = 0;
  private flushedAt = 0;
  private retries = 0;
  private stopped = false;
  /** Set while a live message is handled: its report waits for its ack (see follow()). */
  private holding = false;
  private changedWhileHolding = false;
  private devicePassQueued = false;
  private stopWatch: (() => void) | undefined;

  constructor(private readonly o: HostAgentOptions) {}

  get datapath(): Datapath {
    return this.o.datapath;
  }

  /** Loads the persisted replica and converges the switch from it: no master, no NATS. */
  async boot(): Promise<void> {
    this.phase = 'booting';
    this.stopWatch ??= this.o.datapath.driver.watchDevices?.(() => this.deviceChanged());
    await this.serial.run(async () => {
      await this.reload();
      this.hold = await this.o.holdFile?.load();
      await this.convergeFull();
    });
    this.phase = 'offline';
    if (this.hold && !this.hold.recorded) this.o.onRollback?.(this.hold);
  }

  /**
   * A port's device appeared or went: a full pass writes a new device's flows (or drops a gone
   * one's) at once, and the report after it says which ports are plugged. Changes arriving
   * while a pass waits are covered by it.
   */
  private deviceChanged(): void {
    if (this.devicePassQueued || this.stopped) return;
    this.devicePassQueued = true;
    void this.serial.run(async () => {
      this.devicePassQueued = false;
      if (this.phase !== 'created') await this.convergeFull();
    });
  }

  /**
   * Follows the pool until `signal` aborts: replay what is missing, then follow live; back to
   * the replay after a gap, a backlog or a lost consumer. `onCaughtUp` runs after each replay.
   */
  async run(
    feed: EventFeed,
    snapshots: SnapshotSource,
    signal: AbortSignal,
    onCaughtUp?: () => void,
  ): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      try {
        this.phase = 'catching-up';
        await this.catchUp(feed, snapshots, signal);
        onCaughtUp?.();
        if (signal.aborted) break;
        this.phase = 'following';
        // Caught up: an earlier failure (no master yet, NATS away) is over, and following can
        // run for hours, so health must not keep reporting it until follow() returns.
        this.lastError = undefined;
        if (await this.follow(feed, signal)) failures = 0;
        await sleep(50, signal); // a consumer that ends at once must not spin this loop
      } catch (error) {
        failures++;
        this.lastError = errorMessage(error);
        this.o.log.warn(`following the pool failed (${failures} in a row): ${this.lastError}`);
        this.o.onChange?.();
        if (error instanceof ReloadNeeded) await this.serial.run(() => this.reload());
        await sleep(Math.min(10_000, 100 * 2 ** failures), signal);
      }
    }
    this.phase = 'stopped';
  }

  /** Reads the switch back and repairs what differs from the replica (the drift timer). */
  checkDrift(): Promise<DriftItem[]> {
    return this.serial.run(async () => {
      if (this.phase === 'created' || this.phase === 'booting') return [];
      const retrying = this.o.datapath.lastError !== undefined;
      const outcome = await this.convergeFull();
      if (retrying) return [];
      const items = outcome.ok
        ? driftItems(outcome.operations, true, outcome.findings)
        : [{ kind: 'converge', object: this.o.host, repaired: false }];
      if (items.length > 0) {
        this.drift.push(...items);
        if (outcome.ok) {
          this.stats.driftRepairs += items.length;
          this.o.metrics?.driftRepaired?.(items.length);
        }
        this.o.log.warn(`drift on the switch: ${items.map(describeDrift).join(', ')}`);
        this.o.onChange?.();
      }
      return items;
    });
  }

  /**
   * The next report's content; drift found since the last report goes out once. Without
   * counters (`full` false: the report after every applied event) it is built at once, so the
   * reporter can publish it in the caller's turn.
   */
  report(full: boolean): HostReport | Promise<HostReport> {
    return full ? this.fullReport() : this.appliedReport();
  }

  private async fullReport(): Promise<HostReport> {
    const { driver } = this.o.datapath;
    await this.serial.run(() => this.o.datapath.refreshLeases()).catch(() => undefined);
    const counters = driver.counters
      ? await this.serial.run(() => driver.counters!()).catch(() => undefined)
      : undefined;
    const rules = driver.ruleCounters
      ? await this.serial.run(() => driver.ruleCounters!()).catch(() => undefined)
      : undefined;
    await this.serial.run(() => this.o.datapath.refreshLiveness());
    return {
      ...this.appliedReport(),
      ...(rules ? { aclCounters: sumPerRule(rules) } : {}),
      ...(counters
        ? {
            counters: counters.map(({ port, rxPackets, txPackets, rxBytes, txBytes }) => ({
              port,
              rxPackets,
              txPackets,
              rxBytes,
              txBytes,
            })),
          }
        : {}),
    };
  }

  private appliedReport(): HostReport {
    const drift = this.drift.splice(0);
    return {
      pool: this.o.pool,
      host: this.o.host,
      appliedVersion: this.applied?.version ?? 0,
      digest: this.applied?.digest ?? '',
      at: new Date().toISOString(),
      ports: this.o.datapath.ports,
      tunnels: this.o.datapath.tunnelReport(),
      ...(this.o.datapath.interfaces.length > 0 ? { interfaces: this.o.datapath.interfaces } : {}),
      ...(drift.length > 0 ? { drift } : {}),
      ...(this.o.datapath.mirrors.length > 0 ? { mirrors: this.o.datapath.mirrors } : {}),
      ...(this.hold
        ? {
            held: {
              version: this.hold.version,
              refusedVersion: this.hold.refusedVersion,
              followedVersion: this.replica.version,
              reason: this.hold.reason,
              since: this.hold.since,
            },
          }
        : {}),
    };
  }

  /** The master recorded the rollback (HostNetworkRolledBack): not sent again after a restart. */
  async rollbackRecorded(hold: NetworkHold): Promise<void> {
    await this.serial.run(async () => {
      if (this.hold !== hold) return;
      hold.recorded = true;
      await this.o.holdFile?.save(hold).catch((error: unknown) => {
        this.o.log.warn(`cannot persist the network hold: ${errorMessage(error)}`);
      });
    });
  }

  /** Called with the reportable version each time it moves (tests and the bench wait on it). */
  onApplied(listener: (version: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopWatch?.();
    clearTimeout(this.retryTimer);
    await this.serial.run(() => this.o.store.close());
  }

  private async catchUp(feed: EventFeed, snapshots: SnapshotSource, signal: AbortSignal) {
    const { firstSeq, lastSeq } = await feed.bounds();
    if (this.replica.version > 0 && lastSeq < this.replica.seq) {
      // The stream ends before what this host has read: it was recreated, and maybe the log too.
      const reason = `the events stream ends at ${lastSeq}, before ${this.replica.seq} read here`;
      await this.serial.run(() => this.verifyLog(feed, snapshots, reason, lastSeq));
    } else if (this.replica.version === 0 || firstSeq > this.replica.seq + 1) {
      // New, or the stream dropped messages this host never read (retention): start from the
      // master's state rather than from whatever the stream still holds.
      await this.serial.run(() => this.loadSnapshot(snapshots, lastSeq));
    }
    try {
      for await (const batch of feed.replay(this.replica.seq, signal)) {
        const last = batch.at(-1)?.pending === 0;
        let rest = batch;
        while (rest.length > 0) {
          const { consumed, gap, suspect, foreign } = await this.serial.run(() =>
            this.handleReplay(rest, last),
          );
          rest = rest.slice(consumed);
          if (gap) await this.serial.run(() => this.resync(snapshots, gap));
          if (foreign) await this.serial.run(() => this.checkOtherLog(feed, snapshots, foreign));
          if (suspect) {
            const reason = `message ${suspect.seq} carries version ${suspect.envelope?.version}, already held here`;
            await this.serial.run(() => this.verifyLog(feed, snapshots, reason, suspect.seq - 1));
          }
        }
      }
    } finally {
      // Live events are journaled on top of the checkpoint: it must hold every replayed one.
      await this.serial.run(() => this.flush());
    }
  }

  /** @returns whether any message was handled. */
  private async follow(feed: EventFeed, signal: AbortSignal): Promise<boolean> {
    const live = await feed.follow(this.replica.seq);
    const stop = () => live.stop();
    signal.addEventListener('abort', stop);
    let handled = false;
    try {
      for await (const m of live) {
        this.o.metrics?.pending?.(m.pending);
        const fresh =
          m.envelope && classify(m.envelope.version, this.replica.version) !== 'duplicate';
        // Far behind: leave it un-acked and replay in bulk, then come back here.
        if (fresh && m.pending > (this.o.backlog ?? 500)) return handled;
        // The report this message causes goes out right behind its ack, in the same
        // synchronous run, so the NATS client writes both in one system call, not two.
        this.holding = true;
        let outcome: Awaited<ReturnType<HostAgent['handle']>>;
        try {
          outcome = await this.serial.run(() => this.handle([m]));
          // A gap stays un-acked too: the replay path fetches a snapshot that covers it.
          // So does a suspect old version: the replay path asks the master about it.
          // And a message of another log: the replay path asks the master which log it follows.
          if (!outcome.gap && !outcome.suspect && !outcome.foreign && outcome.consumed > 0) {
            m.ack();
          }
        } finally {
          this.holding = false;
          this.releaseChange();
        }
        if (outcome.gap || outcome.suspect || outcome.foreign) return handled;
        handled = true;
      }
      return handled;
    } finally {
      signal.removeEventListener('abort', stop);
      live.stop();
    }
  }

  /**
   * Live: folds in what the durable delivered, converges the switch, and appends the events to
   * the journal (written O_DSYNC) before the caller acks.
   */
  private async handle(messages: FeedMessage[]): Promise<Folded> {
    const started = performance.now();
    const folded = this.fold(messages);
    if (folded.fresh.length > 0) {
      const outcome = folded.failure ? undefined : await this.converge('apply');
      try {
        await this.o.store.append(folded.fresh, this.replica);
      } catch (error) {
        throw new ReloadNeeded(`cannot persist applied events: ${errorMessage(error)}`);
      }
      if (outcome) this.settle(outcome);
      this.count(folded, started);
    }
    if (folded.failure) throw folded.failure;
    if (this.logIdUnsaved) await this.saveCheckpoint('the log id');
    return folded;
  }

  /**
   * Replay: folds in a batch; converges and checkpoints the replica at most once a second and
   * at the end. Nothing is acked on this path, so durability per event buys nothing here, and
   * one checkpoint (the state) is far smaller than the events it sums up.
   */
  private async handleReplay(messages: FeedMessage[], last: boolean): Promise<Folded> {
    const started = performance.now();
    const folded = this.fold(messages);
    if (folded.failure) throw folded.failure;
    this.unflushed += folded.fresh.length;
    if (folded.fresh.length > 0) this.count(folded, started);
    const stop = folded.gap ?? folded.suspect ?? folded.foreign;
    if (last || stop || performance.now() - this.flushedAt >= 1000) {
      await this.flush();
    }
    return folded;
  }

  /** Makes the replayed versions durable and puts them on the switch. */
  private async flush(): Promise<void> {
    this.flushedAt = performance.now();
    if (this.unflushed === 0) {
      if (this.logIdUnsaved) await this.saveCheckpoint('the log id');
      return;
    }
    // The switch first, the checkpoint after, as live events are journaled after the switch:
    // a change to the uplinks is persisted only once its watchdog kept it (or with the hold of
    // its rollback), so a host that crashes while the watchdog waits boots into the switch it
    // had, never into an unconfirmed change that may have cut it off.
    const outcome = await this.converge('apply');
    await this.saveCheckpoint('replayed events');
    this.unflushed = 0;
    this.settle(outcome);
  }

  private async saveCheckpoint(what: string): Promise<void> {
    try {
      await this.o.store.checkpoint(this.replica);
    } catch (error) {
      throw new ReloadNeeded(`cannot persist ${what}: ${errorMessage(error)}`);
    }
    this.logIdUnsaved = false;
  }

  /** Folds consecutive messages from the start of `messages` into the replica, to a gap. */
  private fold(messages: FeedMessage[]): Folded {
    const fresh: JournalEntry[] = [];
    const folded: Folded = { consumed: 0, fresh };
    let duplicates = 0;
    for (const m of messages) {
      if (!m.envelope) {
        // Not one of this pool's events: skipped; if it held an event, the next one shows a gap.
        this.o.log.warn(`skipped stream message ${m.seq}: ${m.problem ?? 'undecodable'}`);
      } else if (this.ofOtherLog(m.logId) && m.seq > this.logCheckedThroughSeq) {
        folded.foreign = m;
        break;
      } else if (this.ofOtherLog(m.logId)) {
        this.o.log.warn(`skipped stream message ${m.seq}: of log ${m.logId}, not the master's`);
      } else {
        this.takeLogId(m.logId);
        const verdict = classify(m.envelope.version, this.replica.version);
        if (verdict === 'gap') {
          folded.gap = m;
          break;
        }
        if (verdict === 'duplicate' && this.isSuspect(m)) {
          folded.suspect = m;
          break;
        }
        if (verdict === 'duplicate') duplicates++;
        else {
          this.appliedSinceSnapshot = true;
          try {
            this.o.datapath.folded(this.replica.state, this.replica.apply(m.envelope));
          } catch (error) {
            // The replica may be half-changed by the failed event: rebuild it from disk.
            const reason = `cannot apply event ${m.envelope.version}: ${errorMessage(error)}`;
            folded.failure = new ReloadNeeded(reason);
            break;
          }
          fresh.push({ v: m.envelope.version, s: m.seq, raw: m.raw ?? JSON.stringify(m.envelope) });
          folded.newest = m.envelope.createdAt;
        }
      }
      this.replica.seq = Math.max(this.replica.seq, m.seq);
      folded.consumed++;
    }
    if (duplicates > 0) {
      this.stats.duplicates += duplicates;
      this.o.metrics?.duplicates?.(duplicates);
    }
    return folded;
  }

  /**
   * An old version in a message this host never read, while it follows new events (not right
   * after a snapshot, whose coverage overlaps the stream): a relay re-publishing, or a log that
   * restarted behind this host. Only the master can tell which.
   */
  private isSuspect(m: FeedMessage): boolean {
    return this.appliedSinceSnapshot && m.seq > this.replica.seq && m.seq > this.verifiedThroughSeq;
  }

  /**
   * Asks the master's snapshot whether its log still holds this host's version. If it does,
   * the old versions were re-deliveries and reading goes on. If not, the log was recreated or
   * restored from an older backup: the host says so (log, health, its next report) and
   * resynchronises from the snapshot, resuming after `resumeSeq`; its versions past the
   * snapshot's are not in the log and would otherwise hide the log's next events as duplicates.
   */
  private async verifyLog(
    feed: EventFeed,
    snapshots: SnapshotSource,
    reason: string,
    resumeSeq: number,
  ): Promise<void> {
    const { lastSeq } = await feed.bounds();
    const snapshot = await this.fetchSnapshot(snapshots);
    const hostVersion = this.replica.version;
    if (this.ofOtherLog(snapshot.logId)) {
      this.verifiedThroughSeq = lastSeq;
      return this.switchLog(snapshot, reason, resumeSeq);
    }
    if (snapshot.version >= hostVersion) {
      this.verifiedThroughSeq = lastSeq;
      if (resumeSeq < this.replica.seq) {
        this.o.log.log(`${reason}; the log holds version ${snapshot.version}: resuming from it`);
        await this.adopt(snapshot, resumeSeq);
      }
      return;
    }
    this.stats.logBehind++;
    this.logBehind = {
      at: new Date().toISOString(),
      hostVersion,
      logVersion: snapshot.version,
      reason,
    };
    this.lastError =
      `the pool's log is behind this host (log at version ${snapshot.version}, host at ` +
      `${hostVersion}): resynchronised from the master's snapshot`;
    this.o.log.warn(
      `the pool's log is at version ${snapshot.version}, behind this host's ${hostVersion} ` +
        `(${reason}): it was recreated or restored from an older backup. Decision: discard ` +
        `versions ${snapshot.version + 1}-${hostVersion}, which the log does not hold, and ` +
        `resynchronise from the master's snapshot at version ${snapshot.version}.`,
    );
    this.drift.push({
      kind: 'log-behind',
      object: `pool log at version ${snapshot.version}, host was at ${hostVersion}`,
      repaired: true,
    });
    this.verifiedThroughSeq = lastSeq;
    await this.adopt(snapshot, resumeSeq);
  }

  /**
   * A message of another log than this host's: asks the master's snapshot which log it follows.
   * If it is this host's, the message is a stray (say, from a relay of another database) and
   * is skipped; if not, the master's database was made anew and the host switches to its log.
   */
  private async checkOtherLog(
    feed: EventFeed,
    snapshots: SnapshotSource,
    m: FeedMessage,
  ): Promise<void> {
    const { lastSeq } = await feed.bounds();
    const snapshot = await this.fetchSnapshot(snapshots);
    const reason = `message ${m.seq} comes from log ${m.logId}, not from log ${this.replica.logId}`;
    if (!this.ofOtherLog(snapshot.logId)) {
      this.logCheckedThroughSeq = lastSeq;
      this.o.log.warn(`${reason}; the master follows log ${this.replica.logId}: skipping it`);
      return;
    }
    await this.switchLog(snapshot, reason, m.seq - 1);
  }

  /**
   * The master's log is another one than the one this host's state was built from: versions
   * say nothing across logs (the new log may be past this host's version, and its events would
   * be folded on top of a state they never followed). The host says so (log, health, its next
   * report) and resynchronises from the snapshot, resuming after `resumeSeq`.
   */
  private async switchLog(snapshot: Snapshot, reason: string, resumeSeq: number): Promise<void> {
    const hostLogId = this.replica.logId ?? '';
    const logId = snapshot.logId ?? '';
    const hostVersion = this.replica.version;
    this.stats.otherLog++;
    this.otherLog = {
      at: new Date().toISOString(),
      hostLogId,
      logId,
      hostVersion,
      logVersion: snapshot.version,
      reason,
    };
    this.lastError =
      `the pool's log is another one (log ${logId} at version ${snapshot.version}) than this ` +
      `host's (log ${hostLogId} at version ${hostVersion}): resynchronised from the master's snapshot`;
    this.o.log.warn(
      `the pool's log is another one: log ${logId} at version ${snapshot.version}, while this ` +
        `host followed log ${hostLogId} to version ${hostVersion} (${reason}): the master's ` +
        `database was made anew. Decision: discard this host's state, whatever its version, ` +
        `and resynchronise from the master's snapshot at version ${snapshot.version}, then ` +
        `follow log ${logId}.`,
    );
    this.drift.push({
      kind: 'other-log',
      object: `pool log ${logId} at version ${snapshot.version}, host was on log ${hostLogId} at ${hostVersion}`,
      repaired: true,
    });
    this.logCheckedThroughSeq = 0;
    await this.adopt(snapshot, resumeSeq);
  }

  /** A log id that is not this host's (one it has, never one adopted from older code's state). */
  private ofOtherLog(logId: string | undefined): boolean {
    return !!logId && !!this.replica.logId && logId !== this.replica.logId;
  }

  /** A replica saved without a log id (older code) takes the first one it sees, no resync. */
  private takeLogId(logId: string | undefined): void {
    if (!logId || this.replica.logId) return;
    this.replica.logId = logId;
    this.logIdUnsaved = true;
    this.o.log.log(`following log ${logId} (this host's state named no log yet)`);
  }

  private async fetchSnapshot(snapshots: SnapshotSource): Promise<Snapshot> {
    const snapshot = await snapshots.fetch();
    this.stats.snapshots++;
    this.o.metrics?.snapshotLoaded?.();
    if (!this.ofOtherLog(snapshot.logId)) this.takeLogId(snapshot.logId);
    return snapshot;
  }

  private count(folded: Folded, started: number): void {
    this.stats.events += folded.fresh.length;
    const ageMs = folded.newest ? Date.now() - Date.parse(folded.newest) : NaN;
    this.o.metrics?.applied?.({
      version: this.replica.version,
      events: folded.fresh.length,
      seconds: (performance.now() - started) / 1000,
      ...(Number.isFinite(ageMs) ? { ageSeconds: ageMs / 1000 } : {}),
    });
  }

  private async loadSnapshot(snapshots: SnapshotSource, lastSeqBefore: number): Promise<void> {
    const snapshot = await this.fetchSnapshot(snapshots);
    // Every message up to `lastSeqBefore` was committed before the snapshot was read, so the
    // snapshot holds it: reading may resume after that sequence.
    if (this.ofOtherLog(snapshot.logId)) {
      await this.switchLog(snapshot, 'the master sent a snapshot of it', lastSeqBefore);
    } else if (snapshot.version > this.replica.version) {
      this.o.log.log(`loaded the pool at version ${snapshot.version} from the master`);
      await this.adopt(snapshot, lastSeqBefore);
    } else {
      this.replica.seq = Math.max(this.replica.seq, lastSeqBefore);
    }
  }

  private async resync(snapshots: SnapshotSource, gap: FeedMessage): Promise<void> {
    const needed = (gap.envelope?.version ?? 1) - 1;
    this.stats.gaps++;
    this.o.metrics?.gap?.();
    this.o.log.warn(`version ${needed + 1} arrived at version ${this.replica.version}: resyncing`);
    for (let attempt = 0; ; attempt++) {
      const snapshot = await this.fetchSnapshot(snapshots);
      // Resume at the message that showed the gap: it is now either next or a duplicate.
      if (this.ofOtherLog(snapshot.logId)) {
        return this.switchLog(snapshot, `version ${needed + 1} showed a gap`, gap.seq - 1);
      }
      if (snapshot.version >= needed) return this.adopt(snapshot, gap.seq - 1);
      if (attempt === 5) {
        throw new Error(`the master's snapshot is at ${snapshot.version}, behind ${needed}`);
      }
      await sleep(100 * 2 ** attempt);
    }
  }

  /** Takes the master's snapshot, and its log, as the replica, resuming after `seq`. */
  private async adopt(snapshot: Snapshot, seq: number): Promise<void> {
    const logId = snapshot.logId ?? this.replica.logId;
    this.replica.reset(snapshot.state, snapshot.version, seq, logId);
    this.appliedSinceSnapshot = false;
    await this.saveCheckpoint('the snapshot');
    await this.convergeFull();
  }

  private async reload(): Promise<void> {
    this.unflushed = 0;
    const stored = await this.o.store.load();
    this.logIdUnsaved = false;
    const { state, version, seq, logId } = stored ?? {
      state: initialPoolState(),
      version: 0,
      seq: 0,
    };
    this.replica.reset(state, version, seq, logId);
  }

  /**
   * Converges the switch to the replica, under the network watchdog when the change moves the
   * host's uplinks or bonds; while a rollback holds, to the held state instead, until the log's
   * state has other uplinks than the refused one (a later change supersedes it).
   */
  private async converge(mode: 'apply' | 'full'): Promise<ConvergeOutcome> {
    const { datapath } = this.o;
    const version = this.replica.version;
    let desired: HostDesiredState;
    try {
      desired = datapath.desired(this.replica.state);
    } catch {
      return datapath.converge(this.replica.state, version, mode); // reports the model's refusal
    }
    if (this.hold && uplinkShape(desired) === this.hold.refusedShape) {
      return datapath.convergeTo(this.hold.desired, this.hold.version, mode);
    }
    if (this.hold) await this.liftHold(version);
    const before = datapath.convergedDesired;
    const beforeVersion = datapath.converged?.version;
    const following = this.phase === 'catching-up' || this.phase === 'following';
    const watched =
      this.o.watchdog !== undefined &&
      following &&
      before !== undefined &&
      beforeVersion !== undefined &&
      touchesUplinks(before, desired);
    const outcome = await datapath.convergeTo(desired, version, mode);
    if (!watched || !outcome.ok) return outcome;
    const started = performance.now();
    const reason = await this.o.watchdog!.confirm();
    if (reason === undefined) {
      this.o.log.log(
        `version ${version} changed this host's uplinks; NATS answered within ` +
          `${Math.round(performance.now() - started)} ms: kept`,
      );
      return outcome;
    }
    return this.rollBack(before, beforeVersion, version, uplinkShape(desired), reason);
  }

  /**
   * The change to `refusedVersion` cut the host off: put back the switch it had (the desired
   * state of `heldVersion`, still in memory), hold it there, and have the master record it.
   */
  private async rollBack(
    previous: HostDesiredState,
    heldVersion: number,
    refusedVersion: number,
    refusedShape: string,
    reason: string,
  ): Promise<ConvergeOutcome> {
    const since = new Date().toISOString();
    const outcome = await this.o.datapath.convergeTo(previous, heldVersion, 'full');
    const hold: NetworkHold = {
      version: heldVersion,
      refusedVersion,
      refusedShape,
      reason,
      since,
      desired: previous,
      recorded: false,
    };
    this.hold = hold;
    this.stats.rollbacks++;
    this.o.log.warn(
      `version ${refusedVersion} changed this host's uplinks and ${reason}: rolled back to the ` +
        `switch of version ${heldVersion}${outcome.ok ? '' : ` (not converged: ${outcome.error})`}` +
        `. Holding there until a later change to this host's uplinks or bonds.`,
    );
    this.drift.push({
      kind: 'network-rollback',
      object: `version ${refusedVersion} rolled back to ${heldVersion}`,
      repaired: true,
    });
    await this.o.holdFile?.save(hold).catch((error: unknown) => {
      this.o.log.warn(`cannot persist the network hold: ${errorMessage(error)}`);
    });
    this.o.onRollback?.(hold);
    return outcome;
  }

  private async liftHold(version: number): Promise<void> {
    const hold = this.hold!;
    this.hold = undefined;
    this.o.log.log(
      `version ${version} changes this host's uplinks again: the hold at version ${hold.version} ` +
        `(version ${hold.refusedVersion} rolled back) is lifted`,
    );
    await this.o.holdFile?.clear().catch((error: unknown) => {
      this.o.log.warn(`cannot remove the network hold file: ${errorMessage(error)}`);
    });
  }

  private async convergeFull(): Promise<ConvergeOutcome> {
    const outcome = await this.converge('full');
    this.settle(outcome);
    return outcome;
  }

  /** Runs with the replica persisted: what the switch now matches becomes reportable. */
  private settle(outcome: ConvergeOutcome): void {
    const converged = this.o.datapath.converged;
    if (outcome.ok && converged && converged.version !== this.applied?.version) {
      this.applied = { ...converged };
      for (const listener of this.listeners) listener(converged.version);
    }
    if (outcome.ok) {
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
      this.retries = 0;
    } else {
      this.o.metrics?.convergeFailed?.();
      this.o.log.warn(
        `the switch did not converge to version ${this.replica.version}: ${outcome.error}`,
      );
      this.scheduleRetry();
    }
    this.changed();
  }

  private changed(): void {
    if (this.holding) this.changedWhileHolding = true;
    else this.o.onChange?.();
  }

  private releaseChange(): void {
    if (!this.changedWhileHolding) return;
    this.changedWhileHolding = false;
    this.o.onChange?.();
  }

  /** Retries a failed convergence with backoff, until one succeeds (or the drift timer does). */
  private scheduleRetry(): void {
    if (this.stopped || this.retryTimer) return;
    this.retries++;
    this.retryTimer = setTimeout(
      () => {
        this.retryTimer = undefined;
        void this.serial.run(() => this.convergeFull());
      },
      Math.min(30_000, 250 * 2 ** this.retries),
    );
    this.retryTimer.unref();
  }
}

/** A rule's hits on the host: summed over the ports it sits on. */
function sumPerRule(hits: readonly RuleCounters[]): NonNullable<HostReport['aclCounters']> {
  const rules = new Map<string, { rule: string; packets: number; bytes: number }>();
  for (const { rule, packets, bytes } of hits) {
    const sum = rules.get(rule) ?? { rule, packets: 0, bytes: 0 };
    rules.set(rule, { rule, packets: sum.packets + packets, bytes: sum.bytes + bytes });
  }
  return [...rules.values()].sort((a, b) => a.rule.localeCompare(b.rule));
}
