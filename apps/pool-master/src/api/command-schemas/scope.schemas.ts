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

export class GroupScopeData {
  @EnumField(['group'], { description: 'Applies to each member VIF of a security group' })
  kind!: 'group';

  @IdField({ description: 'The security group id' })
  groupId!: string;
}

const SCOPES: Record<string, new () => object> = {
  network: NetworkScopeData,
  vif: VifScopeData,
  group: GroupScopeData,
};

/** Checked when `kind` is none of them, so the error names `kind` alone. */
class UnknownScopeData {
  @EnumField(Object.keys(SCOPES), { description: Object.keys(SCOPES).join(', ') })
  kind!: string;
}

/** Turns the raw scope into the class its `kind` names; a non-object stays as it is. */
const toScope = (raw: unknown): unknown => {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const kind = (raw as { kind?: unknown }).kind;
  const schema =
    (typeof kind === 'string' && Object.hasOwn(SCOPES, kind) && SCOPES[kind]) || UnknownScopeData;
  return plainToInstance(schema, raw);
};

/** A network, VIF or group scope, by `kind` (`setupOpenApi` registers the models). */
export const ScopeField = (description: string): PropertyDecorator =>
  applyDecorators(
    ApiProperty({
      description,
      oneOf: Object.values(SCOPES).map((scope) => ({ $ref: getSchemaPath(scope) })),
    }),
    IsDefined({ message: 'is required' }),
    IsObject({ message: 'must be an object' }),
    ValidateNested({ message: 'must be an object' }),
    Transform(({ obj, key }) => toScope((obj as Record<string, unknown>)[key]), {
      toClassOnly: true,
    }),
  );
