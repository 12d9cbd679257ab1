import { describe, expect, it } from 'vitest';
import { parseParts, readBatch } from './parse-batch.js';

const vm = { type: 'CreateVm', data: { vmId: 'a', name: 'a' } };

describe('readBatch', () => {
  it('takes the expected version from the data or the envelope, the same if both', () => {
    expect(readBatch('ApplyChanges', { expectedVersion: 3, commands: [vm] }, {})).toEqual({
      type: 'ApplyChanges',
      data: { expectedVersion: 3, commands: [vm] },
    });
    expect(readBatch('ApplyChanges', { commands: [vm] }, { expectedVersion: 4 }).data).toEqual({
      expectedVersion: 4,
      commands: [vm],
    });
    expect(() =>
      readBatch('ApplyChanges', { expectedVersion: 3, commands: [vm] }, { expectedVersion: 4 }),
    ).toThrow(expect.objectContaining({ code: 'BAD_EXPECTED_VERSION' }));
  });

  it.each([
    ['ApplyChanges', { commands: [vm] }, 'EXPECTED_VERSION_REQUIRED'],
    ['RevertPool', { toVersion: 3 }, 'EXPECTED_VERSION_REQUIRED'],
    ['RevertPool', { expectedVersion: 3 }, 'BAD_HISTORY_POINT'],
    ['ApplyChanges', { expectedVersion: -1, commands: [vm] }, 'BAD_EXPECTED_VERSION'],
    ['ApplyChanges', { expectedVersion: 1, commands: [] }, 'BAD_COMMANDS'],
    [
      'ApplyChanges',
      { expectedVersion: 1, commands: [vm, { type: 'X', extra: 1 }] },
      'BAD_COMMANDS',
    ],
    ['ImportPool', {}, 'COMMANDS_REQUIRED'],
    ['ImportPool', { commands: [vm], actor: 'me' }, 'UNKNOWN_FIELDS'],
    ['ImportPool', [vm], 'BODY_NOT_OBJECT'],
  ] as const)('%s %j → %s', (type, data, code) => {
    expect(() => readBatch(type, data, {})).toThrow(expect.objectContaining({ status: 400, code }));
  });
});

describe('parseParts', () => {
  it('parses each command as if sent alone; a refusal names its index and type', () => {
    expect(parseParts('lab', [vm])).toEqual([vm]);
    expect(() => parseParts('lab', [vm, { type: 'CreateVm', data: { vmId: 'b' } }])).toThrow(
      expect.objectContaining({
        status: 400,
        code: 'VALIDATION_FAILED',
        details: expect.objectContaining({ index: 1, commandType: 'CreateVm' }),
      }),
    );
    expect(() => parseParts('lab', [{ type: 'Nope', data: {} }])).toThrow(
      expect.objectContaining({
        code: 'UNKNOWN_COMMAND',
        details: expect.objectContaining({ index: 0 }),
      }),
    );
  });
});
