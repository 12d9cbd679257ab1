import {
  deserializePoolState,
  evolvePool,
  initialPoolState,
  POOL_STATE_VERSION,
  serializePoolState,
  upcastPoolEvent,
  type PoolState,
  type StoredEvent,
} from '@pool/domain';
import { constants, write } from 'node:fs';
import { mkdir, open, readFile, rename, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

export const STATE_FORMAT = 'poolnet-member-host/1';

/** Appends only, each write durable when it returns (data, and the size it grew to). */
const JOURNAL_FLAGS =
  constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_DSYNC;

export interface StoredReplica {
  state: PoolState;
  version: number;
  seq: number;
  /** The log the events came from; undefined in a replica saved by older code. */
  logId?: string | undefined;
}

/** One applied event for the journal: version, stream sequence, the envelope's JSON. */
export interface JournalEntry {
  v: number;
  s: number;
  raw: string;
}

/** A journal line as read back: `e` is the envelope (type, schemaVersion, data, …). */
interface JournalLine {
  v: number;
  s: number;
  e: StoredEvent;
}

export interface StateStoreOptions {
  pool: string;
  host: string;
  /** Compact once the journal outgrows the checkpoint, and at least past this many bytes. */
  minCompactBytes?: number;
}

/** The state directory belongs to another pool or host: never fold one host's log into another. */
export class ForeignStateError extends Error {
  override readonly name = 'ForeignStateError';
}

/**
 * The host's durable replica in STATE_DIR: `state.json`, a checkpoint written whole (temp file,
 * fsync, rename, fsync of the directory), and `journal.ndjson`, the events applied since,
 * one line each, appended durably (O_DSYNC) before the host acks them.
 *
 * Rewriting the whole state per event would cost O(pool) per event (megabytes for 10,000
 * VIFs); the journal costs O(event). Loading folds the journal into the checkpoint, ignoring
 * lines the checkpoint already holds (a crash between rename and truncate) and a torn last
 * line (a crash mid-append), which is cut off.
 */
export class StateStore {
  private journal: FileHandle | undefined;
  private journalBytes = 0;
  private checkpointBytes = 0;

  constructor(
    readonly dir: string,
    private readonly options: StateStoreOptions,
  ) {}

  private get statePath(): string {
    return join(this.dir, 'state.json');
  }

  private get journalPath(): string {
    return join(this.dir, 'journal.ndjson');
  }

  /** The persisted replica, or undefined when there is none this code can read. */
  async load(): Promise<StoredReplica | undefined> {
    await mkdir(this.dir, { recursive: true });
    const replica = await this.readCheckpoint();
    const text = await readFile(this.journalPath, 'utf8').catch(ifMissing(''));
    let valid = 0;
    let current = replica;
    for (const line of completeLines(text)) {
      const entry = parseEntry(line.text);
      if (!entry) break;
      // Without a checkpoint, only a journal that starts at the pool's first event can be folded.
      if (!current && entry.v === 1) current = { state: initialPoolState(), version: 0, seq: 0 };
      if (!current || entry.v > current.version + 1) break;
      if (entry.v === current.version + 1) {
        evolvePool(current.state, upcastPoolEvent(entry.e));
        current.version = entry.v;
        current.seq = entry.s;
      }
      valid = line.end;
    }
    await this.close();
    const journal = await this.openJournal();
    if (Buffer.byteLength(text) !== valid) await journal.truncate(valid);
    this.journalBytes = valid;
    return current;
  }

  /** Appends applied events and makes them durable; only then may the host ack them. */
  async append(entries: readonly JournalEntry[], replica: StoredReplica): Promise<void> {
    if (entries.length === 0) return;
    const journal = await this.openJournal();
    // The envelope goes in as received: no second serialization on the hot path.
    const text = entries.map(({ v, s, raw }) => `{"v":${v},"s":${s},"e":${raw}}\n`).join('');
    const bytes = Buffer.from(text);
    // The journal is opened O_DSYNC: a write returns once its data is on disk, as a write and
    // an fdatasync would, in one system call and one trip through libuv's thread pool.
    for (let at = 0; at < bytes.length;) at += await writeAt(journal.fd, bytes, at);
    this.journalBytes += bytes.length;
    if (
      this.journalBytes > Math.max(this.options.minCompactBytes ?? 1 << 20, this.checkpointBytes)
    ) {
      await this.checkpoint(replica);
    }
  }

  /** Writes the whole replica as the new checkpoint and empties the journal. */
  async checkpoint(replica: StoredReplica): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const body = JSON.stringify({
      format: STATE_FORMAT,
      pool: this.options.pool,
      host: this.options.host,
      stateVersion: POOL_STATE_VERSION,
      version: replica.version,
      seq: replica.seq,
      ...(replica.logId ? { logId: replica.logId } : {}),
      savedAt: new Date().toISOString(),
      state: serializePoolState(replica.state),
    });
    const tmp = `${this.statePath}.tmp`;
    const file = await open(tmp, 'w');
    try {
      await file.write(body);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, this.statePath);
    await syncDirectory(this.dir);
    this.checkpointBytes = Buffer.byteLength(body);
    const journal = await this.openJournal();
    await journal.truncate(0);
    await journal.datasync();
    this.journalBytes = 0;
  }

  async close(): Promise<void> {
    await this.journal?.close();
    this.journal = undefined;
  }

  private async openJournal(): Promise<FileHandle> {
    if (!this.journal) {
      await mkdir(this.dir, { recursive: true });
      this.journal = await open(this.journalPath, JOURNAL_FLAGS);
    }
    return this.journal;
  }

  private async readCheckpoint(): Promise<StoredReplica | undefined> {
    const text = await readFile(this.statePath, 'utf8').catch(ifMissing(undefined));
    if (text === undefined) return undefined;
    this.checkpointBytes = Buffer.byteLength(text);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Only a damaged disk does this (the checkpoint is renamed into place whole): keep the
      // file for a post-mortem and start over from the master.
      await rename(this.statePath, `${this.statePath}.corrupt-${Date.now()}`);
      this.checkpointBytes = 0;
      return undefined;
    }
    const stored = parsed as {
      format?: string;
      pool?: string;
      host?: string;
      stateVersion?: string;
      version: number;
      seq: number;
      logId?: string;
      state: unknown;
    };
    if (stored.pool !== this.options.pool || stored.host !== this.options.host) {
      throw new ForeignStateError(
        `${this.dir} holds the state of host ${stored.host} of pool ${stored.pool}, ` +
          `not of host ${this.options.host} of pool ${this.options.pool}`,
      );
    }
    // Written by code with another state shape: start over from the master instead.
    if (stored.format !== STATE_FORMAT || stored.stateVersion !== POOL_STATE_VERSION)
      return undefined;
    const { version, seq, logId } = stored;
    return { state: deserializePoolState(stored.state), version, seq, ...(logId ? { logId } : {}) };
  }
}

