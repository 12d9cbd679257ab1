import { status } from '@grpc/grpc-js';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { grpcStatusOf } from './grpc-errors.js';
import { parseCommandRequest, type CommandRequestMessage } from './grpc-messages.js';
import { PROTO_FILE, protoPath } from './proto.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

describe('protoPath', () => {
  it('finds the proto from the sources and from the build output', () => {
    expect(protoPath()).toBe(`${ROOT}${PROTO_FILE}`);
    expect(protoPath(`${ROOT}dist/apps/pool-master/src/grpc`)).toBe(`${ROOT}${PROTO_FILE}`);
  });
});

describe('grpcStatusOf', () => {
  it.each([
    [400, 'INVALID_VLAN', status.INVALID_ARGUMENT],
    [404, 'VM_NOT_FOUND', status.NOT_FOUND],
    [409, 'POOL_EXISTS', status.ALREADY_EXISTS],
    [409, 'MAC_IN_USE', status.FAILED_PRECONDITION],
    [412, 'VERSION_MISMATCH', status.FAILED_PRECONDITION],
    [500, 'INTERNAL', status.INTERNAL],
    [503, 'NOT_LEADER', status.UNAVAILABLE],
    [504, 'CONVERGENCE_TIMEOUT', status.DEADLINE_EXCEEDED],
    [418, 'TEAPOT', status.UNKNOWN],
  ])('maps %i %s', (httpStatus, code, expected) => {
    expect(grpcStatusOf({ status: httpStatus, code })).toBe(expected);
  });
});

describe('parseCommandRequest', () => {
  const request = (over: Partial<CommandRequestMessage> = {}): CommandRequestMessage => ({
    pool: 'p1',
    type: 'CreateVm',
    dataJson: '',
    commandId: '',
    waitHosts: false,
    waitTimeoutMs: 0,
    actor: '',
    ...over,
  });

  it('leaves unset fields to the server defaults', () => {
    expect(parseCommandRequest(request({ type: 'RenamePool', dataJson: '{"name":"n"}' }))).toEqual({
      pool: 'p1',
      command: { type: 'RenamePool', data: { name: 'n' } },
      envelope: {},
    });
  });

  it('carries the envelope fields', () => {
    const parsed = parseCommandRequest(
      request({
        dataJson: '{"vmId":"v","name":"n"}',
        commandId: 'c-1',
        expectedVersion: 0,
        waitHosts: true,
        waitTimeoutMs: 50,
      }),
    );
    expect(parsed.command.data).toEqual({ vmId: 'v', name: 'n' });
    expect(parsed.envelope).toEqual({
      commandId: 'c-1',
      expectedVersion: 0,
      wait: 'hosts',
      waitTimeoutMs: 50,
    });
  });

  it.each([
    [{ pool: '', dataJson: '{"vmId":"v","name":"n"}' }, 'VALIDATION_FAILED'],
    [{ pool: 'Lab_1', dataJson: '{"vmId":"v","name":"n"}' }, 'VALIDATION_FAILED'],
    [{ type: '' }, 'UNKNOWN_COMMAND'],
    [{ dataJson: 'nope' }, 'MALFORMED_JSON'],
    [{ dataJson: 'null' }, 'BODY_NOT_OBJECT'],
    [{ commandId: 'has space' }, 'BAD_COMMAND_ID'],
    [{ waitTimeoutMs: 600_001 }, 'BAD_WAIT_TIMEOUT'],
    [{ actor: 'alice' }, 'ACTOR_NOT_ACCEPTED'],
  ])('refuses %j with %s', (over, code) => {
    expect(() => parseCommandRequest(request(over))).toThrow(expect.objectContaining({ code }));
  });
});
