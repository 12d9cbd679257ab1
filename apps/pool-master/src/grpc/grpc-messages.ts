import { type CommandEnvelope, type CommandOutcome, type WireError } from '@pool/contracts';
import { formatPosition, type RecordedEvent } from '@pool/event-store';
import { CommandError } from '../commands/command-errors.js';
import { assertPoolId, fieldsError } from '../api/validate-command.js';
import { commandOrThrow, type ParsedCommand } from '../commands/parse-command.js';

/*
 * The proto's messages as `@grpc/proto-loader` hands them over with `GRPC_LOADER_OPTIONS`
 * (camelCase fields, uint64 as number, defaults filled in), and the mappings to the contracts.
 */

/** On a request whose string fields (by number) held bytes that are not UTF-8. */
export const NON_UTF8_FIELDS = Symbol('string fields that were not UTF-8');

export interface CommandRequestMessage {
  [NON_UTF8_FIELDS]?: number[];
  pool: string;
  type: string;
  dataJson: string;
  commandId: string;
  expectedVersion?: number;
  waitHosts: boolean;
  waitTimeoutMs: number;
  actor: string;
}

export interface CommandErrorMessage {
  status: number;
  code: string;
  message: string;
  detailsJson: string;
}

export interface CommandResultMessage {
  pool: string;
  commandId: string;
  version: number;
  firstVersion: number;
  events: { type: string; version: number; dataJson: string }[];
  duplicate: boolean;
  enabledHosts: string[];
  waitedForHosts: boolean;
  hosts: Record<string, number>;
  notPlugged: { hostId: string; vifId: string }[];
  batchJson: string;
}

export type CommandReplyMessage = { result: CommandResultMessage } | { error: CommandErrorMessage };

export interface FollowRequestMessage {
  pool: string;
  afterVersion: number;
}

export interface StateAtRequestMessage {
  pool: string;
  point: string;
}

export interface DiffRequestMessage {
  pool: string;
  from: string;
  to: string;
}

export interface HistoryReplyMessage {
  resultJson: string;
}

export interface EventMessage {
  id: string;
  pool: string;
  version: number;
  position: string;
  type: string;
  schemaVersion: number;
  dataJson: string;
  metadataJson: string;
  createdAt: string;
}

const COMMAND_ID = /^[\x21-\x7e]{1,128}$/;

const invalid = (code: string, message: string, details?: Record<string, unknown>) =>
  new CommandError(400, code, message, details);

/** A pool id, as every transport checks one (FollowEvents; commands go through parseCommand). */
export function requirePoolId(pool: string): string {
  assertPoolId(pool);
  return pool;
}

/** Checks the request's own fields, then parses the command as every transport does. */
export function parseCommandRequest(request: CommandRequestMessage): {
  pool: string;
  command: ParsedCommand;
  envelope: CommandEnvelope;
} {
  const { data, envelope } = readCommandRequest(request);
  const command = commandOrThrow(request.pool, request.type, data);
  return { pool: request.pool, command, envelope };
}

/** The request's own fields checked: its data (a JSON object) and envelope. */
export function readCommandRequest(request: CommandRequestMessage): {
  data: object;
  envelope: CommandEnvelope;
} {
  refuseNonUtf8(request[NON_UTF8_FIELDS]);
  let data: unknown = {};
  if (request.dataJson !== '') {
    try {
      data = JSON.parse(request.dataJson);
    } catch {
      throw invalid('MALFORMED_JSON', 'data_json is not valid JSON.');
    }
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw invalid('BODY_NOT_OBJECT', 'data_json must be a JSON object.');
  }
  if (request.commandId !== '' && !COMMAND_ID.test(request.commandId)) {
    throw invalid('BAD_COMMAND_ID', 'command_id must be 1–128 printable ASCII characters.');
  }
  if (request.actor !== '') {
    // The log records who the token says the caller is, never who the caller says it is.
    throw invalid(
      'ACTOR_NOT_ACCEPTED',
      "actor is not taken: the log records the bearer token's name (anonymous without tokens).",
    );
  }
  if (request.waitTimeoutMs > 600_000) {
    throw invalid('BAD_WAIT_TIMEOUT', 'wait_timeout_ms must be from 1 to 600000 (0: default).');
  }
  const envelope: CommandEnvelope = {
    commandId: request.commandId || undefined,
    expectedVersion: request.expectedVersion,
    wait: request.waitHosts ? 'hosts' : undefined,
    waitTimeoutMs: request.waitTimeoutMs || undefined,
  };
  return { data, envelope };
}

/** CommandRequest's string fields, by number (libs/contracts/proto). */
const STRING_FIELDS: Record<number, string> = {
  1: 'pool',
  2: 'type',
  3: 'data_json',
  4: 'command_id',
  8: 'actor',
};

/** Text that was not UTF-8 is refused, as REST and NATS refuse such bodies, never stored as U+FFFD. */
function refuseNonUtf8(fields: number[] | undefined): void {
  if (!fields?.length) return;
  if (fields.includes(3)) throw invalid('MALFORMED_JSON', 'data_json is not valid UTF-8.');
  throw fieldsError(
    'The request is invalid',
    fields.map((n) => ({ field: STRING_FIELDS[n] ?? `field ${n}`, message: 'must be UTF-8' })),
  );
}

export function toCommandResultMessage(outcome: CommandOutcome): CommandResultMessage {
  return {
    pool: outcome.pool,
    commandId: outcome.commandId,
    version: outcome.version,
    firstVersion: outcome.firstVersion,
    events: outcome.events.map((e) => ({
      type: e.type,
      version: e.version,
      dataJson: JSON.stringify(e.data ?? null),
    })),
    duplicate: outcome.duplicate,
    enabledHosts: outcome.enabledHosts,
    waitedForHosts: outcome.hosts !== undefined,
    hosts: outcome.hosts ?? {},
    notPlugged: outcome.notPlugged ?? [],
    batchJson: outcome.batch ? JSON.stringify(outcome.batch) : '',
  };
}

export function toCommandErrorMessage(error: WireError): CommandErrorMessage {
  return {
    status: error.status,
    code: error.code,
    message: error.message,
    detailsJson: error.details ? JSON.stringify(error.details) : '',
  };
}

export function toEventMessage(pool: string, event: RecordedEvent): EventMessage {
  return {
    id: event.eventId,
    pool,
    version: event.streamVersion,
    position: formatPosition(event.position),
    type: event.type,
    schemaVersion: event.schemaVersion,
    dataJson: JSON.stringify(event.data ?? null),
    metadataJson: JSON.stringify(event.metadata ?? {}),
    createdAt: event.createdAt,
  };
}