function* completeLines(text: string): Generator<{ text: string; end: number }> {
  let start = 0;
  let bytes = 0;
  for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
    const line = text.slice(start, nl);
    bytes += Buffer.byteLength(line) + 1;
    yield { text: line, end: bytes };
    start = nl + 1;
  }
}

function parseEntry(line: string): JournalLine | undefined {
  try {
    const entry = JSON.parse(line) as Partial<JournalLine>;
    const ok = Number.isSafeInteger(entry.v) && Number.isSafeInteger(entry.s) && entry.e;
    return ok ? (entry as JournalLine) : undefined;
  } catch {
    return undefined;
  }
}

const ifMissing =
  <T>(fallback: T) =>
  (error: unknown): T => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return fallback;
    throw error;
  };

/** A rename is durable only once the directory entry is. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * One `write(2)` of `bytes` from `offset` on the handle's descriptor (the handle still owns
 * it). The callback form: `FileHandle.write` costs ~10 µs more CPU per call (measured, 1,000
 * O_DSYNC journals written at once), and a member host writes after every event it applies.
 */
function writeAt(fd: number, bytes: Buffer, offset: number): Promise<number> {
  return new Promise((resolve, reject) => {
    write(fd, bytes, offset, bytes.length - offset, null, (error, written) =>
      error ? reject(error) : resolve(written),
    );
  });
}
