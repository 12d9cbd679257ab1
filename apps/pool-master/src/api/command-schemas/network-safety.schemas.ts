import { IdField, IntField, MAX_TEXT, TextField } from './fields.js';
import { idOnlySchema } from './id-only.schemas.js';

/** Sent by a member host (its own NATS identity) after its network watchdog rolled back. */
export class RecordNetworkRollbackData {
  @IdField({ description: 'The host that rolled back (the sender itself)', example: 'host-a' })
  hostId!: string;

  @IntField({
    description: 'The pool version whose change cut the host off',
    minimum: 1,
    maximum: Number.MAX_SAFE_INTEGER,
    example: 42,
  })
  refusedVersion!: number;

  @IntField({
    description: 'The version whose switch the host put back and holds',
    minimum: 0,
    maximum: Number.MAX_SAFE_INTEGER,
    example: 41,
  })
  heldVersion!: number;

  @TextField({
    description: 'What the watchdog found',
    maxLength: MAX_TEXT,
    docMaxLength: 500,
    example: 'NATS not reachable within 30000 ms after the change',
  })
  reason!: string;
}

export const ResetHostNetworkingData = idOnlySchema(
  'ResetHostNetworkingData',
  'hostId',
  'The host to return to its management interface alone',
);
