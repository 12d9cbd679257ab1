import { applyDecorators } from '@nestjs/common';
import { ApiProperty, type ApiPropertyOptions } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { ID_PATTERN, POOL_ID_PATTERN, POOL_ID_RULE } from '@pool/domain';

/*
 * Field decorators for command data: each pairs the shape check (type, presence, a size bound)
 * with its OpenAPI description. Ranges and formats the decider checks (MTU, VLAN, MAC, IP,
 * name rules…) are left to it, so a rule lives in one place; they are only documented here.
 * Messages are relative ("must be …"): the validator prefixes the field's path.
 */

/** The domain's id rules, checked here too so a malformed id is a field problem like any other. */
export { ID_PATTERN, POOL_ID_PATTERN } from '@pool/domain';
export const ID_MESSAGE =
  "must be 1–64 letters, digits, '_' or '-', starting with a letter or digit";
export const POOL_ID_MESSAGE = POOL_ID_RULE;

/**
 * Bounds on free text, far above what the decider accepts (names: 64 printable characters
 * after trimming), so that only its rule decides; these only stop oversized payloads early.
 */
export const MAX_NAME = 256;
export const MAX_TEXT = 1024;
/** Devices, MACs, addresses and prefixes: the decider parses them; none is near 64 characters. */
export const MAX_TOKEN = 64;

/** How a field may be left out: `required`, `optional` (absent; `null` refused) or `nullable`. */
export type Presence = 'required' | 'optional' | 'nullable';

interface FieldOptions {
  description: string;
  presence?: Presence;
  example?: unknown;
}

const presenceDecorators = (presence: Presence): PropertyDecorator[] => {
  switch (presence) {
    case 'required':
      return [IsDefined({ message: 'is required' })];
    case 'optional':
      // Only `undefined` skips the checks: a `null` where the command has no null is refused.
      return [ValidateIf((_object, value) => value !== undefined)];
    case 'nullable':
      return [IsOptional()];
  }
};

const field = (
  options: FieldOptions,
  api: ApiPropertyOptions,
  ...checks: PropertyDecorator[]
): PropertyDecorator => {
  const presence = options.presence ?? 'required';
  return applyDecorators(
    ApiProperty({
      description: options.description,
      required: presence === 'required',
      ...(presence === 'nullable' ? { nullable: true } : {}),
      ...(options.example === undefined ? {} : { example: options.example }),
      ...api,
    } as ApiPropertyOptions),
    ...presenceDecorators(presence),
    ...checks,
  );
};

export const IdField = (options: FieldOptions): PropertyDecorator =>
  field(
    options,
    { type: String, pattern: ID_PATTERN.source, maxLength: 64 },
    IsString({ message: 'must be a string' }),
    Matches(ID_PATTERN, { message: ID_MESSAGE }),
  );

export const PoolIdField = (options: FieldOptions): PropertyDecorator =>
  field(
    options,
    { type: String, pattern: POOL_ID_PATTERN.source, maxLength: 63 },
    IsString({ message: 'must be a string' }),
    Matches(POOL_ID_PATTERN, { message: POOL_ID_MESSAGE }),
  );

/** A string the decider parses or checks further; `maxLength` only bounds its size. */
export const TextField = (
  options: FieldOptions & { maxLength: number; docMaxLength?: number; format?: string },
): PropertyDecorator =>
  field(
    options,
    {
      type: String,
      maxLength: options.docMaxLength ?? options.maxLength,
      ...(options.format ? { format: options.format } : {}),
    },
    IsString({ message: 'must be a string' }),
    MaxLength(options.maxLength, { message: `must be at most ${options.maxLength} characters` }),
  );

/** A name: the decider trims it and wants 1–64 printable characters. */
export const NameField = (options: FieldOptions): PropertyDecorator =>
  TextField({ ...options, maxLength: MAX_NAME, docMaxLength: 64 });

/** An integer; `minimum`/`maximum` are the decider's range, documented, not checked here. */
export const IntField = (
  options: FieldOptions & { minimum?: number; maximum?: number; default?: number },
): PropertyDecorator =>
  field(
    options,
    {
      type: 'integer',
      ...(options.minimum === undefined ? {} : { minimum: options.minimum }),
      ...(options.maximum === undefined ? {} : { maximum: options.maximum }),
      ...(options.default === undefined ? {} : { default: options.default }),
    },
    IsInt({ message: 'must be an integer' }),
  );

export const BoolField = (options: FieldOptions & { default?: boolean }): PropertyDecorator =>
  field(
    options,
    { type: Boolean, ...(options.default === undefined ? {} : { default: options.default }) },
    IsBoolean({ message: 'must be true or false' }),
  );

export const EnumField = (
  values: readonly string[],
  options: FieldOptions & { default?: string },
): PropertyDecorator =>
  field(
    options,
    {
      enum: [...values],
      type: String,
      ...(options.default === undefined ? {} : { default: options.default }),
    },
    IsIn([...values], { message: `must be one of ${values.join(', ')}` }),
  );

/** A nested object validated as `type`. */
export const ObjectField = (
  type: () => new () => object,
  options: FieldOptions,
): PropertyDecorator =>
  field(
    options,
    // Defined in place: OpenAPI takes a function named `type` as a lazy reference.
    { type: () => type() },
    IsObject({ message: 'must be an object' }),
    ValidateNested({ message: 'must be an object' }),
    Type(type),
  );

/** A list of nested objects validated as `type`. */
export const ObjectListField = (
  type: () => new () => object,
  options: FieldOptions & { maxItems: number },
): PropertyDecorator =>
  field(
    options,
    { type: () => type(), isArray: true, maxItems: options.maxItems },
    IsArray({ message: 'must be a list' }),
    ArrayMaxSize(options.maxItems, { message: `must have at most ${options.maxItems} items` }),
    IsObject({ each: true, message: 'must hold objects' }),
    ValidateNested({ each: true, message: 'must hold objects' }),
    Type(type),
  );

/**
 * A list of strings, each at most `maxLength` characters. `docMaxItems`: the decider's own
 * bound, documented, when `maxItems` only stops oversized payloads early (so the decider's
 * refusal, with its own code, is what a caller one over its bound gets).
 */
export const StringListField = (
  options: FieldOptions & { maxItems: number; maxLength: number; docMaxItems?: number },
): PropertyDecorator =>
  field(
    options,
    { type: String, isArray: true, maxItems: options.docMaxItems ?? options.maxItems },
    IsArray({ message: 'must be a list' }),
    ArrayMaxSize(options.maxItems, { message: `must have at most ${options.maxItems} items` }),
    IsString({ each: true, message: 'must hold strings' }),
    MaxLength(options.maxLength, {
      each: true,
      message: `must hold strings of at most ${options.maxLength} characters`,
    }),
  );
