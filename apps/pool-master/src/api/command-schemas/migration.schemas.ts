import { BoolField, IdField, MAX_TEXT, TextField } from './fields.js';

export class RequestMigrationData {
  @IdField({ description: 'The migration id' })
  migrationId!: string;

  @IdField({ description: 'The running VM to move' })
  vmId!: string;

  @IdField({
    description: 'An enabled host with an uplink for every external network of the VM',
    example: 'host-b',
  })
  toHostId!: string;

  @BoolField({
    description:
      'Migrate the VM even though it leaves VMs on the source host behind on a host-local ' +
      'private network (refused PRIVATE_NETWORK_PEERS otherwise, naming them). Overlay ' +
      'networks follow the VM. Absent: false',
    presence: 'optional',
    default: false,
  })
  acceptIsolation?: boolean;
}

export class AbortMigrationData {
  @IdField({ description: 'The migration id' })
  migrationId!: string;

  @TextField({
    description: 'Why, 1–256 printable characters',
    maxLength: MAX_TEXT,
    docMaxLength: 256,
  })
  reason!: string;
}
