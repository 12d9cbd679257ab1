import { type DiffQuery, type HistoryPoint, type StateAtQuery } from '@pool/contracts';
import { CommandError } from '../commands/command-errors.js';

/** A point of a pool's history as asked: a version, a time, or the head. */
export type Point = { version: number } | { time: Date } | 'head';

const VERSION = /^\d{1,15}$/;
/** A date, or a date and time with a zone: a time without one would mean the server's zone. */
const TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/i;

/** `"120"` → version 120; `"2026-12-01T10:00Z"` → that time; anything else is refused. */
export function parsePoint(value: unknown, name: string): Point {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) {
    return { version: value };
  }
  if (typeof value === 'string' && VERSION.test(value)) return { version: Number(value) };
  if (typeof value === 'string' && TIME.test(value)) {
    const time = new Date(value);
    if (!Number.isNaN(time.getTime())) return { time };
  }
  throw new CommandError(
    400,
    'BAD_HISTORY_POINT',
    `${name} must be a pool version (an integer ≥ 0) or a time (ISO-8601 with a zone, ` +
      'e.g. 2026-12-01T10:00Z).',
    { field: name },
  );
}

const refuseUnknown = (query: Record<string, unknown>, known: string[], what: string) => {
  const unknown = Object.keys(query).filter((key) => !known.includes(key));
  if (unknown.length > 0) {
    throw new CommandError(
      400,
      'UNKNOWN_QUERY_PARAMETER',
      `Unknown query parameter(s) ${unknown.slice(0, 5).join(', ')}; ${what}.`,
      { parameters: unknown.slice(0, 20) },
    );
  }
};

/** `?version=N` or `?at=TIME` (either accepts both forms); neither: the head. */
export function parseStateQuery(query: Record<string, unknown>): Point {
  refuseUnknown(query, ['version', 'at'], 'state takes version or at');
  const { version, at } = query as StateAtQuery;
  if (version !== undefined && at !== undefined) {
    throw new CommandError(400, 'BAD_HISTORY_POINT', 'Give version or at, not both.');
  }
  if (version !== undefined) return parsePoint(version, 'version');
  if (at !== undefined) return parsePoint(at, 'at');
  return 'head';
}

/** `?from=A&to=B`, each a version or a time; `to` defaults to the head. */
export function parseDiffQuery(query: Record<string, unknown>): { from: Point; to: Point } {
  refuseUnknown(query, ['from', 'to'], 'diff takes from and to');
  const { from, to } = query as Partial<DiffQuery> & { from?: HistoryPoint };
  if (from === undefined) {
    throw new CommandError(400, 'BAD_HISTORY_POINT', 'from is required: a version or a time.', {
      field: 'from',
    });
  }
  return { from: parsePoint(from, 'from'), to: to === undefined ? 'head' : parsePoint(to, 'to') };
}

/** `?to=N` (a version or a time): the point a revert goes back to. */
export function parseRevertQuery(query: Record<string, unknown>): Point {
  refuseUnknown(query, ['to'], 'revert takes to');
  if (query.to === undefined) {
    throw new CommandError(400, 'BAD_HISTORY_POINT', 'to is required: a version or a time.', {
      field: 'to',
    });
  }
  return parsePoint(query.to, 'to');
}
