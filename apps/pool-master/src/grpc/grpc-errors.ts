import { Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import { Logger } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { boundWireError } from '../commands/bounded-error.js';
import { CommandError } from '../commands/command-errors.js';
import { toCommandError } from '../commands/domain-errors.js';
import { poolMasterService } from './proto.js';
import { toCommandErrorMessage } from './grpc-messages.js';

const logger = new Logger('PoolMasterGrpc');

/**
 * The error's JSON in the trailers: `poolnet-reply-bin` goes base64 (4/3 larger), the message
 * again percent-encoded as grpc-message, and grpc-js clients refuse metadata over 8 KiB.
 */
const TRAILER_ERROR_BYTES = 2_500;

const BY_STATUS: Record<number, GrpcStatus> = {
  400: GrpcStatus.INVALID_ARGUMENT,
  401: GrpcStatus.UNAUTHENTICATED,
  403: GrpcStatus.PERMISSION_DENIED,
  404: GrpcStatus.NOT_FOUND,
  409: GrpcStatus.FAILED_PRECONDITION,
  412: GrpcStatus.FAILED_PRECONDITION,
  429: GrpcStatus.RESOURCE_EXHAUSTED,
  500: GrpcStatus.INTERNAL,
  503: GrpcStatus.UNAVAILABLE,
  504: GrpcStatus.DEADLINE_EXCEEDED,
};

/** The gRPC status of a refusal, as documented on `PoolMaster.Execute` in the proto. */
export function grpcStatusOf(error: Pick<CommandError, 'status' | 'code'>): GrpcStatus {
  if (error.status === 409 && error.code.endsWith('_EXISTS')) return GrpcStatus.ALREADY_EXISTS;
  return BY_STATUS[error.status] ?? GrpcStatus.UNKNOWN;
}

/**
 * Any failure as the exception Nest hands to grpc-js: the mapped status, the sentence as the
 * status message, and the typed error in the trailers (`poolnet-code`, `poolnet-status`,
 * `poolnet-reply-bin`).
 */
export function toGrpcException(cause: unknown): RpcException {
  const error = toCommandError(cause);
  // toCommandError hides an unexpected failure behind INTERNAL: keep its cause in the log.
  if (!(cause instanceof CommandError) && error.status >= 500) logger.error(cause);
  const wire = boundWireError(error.toWire(), TRAILER_ERROR_BYTES);
  const metadata = new Metadata();
  metadata.set('poolnet-code', wire.code);
  metadata.set('poolnet-status', String(wire.status));
  const reply = { error: toCommandErrorMessage(wire) };
  metadata.set('poolnet-reply-bin', poolMasterService().Execute!.responseSerialize(reply));
  return new RpcException({ code: grpcStatusOf(wire), details: wire.message, metadata });
}
