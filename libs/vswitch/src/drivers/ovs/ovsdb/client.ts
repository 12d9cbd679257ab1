import { parseSchema, type DbSchema } from './schema.js';
import { Replica, type ReplicaRow, type RowChange } from './replica.js';
import { RpcConnection, RpcError } from './rpc.js';

const DB = 'Open_vSwitch';

/**
 * Columns that change without anyone configuring anything (counters every 5 s, link state):
 * no reader of the driver needs them, and monitoring them would wake the host for nothing.
 */
const UNMONITORED = new Set([
  'statistics',
  'status',
  'bfd_status',
  'link_resets',
  'link_speed',
  'link_state',
  'duplex',
  'admin_state',
  'lacp_current',
  'rstp_statistics',
  'rstp_status',
]);

export interface OvsdbClientOptions {
  /** The unix socket of ovsdb-server. */
  socket: string;
  /** The tables kept in the replica (all their columns but UNMONITORED). */
  tables: readonly string[];
  /** How long a read waits for the connection, and a transaction for its reply. */
  timeoutMs: number;
}

/** One transaction's operation (RFC 7047 §5.2), as JSON. */
export type OvsdbOperation = Record<string, unknown> & { op: string; table?: string };

export class OvsdbTransactionError extends Error {
  constructor(
    readonly errors: unknown[],
    readonly operations: OvsdbOperation[],
  ) {
    super(`OVSDB transaction failed: ${errors.map((e) => JSON.stringify(e)).join('; ')}`);
    this.name = 'OvsdbTransactionError';
  }
}

/**
 * One long-lived connection to ovsdb-server (RFC 7047): a `monitor` of the driver's tables
 * keeps an in-memory replica current, `transact` writes, and a lost connection (ovsdb-server
 * restarted) is reopened with growing pauses, monitored again and the replica rebuilt from
 * scratch, its differences from the old one reported to the listeners as changes.
 *
 * The server sends a session's pending monitor updates before any reply to it
 * (ovsdb/jsonrpc-server.c, ovsdb_jsonrpc_session_send), so once `transact` resolves the
 * replica already shows what the transaction wrote: reads right after a write see it.
 */
export class OvsdbClient {
  private connection: RpcConnection | undefined;
  private replica: Replica | undefined;
  private connecting: Promise<void> | undefined;
  private readonly listeners = new Set<(changes: RowChange[]) => void>();
  private retryMs = RETRY_MIN_MS;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Whether the client has been used: only then does it reconnect on its own. */
  private started = false;

  constructor(private readonly options: OvsdbClientOptions) {}

  /** The replica, once connected and monitoring; waits for (re)connection up to the timeout. */
  async ready(): Promise<Replica> {
    if (this.closed) throw new Error('OVSDB client closed');
    this.started = true;
    const deadline = Date.now() + this.options.timeoutMs;
    // A socket missing or refusing (ovsdb-server restarting) is retried until the deadline,
    // as ovs-vsctl retries within its --timeout.
    for (;;) {
      if (this.connection?.isOpen && this.replica) return this.replica;
      try {
        await withTimeout(this.connect(), deadline - Date.now(), 'connecting to OVSDB');
      } catch (error) {
        if (this.closed || Date.now() + RETRY_MIN_MS >= deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, RETRY_MIN_MS));
      }
    }
  }

  get schema(): DbSchema {
    if (!this.schemaCache) throw new Error('OVSDB schema not read yet');
    return this.schemaCache;
  }
  private schemaCache: DbSchema | undefined;

  /** Calls `listener` with every batch of row changes, including a reconnection's rebuild. */
  onChange(listener: (changes: RowChange[]) => void): () => void {
    this.listeners.add(listener);
    this.started = true;
    void this.ready().catch(() => this.scheduleRetry());
    return () => this.listeners.delete(listener);
  }

  /** Runs the operations as one transaction; rejects with every error the server reported. */
  async transact(operations: OvsdbOperation[]): Promise<unknown[]> {
    await this.ready();
    const connection = this.connection!;
    const results = (await withTimeout(
      connection.request('transact', [DB, ...operations]),
      this.options.timeoutMs,
      'an OVSDB transaction',
    )) as unknown[];
    const errors = results.filter(
      (r): r is { error: string } =>
        typeof r === 'object' && r !== null && 'error' in r && r.error !== null,
    );
    if (errors.length > 0) throw new OvsdbTransactionError(errors, operations);
    return results;
  }

  /**
   * Resolves once `predicate` holds on the replica, checked now and after every change
   * (a reconnection included); rejects after the timeout.
   */
  async until(predicate: (replica: Replica) => boolean, what: string): Promise<void> {
    const replica = await this.ready();
    if (predicate(replica)) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`timed out after ${this.options.timeoutMs} ms waiting for ${what}`));
      }, this.options.timeoutMs);
      const stop = this.onChange(() => {
        if (this.replica && predicate(this.replica)) {
          clearTimeout(timer);
          stop();
          resolve();
        }
      });
    });
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.connection?.close();
  }

  private connect(): Promise<void> {
    this.connecting ??= this.open().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async open(): Promise<void> {
    const connection = await RpcConnection.open(
      this.options.socket,
      (method, params) => this.notified(method, params),
      () => this.lost(connection),
    );
    try {
      const schema = parseSchema(await connection.request('get_schema', [DB]));
      const columns = new Map(
        this.options.tables.map((table) => {
          const all = [...(schema.get(table)?.columns.keys() ?? [])];
          return [table, all.filter((column) => !UNMONITORED.has(column))];
        }),
      );
      const replica = new Replica(schema, columns);
      const requests = Object.fromEntries(
        [...columns].map(([table, monitored]) => [table, { columns: monitored }]),
      );
      // Updates may arrive before the reply is handled; the new replica takes them from now
      // on, while readers wait: the connection counts as open only once it is complete.
      const previous = this.replica;
      this.pendingReplica = replica;
      replica.apply(await connection.request('monitor', [DB, MONITOR_ID, requests]));
      this.schemaCache = schema;
      this.replica = replica;
      this.connection = connection;
      this.retryMs = RETRY_MIN_MS;
      if (previous) this.emit(replica.changesSince(previous));
    } catch (error) {
      connection.close();
      throw error;
    } finally {
      this.pendingReplica = undefined;
    }
  }
  private pendingReplica: Replica | undefined;

  private notified(method: string, params: unknown[]): void {
    if (method !== 'update' || params[0] !== MONITOR_ID) return;
    const replica = this.pendingReplica ?? this.replica;
    const changes = replica?.apply(params[1]) ?? [];
    if (replica === this.replica && changes.length > 0) this.emit(changes);
  }

  private emit(changes: RowChange[]): void {
    for (const listener of [...this.listeners]) listener(changes);
  }

  private lost(connection: RpcConnection): void {
    if (this.connection !== connection) return;
    this.connection = undefined;
    this.scheduleRetry();
  }

  /** Reconnects on its own (the device watch must not go deaf), with growing pauses. */
  private scheduleRetry(): void {
    if (this.closed || !this.started || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.connect().catch(() => {
        this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
        this.scheduleRetry();
      });
    }, this.retryMs);
    this.retryTimer.unref();
  }
}

const MONITOR_ID = 'poolnet';
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 2000;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export { RpcError };
export type { ReplicaRow, RowChange };
