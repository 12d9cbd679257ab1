import { describe, expect, it } from 'vitest';
import { commandFingerprint, markGenerated } from './command-fingerprint.js';

const vm = (data: Record<string, unknown>) => [{ type: 'CreateVm', data }];

describe('commandFingerprint', () => {
  it('is the same for the same pool, type and data in any key order', () => {
    expect(commandFingerprint('lab', vm({ vmId: 'a', name: 'a' }))).toBe(
      commandFingerprint('lab', vm({ name: 'a', vmId: 'a' })),
    );
  });

  it.each([
    ['another pool', 'lab2', vm({ vmId: 'a', name: 'a' })],
    ['another type', 'lab', [{ type: 'RenameVm', data: { vmId: 'a', name: 'a' } }]],
    ['other data', 'lab', vm({ vmId: 'a', name: 'b' })],
    ['another part', 'lab', [...vm({ vmId: 'a', name: 'a' }), ...vm({ vmId: 'b', name: 'b' })]],
  ])('differs for %s', (_name, pool, parts) => {
    expect(commandFingerprint(pool, parts)).not.toBe(
      commandFingerprint('lab', vm({ vmId: 'a', name: 'a' })),
    );
  });

  it('leaves out the fields an entry generated, also after a spread', () => {
    const first = markGenerated({ vmId: 'generated-1', name: 'a' }, ['vmId']);
    const retry = { ...markGenerated({ vmId: 'generated-2', name: 'a' }, ['vmId']) };
    expect(commandFingerprint('lab', vm(first))).toBe(commandFingerprint('lab', vm(retry)));
    expect(commandFingerprint('lab', vm(first))).not.toBe(
      commandFingerprint('lab', vm({ vmId: 'generated-1', name: 'a' })),
    );
    expect(JSON.parse(JSON.stringify(first))).toEqual({ vmId: 'generated-1', name: 'a' });
  });
});
