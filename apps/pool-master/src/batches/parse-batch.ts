import {
  type ApplyChangesRequest,
  type BatchType,
  type CommandEnvelope,
  type CommandSpec,
  type ImportRequest,
  MAX_BATCH_COMMANDS,
  type RevertRequest,
} from '@pool/contracts';
import { clip } from '../commands/bounded-error.js';
import { CommandError } from '../commands/command-errors.js';
import { parseCommand, type ParsedCommand } from '../commands/parse-command.js';
import { partRefused } from '../commands/pool-writer.js';

/*
 * A batch's data as every transport hands it in (REST body, NATS `data`, gRPC `data_json`):
 * its own fields checked here, each of its commands by `parseCommand` as if sent alone, a
 * refusal naming the command's index.
 */

const KEYS: Record<BatchType, string[]> = {
  ApplyChanges: ['expectedVersion', 'commands'],
  RevertPool: ['toVersion', 'expectedVersion', 'commands'],
  ImportPool: ['commands', 'name', 'expectedVersion'],
};

const invalid = (code: string, message: string, details?: Record<string, unknown>) =>
  new CommandError(400, code, message, details);

export type BatchData =
  | { type: 'ApplyChanges'; data: ApplyChangesRequest }
  | { type: 'RevertPool'; data: RevertRequest }
  | { type: 'ImportPool'; data: ImportRequest };

/**
 * Reads a batch's fields. The expected version may come in the data or the envelope (If-Match,
 * NATS's and gRPC's own field); both must then agree. ApplyChanges and RevertPool require one.
 */
export function readBatch(type: BatchType, data: unknown, envelope: CommandEnvelope): BatchData {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw invalid('BODY_NOT_OBJECT', `The data of ${type} must be a JSON object.`);
  }
  const body = data as Record<string, unknown>;
  const unknown = Object.keys(body).filter((key) => !KEYS[type].includes(key));
  if (unknown.length > 0) {
    throw invalid(
      'UNKNOWN_FIELDS',
      `${type} takes ${KEYS[type].join(', ')}; not ${unknown
        .slice(0, 5)
        .map((k) => clip(k))
        .join(', ')}.`,
      { fields: unknown.slice(0, 20).map((k) => clip(k)) },
    );
  }
  const expectedVersion = expected(body.expectedVersion, envelope.expectedVersion);
  if (expectedVersion === undefined && type !== 'ImportPool') {
    throw invalid(
      'EXPECTED_VERSION_REQUIRED',
      `${type} is applied only at the version it was planned for: give expectedVersion.`,
      { field: 'expectedVersion' },
    );
  }
  const commands = body.commands === undefined ? undefined : specs(body.commands);
  if (type === 'RevertPool') {
    if (body.toVersion === undefined) {
      throw invalid('BAD_HISTORY_POINT', 'toVersion is required: a version or a time.', {
        field: 'toVersion',
      });
    }
    const revert: RevertRequest = {
      toVersion: body.toVersion as RevertRequest['toVersion'],
      expectedVersion: expectedVersion!,
      ...(commands ? { commands } : {}),
    };
    return { type, data: revert };
  }
  if (!commands) {
    throw invalid('COMMANDS_REQUIRED', `${type} needs commands: a list of {type, data}.`, {
      field: 'commands',
    });
  }
  if (type === 'ApplyChanges') {
    return { type, data: { expectedVersion: expectedVersion!, commands } };
  }
  if (body.name !== undefined && typeof body.name !== 'string') {
    throw invalid('VALIDATION_FAILED', 'name must be a string.', { field: 'name' });
  }
  const name = body.name;
  return {
    type,
    data: {
      commands,
      ...(name === undefined ? {} : { name }),
      ...(expectedVersion === undefined ? {} : { expectedVersion }),
    },
  };
}

function expected(inData: unknown, inEnvelope: number | undefined): number | undefined {
  if (inData !== undefined && (!Number.isSafeInteger(inData) || (inData as number) < 0)) {
    throw invalid('BAD_EXPECTED_VERSION', 'expectedVersion must be a non-negative integer.', {
      field: 'expectedVersion',
    });
  }
  const version = inData as number | undefined;
  if (version !== undefined && inEnvelope !== undefined && version !== inEnvelope) {
    throw invalid(
      'BAD_EXPECTED_VERSION',
      `expectedVersion ${version} and the request's expected version ${inEnvelope} differ.`,
      { field: 'expectedVersion' },
    );
  }
  return version ?? inEnvelope;
}

/** A list of 1 to MAX_BATCH_COMMANDS `{type, data}`, each only those two fields. */
function specs(value: unknown): CommandSpec[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_BATCH_COMMANDS) {
    throw invalid(
      'BAD_COMMANDS',
      `commands must be a list of 1 to ${MAX_BATCH_COMMANDS} commands {type, data}.`,
      { field: 'commands' },
    );
  }
  value.forEach((spec: unknown, index) => {
    const ok =
      typeof spec === 'object' &&
      spec !== null &&
      !Array.isArray(spec) &&
      typeof (spec as CommandSpec).type === 'string' &&
      Object.keys(spec).every((key) => key === 'type' || key === 'data');
    if (!ok) {
      throw invalid('BAD_COMMANDS', `commands[${index}] must be an object {type, data}.`, {
        field: `commands[${index}]`,
        index,
      });
    }
  });
  return value as CommandSpec[];
}

/** Each command parsed as if sent alone; the first refusal names its index. */
export function parseParts(pool: string, commands: CommandSpec[]): ParsedCommand[] {
  return commands.map((spec, index) => {
    const parsed = parseCommand(pool, spec.type, spec.data ?? {});
    if (!parsed.ok) throw partRefused(parsed.error, index, clip(spec.type), commands.length);
    return parsed.command;
  });
}
