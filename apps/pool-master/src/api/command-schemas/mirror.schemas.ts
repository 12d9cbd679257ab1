import { MIRROR_DIRECTIONS } from '@pool/domain';
import { EnumField, IdField } from './fields.js';
import { ScopeField } from './scope.schemas.js';

export class CreateMirrorData {
  @IdField({ description: 'The mirror id' })
  mirrorId!: string;

  @ScopeField('The traffic mirrored')
  source!: object;

  @EnumField(MIRROR_DIRECTIONS, { description: 'Which direction of the source is mirrored' })
  direction!: string;

  @IdField({ description: 'The VIF receiving the copies; not part of the source' })
  destinationVifId!: string;
}
