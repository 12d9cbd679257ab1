import { applyDecorators } from '@nestjs/common';
import { ApiProperty, getSchemaPath } from '@nestjs/swagger';
import { plainToInstance, Transform } from 'class-transformer';
import { IsDefined, IsObject, ValidateNested } from 'class-validator';
import { EnumField, IdField } from './fields.js';

export class NetworkScopeData {
  @EnumField(['network'], { description: 'Applies to every port of a network' })
  kind!: 'network';

  @IdField({ description: 'The network id' })
  networkId!: string;
}

export class VifScopeData {
  @EnumField(['vif'], { description: 'Applies to one VIF' })
  kind!: 'vif';

  @IdField({ description: 'The VIF id' })
  vifId!: string;
}

/** Checked when `kind` is neither, so the error names `kind` alone. */
class UnknownScopeData {
  @EnumField(['network', 'vif'], { description: 'network or vif' })
  kind!: string;
}

const SCOPES: Record<string, new () => object> = { network: NetworkScopeData, vif: VifScopeData };

/** Turns the raw scope into the class its `kind` names; a non-object stays as it is. */
const toScope = (raw: unknown): unknown => {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const kind = (raw as { kind?: unknown }).kind;
  const schema =
    (typeof kind === 'string' && Object.hasOwn(SCOPES, kind) && SCOPES[kind]) || UnknownScopeData;
  return plainToInstance(schema, raw);
};

/** A network or VIF scope, discriminated by `kind` (`setupOpenApi` registers both models). */
export const ScopeField = (description: string): PropertyDecorator =>
  applyDecorators(
    ApiProperty({
      description,
      oneOf: [{ $ref: getSchemaPath(NetworkScopeData) }, { $ref: getSchemaPath(VifScopeData) }],
    }),
    IsDefined({ message: 'is required' }),
    IsObject({ message: 'must be an object' }),
    ValidateNested({ message: 'must be an object' }),
    Transform(({ obj, key }) => toScope((obj as Record<string, unknown>)[key]), {
      toClassOnly: true,
    }),
  );
