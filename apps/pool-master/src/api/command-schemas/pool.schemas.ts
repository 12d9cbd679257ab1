import { NameField, PoolIdField } from './fields.js';

export class CreatePoolData {
  @PoolIdField({ description: 'The pool id; REST generates one when absent', example: 'lab' })
  poolId!: string;

  @NameField({ description: 'A name of 1–64 printable characters', example: 'Lab pool' })
  name!: string;
}

export class RenamePoolData {
  @NameField({ description: 'A name of 1–64 printable characters', example: 'Production' })
  name!: string;
}
