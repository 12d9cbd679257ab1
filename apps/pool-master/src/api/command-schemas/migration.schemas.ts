import { BoolField, EnumField, IdField, MAX_TEXT, TextField } from './fields.js';

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

export class PrepareMigrationData {
  @IdField({ description: 'The migration id' })
  migrationId!: string;

  @EnumField(['vm', 'coordinator'], {
    description:
      "Who activates it: `vm`, the VM's own announcement on the target (its ports open in the " +
      'datapath; the source forwards until then), or `coordinator`, once the source stopped ' +
      'forwarding. Absent: coordinator',
    presence: 'optional',
    default: 'coordinator',
  })
  activation?: 'vm' | 'coordinator';
}

export class ActivateMigrationData {
  @IdField({ description: 'The migration id' })
  migrationId!: string;

  @TextField({
    description:
      "When the target's switch opened the ports on the VM's announcement (ISO 8601 UTC with " +
      'milliseconds): recorded as activated by the datapath. Only for a migration the VM ' +
      'activates. Absent: activated by the coordinator',
    maxLength: 64,
    format: 'date-time',
    presence: 'optional',
  })
  announcedAt?: string;
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
