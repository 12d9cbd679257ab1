import { type CommandEnvelope, type CommandOutcome } from '@pool/contracts';
import { describe, expect, it } from 'vitest';
import { type CommandService, type IncomingCommand } from '../../commands/command-service.js';
import { setPif } from './set-pif.js';

/** Records what it is asked to run and answers one event per command. */
function fakeCommands() {
  const calls: { commands: IncomingCommand[]; envelope: CommandEnvelope }[] = [];
  let version = 10;
  const service = {
    executeAll: (_pool: string, commands: IncomingCommand[], envelope: CommandEnvelope = {}) => {
      calls.push({ commands, envelope });
      const firstVersion = version + 1;
      version += commands.length;
      const outcome: CommandOutcome = {
        pool: 'lab',
        commandId: envelope.commandId ?? `id-${version}`,
        version,
        firstVersion,
        events: commands.map((c, i) => ({
          type: `${c.type}Done`,
          version: firstVersion + i,
          data: {},
        })),
        duplicate: false,
        enabledHosts: [],
      };
      return Promise.resolve(outcome);
    },
  };
  return { calls, service: service as unknown as CommandService };
}

const target = { hostId: 'host-a', device: 'eth1' };

describe('setPif', () => {
  it('runs one command for one field, with the envelope as given', async () => {
    const { calls, service } = fakeCommands();
    const envelope = { commandId: 'k', expectedVersion: 10, wait: 'hosts' as const };
    await setPif(service, 'lab', target, { mtu: 9000 }, envelope);
    expect(calls).toEqual([
      { commands: [{ type: 'SetPifMtu', data: { ...target, mtu: 9000 } }], envelope },
    ]);
  });

  it('runs role and MTU as one request, under the envelope as given', async () => {
    const { calls, service } = fakeCommands();
    const envelope = { commandId: 'k', expectedVersion: 10, wait: 'hosts' as const };
    const outcome = await setPif(service, 'lab', target, { mtu: 9000, role: 'vm' }, envelope);
    expect(calls).toEqual([
      {
        commands: [
          { type: 'SetPifRole', data: { ...target, role: 'vm' } },
          { type: 'SetPifMtu', data: { ...target, mtu: 9000 } },
        ],
        envelope,
      },
    ]);
    expect(outcome).toMatchObject({ firstVersion: 11, version: 12 });
  });

  it.each([
    [{}, 'role'],
    [{ speed: 10 }, 'speed'],
    [{ role: 'vm', mtu: '9000' }, 'mtu'],
    [{ role: 7, mtu: 9000 }, 'role'],
  ])('runs nothing for %j (bad %s)', async (body, field) => {
    const { calls, service } = fakeCommands();
    await expect(setPif(service, 'lab', target, body, {})).rejects.toMatchObject({
      status: 400,
      code: 'VALIDATION_FAILED',
      details: expect.objectContaining({ fields: expect.arrayContaining([field]) }),
    });
    expect(calls).toEqual([]);
  });

  it('runs nothing on a pool id no transport takes, both parts parsed as one request', async () => {
    const { calls, service } = fakeCommands();
    await expect(
      setPif(service, 'Lab_1', target, { role: 'vm', mtu: 9000 }, {}),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: ['pool'] } });
    expect(calls).toEqual([]);
  });
});
