import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/* Response shapes, for OpenAPI only: the handlers return the contracts' plain objects. */

export class OutcomeEventModel {
  @ApiProperty({ example: 'VmCreated' })
  type!: string;

  @ApiProperty({ type: 'integer', example: 7 })
  version!: number;

  @ApiProperty({ description: 'The event data, with what the pool generated (ids, MACs)' })
  data!: object;
}

export class NotPluggedModel {
  @ApiProperty({ example: 'h1' })
  hostId!: string;

  @ApiProperty({ description: 'The VIF whose port waits for its device on that host' })
  vifId!: string;
}

export class CommandOutcomeModel {
  @ApiProperty({ example: 'lab' })
  pool!: string;

  @ApiProperty({ description: 'The Idempotency-Key, or the id the server gave the command' })
  commandId!: string;

  @ApiProperty({
    type: 'integer',
    description: "The pool's version after the command (also the ETag)",
  })
  version!: number;

  @ApiProperty({
    type: 'integer',
    description: 'The first version the command wrote (version + 1 when none)',
  })
  firstVersion!: number;

  @ApiProperty({
    type: () => OutcomeEventModel,
    isArray: true,
    description: 'The events written; empty when nothing changed',
  })
  events!: OutcomeEventModel[];

  @ApiProperty({
    description: 'True for a retry of an applied Idempotency-Key: nothing was written',
  })
  duplicate!: boolean;

  @ApiProperty({ type: String, isArray: true, description: 'Enabled hosts at this version' })
  enabledHosts!: string[];

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'integer' },
    description: 'With ?wait=hosts: the version each enabled host applied',
  })
  hosts?: Record<string, number>;

  @ApiPropertyOptional({
    type: NotPluggedModel,
    isArray: true,
    description:
      'With ?wait=hosts, when any: VIFs whose port on a host waits for its device (the ' +
      "hypervisor has not plugged the VM's NIC there yet). The host applied the version; the " +
      'port forwards as soon as the device appears, with no further command.',
  })
  notPlugged?: NotPluggedModel[];
}

export class ApiErrorModel {
  @ApiProperty({ type: 'integer', example: 409 })
  statusCode!: number;

  @ApiProperty({ description: 'Machine-readable, stable', example: 'MAC_IN_USE' })
  code!: string;

  @ApiProperty({ example: 'MAC 02:00:00:00:00:01 is already used by VIF web-eth0' })
  message!: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Structured context: fields, ids, what is missing',
  })
  details?: Record<string, unknown>;
}

export class EventEnvelopeModel {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  pool!: string;

  @ApiProperty({ type: 'integer', description: "The pool stream's version of this event" })
  version!: number;

  @ApiProperty({ description: 'Commit-order position in the whole log, epoch:xid:position' })
  position!: string;

  @ApiProperty({ example: 'NetworkCreated' })
  type!: string;

  @ApiProperty({ type: 'integer' })
  schemaVersion!: number;

  @ApiProperty({ type: 'object', additionalProperties: true })
  data!: object;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'commandId, actor, at' })
  metadata!: object;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

export class EventsPageModel {
  @ApiProperty()
  pool!: string;

  @ApiProperty({ type: () => EventEnvelopeModel, isArray: true })
  events!: EventEnvelopeModel[];

  @ApiProperty({
    type: 'integer',
    description: 'Pass as `after` to read on; equals `after` when no event followed',
  })
  next!: number;
}
