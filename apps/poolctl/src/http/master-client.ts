import {
  type CommandOutcome,
  type EventEnvelope,
  type PoolDiff,
  type PoolExport,
  type PoolStateAt,
  type RevertPlan,
} from '@pool/contracts';
import { type CommandRequest } from '../requests/command-request.js';
import { type HttpClient } from './http-client.js';
import { path } from './path.js';

export interface EventsPage {
  pool: string;
  events: EventEnvelope[];
  /** The `after` of the next page. */
  next: number;
}

/** The master's largest page of events. */
export const MAX_EVENTS_PAGE = 1000;
/** The master's limit on `?wait=hosts&timeoutMs=`. */
const MAX_WAIT_MS = 600_000;
/** Time for the answer to travel once the master's own wait ended. */
const WAIT_SLACK_MS = 5_000;

export class MasterClient {
  constructor(readonly http: HttpClient) {}

  /**
   * Sends one command. The Idempotency-Key makes a repeat (a retry, or the barrier call of
   * `--wait`) return the first outcome instead of applying the command twice.
   */
  send(
    command: CommandRequest,
    options: { idempotencyKey: string; waitForHostsMs?: number },
  ): Promise<CommandOutcome> {
    const wait = options.waitForHostsMs;
    const waitMs = wait === undefined ? undefined : Math.min(Math.max(1, wait), MAX_WAIT_MS);
    return this.http.json<CommandOutcome>({
      method: command.method,
      path: command.path,
      body: command.body,
      headers: { 'idempotency-key': options.idempotencyKey },
      query: waitMs === undefined ? {} : { wait: 'hosts', timeoutMs: waitMs },
      timeoutMs: waitMs === undefined ? undefined : waitMs + WAIT_SLACK_MS,
    });
  }

  events(pool: string, after: number, limit = MAX_EVENTS_PAGE): Promise<EventsPage> {
    return this.http.json<EventsPage>({
      method: 'GET',
      path: path`/pools/${pool}/events`,
      query: { after, limit },
    });
  }

  /** The whole log after `after`, page by page. */
  async *eventsAfter(pool: string, after = 0): AsyncGenerator<EventEnvelope> {
    for (let cursor = after; ;) {
      const page = await this.events(pool, cursor);
      yield* page.events;
      if (page.events.length < MAX_EVENTS_PAGE) return;
      cursor = page.next;
    }
  }

  /** The pool's configuration at a version or time (`point`), or now. */
  stateAt(pool: string, point?: string): Promise<PoolStateAt> {
    return this.http.json<PoolStateAt>({
      method: 'GET',
      path: path`/pools/${pool}/state`,
      query: point === undefined ? {} : { version: point },
    });
  }

  /** What changed from `from` to `to` (versions or times; `to` absent: now). */
  diff(pool: string, from: string, to?: string): Promise<PoolDiff> {
    return this.http.json<PoolDiff>({
      method: 'GET',
      path: path`/pools/${pool}/diff`,
      query: to === undefined ? { from } : { from, to },
    });
  }

  /** The configuration at `point` (or now) as the commands that build it. */
  exportAt(pool: string, point?: string): Promise<PoolExport> {
    return this.http.json<PoolExport>({
      method: 'GET',
      path: path`/pools/${pool}/export`,
      query: point === undefined ? {} : { version: point },
    });
  }

  /** The dry run of a revert to `point`. */
  revertPlan(pool: string, point: string): Promise<RevertPlan> {
    return this.http.json<RevertPlan>({
      method: 'GET',
      path: path`/pools/${pool}/revert`,
      query: { to: point },
    });
  }
}
