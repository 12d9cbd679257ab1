import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError, type ValidatorOptions } from 'class-validator';
import { clip, DETAIL_ENTRIES } from '../commands/bounded-error.js';
import { CommandError } from '../commands/command-errors.js';
import { POOL_ID_MESSAGE, POOL_ID_PATTERN } from './command-schemas/fields.js';
import {
  COMMAND_SCHEMAS,
  isCommandType,
  type Schema,
  type SchemaEntry,
} from './command-schemas/command-schemas.js';

/*
 * The shape check every transport runs before a command goes anywhere (CommandService's
 * `validate` option): the command exists, its data is an object, every field has its type and
 * no field is unknown. What the data means (ranges, formats, references) the decider checks.
 */

export interface FieldProblem {
  /** Path in the data: `name`, `pifs[0].mac`, `match.portFrom`. */
  field: string;
  /** Relative to the field: "must be an integer". */
  message: string;
}

const VALIDATOR_OPTIONS: ValidatorOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  validationError: { target: false, value: false },
};

/** Deeper than any command's data; stops a hostile document before it costs anything. */
const MAX_DEPTH = 16;
/**
 * Keys class-transformer drops without a word, and keys every object inherits (`toString`,
 * `valueOf`, `__lookupSetter__`…), which the whitelist check sees as declared: refused here
 * like any unknown field (found by the fuzz test).
 */
const FORBIDDEN_KEYS = new Set([
  '__proto__',
  'constructor',
  'prototype',
  ...Object.getOwnPropertyNames(Object.prototype),
]);
/** The problems a message spells out; `details.problems` has the first DETAIL_ENTRIES. */
const MESSAGE_PROBLEMS = 5;

export function validateCommand(type: string, data: unknown): void {
  if (!isCommandType(type)) {
    throw new CommandError(400, 'UNKNOWN_COMMAND', `There is no command ${quote(type)}.`, {
      type: type.slice(0, 64),
      known: Object.keys(COMMAND_SCHEMAS),
    });
  }
  if (!isJsonObject(data)) {
    throw new CommandError(
      400,
      'BODY_NOT_OBJECT',
      `The data of ${type} must be a JSON object, not ${describe(data)}.`,
    );
  }
  const problems = forbiddenKeys(data, '', 0);
  if (problems.length === 0) {
    const instance = plainToInstance(schemaOf(COMMAND_SCHEMAS[type], data), data);
    problems.push(...flatten(validateSync(instance, VALIDATOR_OPTIONS), ''));
  }
  if (problems.length > 0) throw fieldsError(`The ${type} data is invalid`, problems);
}

/**
 * The pool a command is sent to (a URL's `:pool`, a NATS subject's token): one that could not
 * have been created is a bad request rather than an unknown pool.
 */
export function assertPoolId(pool: string, field = 'pool'): void {
  if (!POOL_ID_PATTERN.test(pool)) {
    throw fieldsError('The pool id is invalid', [{ field, message: POOL_ID_MESSAGE }]);
  }
}

/**
 * The one 400 for fields: `message` names the first few, `details` lists the first
 * DETAIL_ENTRIES problems and their fields (with `problemsTotal` when there are more), so a
 * document with thousands of bad keys still gets a refusal every transport can deliver (see
 * bounded-error.ts).
 */
export function fieldsError(lead: string, all: FieldProblem[]): CommandError {
  const problems = all
    .slice(0, DETAIL_ENTRIES)
    .map(({ field, message }) => ({ field: clip(field), message }));
  const shown = problems.slice(0, MESSAGE_PROBLEMS).map((p) => `${p.field} ${p.message}`);
  const more = all.length > shown.length ? ` (and ${all.length - shown.length} more)` : '';
  return new CommandError(400, 'VALIDATION_FAILED', `${lead}: ${shown.join('; ')}${more}.`, {
    fields: [...new Set(problems.map((p) => p.field))],
    problems,
    ...(all.length > problems.length ? { problemsTotal: all.length } : {}),
  });
}

export const isJsonObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const describe = (value: unknown): string =>
  value === null
    ? 'null'
    : Array.isArray(value)
      ? 'an array'
      : value === undefined
        ? 'nothing'
        : `a ${typeof value}`;

const quote = (type: string): string =>
  JSON.stringify(type.length > 64 ? `${type.slice(0, 64)}…` : type);

const schemaOf = (entry: SchemaEntry, data: Record<string, unknown>): Schema =>
  'select' in entry ? entry.select(data) : entry;

const join = (prefix: string, key: string): string =>
  /^\d+$/.test(key) ? `${prefix}[${key}]` : prefix ? `${prefix}.${key}` : key;

function forbiddenKeys(value: unknown, path: string, depth: number): FieldProblem[] {
  if (typeof value !== 'object' || value === null) return [];
  if (depth >= MAX_DEPTH) return [{ field: path, message: 'nests too deeply' }];
  return Object.keys(value).flatMap((key) =>
    FORBIDDEN_KEYS.has(key)
      ? [{ field: join(path, key), message: 'is not a known field' }]
      : forbiddenKeys((value as Record<string, unknown>)[key], join(path, key), depth + 1),
  );
}

/** When several checks fail on one field, the most basic one explains it. */
const PRIORITY = [
  'isDefined',
  'whitelistValidation',
  'isString',
  'isInt',
  'isBoolean',
  'isObject',
  'isArray',
  'nestedValidation',
];

function flatten(errors: ValidationError[], prefix: string): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = join(prefix, error.property);
    const own = error.constraints ? [{ field, message: pickMessage(error.constraints) }] : [];
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

function pickMessage(constraints: Record<string, string>): string {
  if (constraints.whitelistValidation) return 'is not a known field';
  const key = PRIORITY.find((k) => k in constraints) ?? Object.keys(constraints)[0]!;
  return constraints[key]!;
}
