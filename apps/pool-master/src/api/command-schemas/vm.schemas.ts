import { IdField, NameField } from './fields.js';

export class CreateVmData {
  @IdField({ description: 'The VM id' })
  vmId!: string;

  @NameField({ description: 'A name of 1–64 printable characters', example: 'web-1' })
  name!: string;
}

export class RenameVmData {
  @IdField({ description: 'The VM id' })
  vmId!: string;

  @NameField({ description: 'The new name', example: 'web-01' })
  name!: string;
}

export class StartVmData {
  @IdField({ description: 'The VM id' })
  vmId!: string;

  @IdField({
    description: 'An enabled host with an uplink for every external network of the VM',
    example: 'host-a',
  })
  hostId!: string;
}

export class StopVmData {
  @IdField({ description: 'The VM id' })
  vmId!: string;

  @IdField({
    description:
      'Stop it only if it runs on this host (409 VM_NOT_ON_HOST otherwise); a host sends it so',
    presence: 'optional',
    example: 'host-a',
  })
  hostId?: string;
}
