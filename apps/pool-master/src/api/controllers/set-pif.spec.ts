import { type CommandEnvelope, type CommandOutcome } from '@pool/contracts';
import { describe, expect, it } from 'vitest';
import { type CommandService, type IncomingCommand } from '../../commands/command-service.js';
import { setPif } from './set-pif.js';

/** Records what it is asked to run and answers one event per command. */
function fakeCommands() {
  const calls: { command: IncomingCommand; envelope: CommandEnvelope }[] = [];
  let version = 10;
  const service = {
    execute: (_pool: string, command: IncomingCommand, envelope: CommandEnvelope = {}) => {
      calls.push({ command, envelope });
      version += 1;
      const outcome: CommandOutcome = {
        pool: 'lab',
        commandId: envelope.commandId ?? `id-${version}`,
        version,
        firstVersion: version,
        events: [{ type: `${command.type}Done`, version, data: {} }],
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
      { command: { type: 'SetPifMtu', data: { ...target, mtu: 9000 } }, envelope },
    ]);
  });

  it('runs role then MTU, If-Match on the first, the wait on the last, keys derived', async () => {
    const { calls, service } = fakeCommands();
    const outcome = await setPif(
      service,
      'lab',
      target,
      { mtu: 9000, role: 'vm' },
      { commandId: 'k', expectedVersion: 10, wait: 'hosts', waitTimeoutMs: 500 },
    );
    expect(calls.map((c) => c.command.type)).toEqual(['SetPifRole', 'SetPifMtu']);
    expect(calls[0]!.envelope).toMatchObject({ commandId: 'k/role', expectedVersion: 10 });
    expect(calls[0]!.envelope.wait).toBeUndefined();
    expect(calls[1]!.envelope).toMatchObject({
      commandId: 'k/mtu',
      wait: 'hosts',
      waitTimeoutMs: 500,
    });
    expect(calls[1]!.envelope.expectedVersion).toBeUndefined();
    expect(outcome).toMatchObject({ firstVersion: 11, version: 12 });
    expect(outcome.events.map((e) => e.type)).toEqual(['SetPifRoleDone', 'SetPifMtuDone']);
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
});
