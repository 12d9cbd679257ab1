import { type NatsContext } from '@nestjs/microservices';
import { type CommandReply } from '@pool/contracts';
import { describe, expect, it } from 'vitest';
import { command } from '../api/controllers/command-route.js';
import { type CommandType } from '../api/command-schemas/command-schemas.js';
import { parseCommandRequest } from '../grpc/grpc-messages.js';
import { natsCommandsController } from '../nats/nats-commands.controller.js';
import { type CommandService } from './command-service.js';
import { parseCommand, type ParsedCommand } from './parse-command.js';

/** What a transport made of one input: the command it would run, or its refusal's code. */
type Answer = { command: ParsedCommand } | { code: string };

const codeOf = (error: unknown): Answer => ({ code: (error as { code: string }).code });

/** REST: what every route calls with its `:pool` and the body it built. */
function viaRest(pool: string, type: string, data: Record<string, unknown>): Answer {
  try {
    return { command: command(pool, type as CommandType, data) };
  } catch (error) {
    return codeOf(error);
  }
}

/** gRPC: the Execute request as the proto loader hands it over. */
function viaGrpc(pool: string, type: string, data: Record<string, unknown>): Answer {
  try {
    const request = {
      ...{ pool, type, dataJson: JSON.stringify(data), commandId: '' },
      ...{ waitHosts: false, waitTimeoutMs: 0, actor: '' },
    };
    return { command: parseCommandRequest(request).command };
  } catch (error) {
    return codeOf(error);
  }
}

/** NATS: the command controller on `<root>.<pool>.cmd.admin.<user>.<type>`, over a recording service. */
async function viaNats(pool: string, type: string, data: Record<string, unknown>) {
  const ran: ParsedCommand[] = [];
  const service = {
    execute: (_pool: string, parsed: ParsedCommand) => {
      ran.push(parsed);
      return Promise.resolve({});
    },
  } as Partial<CommandService> as CommandService;
  const Controller = natsCommandsController('root');
  const controller = new Controller(service) as {
    handle(body: unknown, ctx: NatsContext): Promise<CommandReply>;
  };
  const ctx = {
    getSubject: () => `root.${pool}.cmd.admin.tester.${type}`,
  } as unknown as NatsContext;
  const reply = await controller.handle({ data }, ctx);
  return reply.ok ? { command: ran[0]! } : { code: reply.error.code };
}

function viaParse(pool: string, type: string, data: Record<string, unknown>): Answer {
  const parsed = parseCommand(pool, type, data);
  return parsed.ok ? { command: parsed.command } : { code: parsed.error.code };
}

const VALID = { vmId: 'vm-1', name: 'web' };

describe('parseCommand, on every transport', () => {
  it.each([
    ['an upper-case pool id', 'Lab', 'CreateVm', VALID, 'VALIDATION_FAILED'],
    ["a pool id with '_'", 'lab_1', 'CreateVm', VALID, 'VALIDATION_FAILED'],
    ['a pool id of 64 characters', 'p'.repeat(64), 'CreateVm', VALID, 'VALIDATION_FAILED'],
    ['a pool id with a NUL', 'lab\u0000', 'CreateVm', VALID, 'VALIDATION_FAILED'],
    ['an unknown command', 'lab', 'CreateUnicorn', VALID, 'UNKNOWN_COMMAND'],
    ['an unknown field', 'lab', 'CreateVm', { ...VALID, colour: 'red' }, 'VALIDATION_FAILED'],
    ['a field of the wrong type', 'lab', 'CreateVm', { vmId: 7, name: 'x' }, 'VALIDATION_FAILED'],
    [
      'an upper-case id in CreatePool',
      'Lab',
      'CreatePool',
      { poolId: 'Lab', name: 'l' },
      'VALIDATION_FAILED',
    ],
    [
      'a CreatePool naming another pool',
      'lab',
      'CreatePool',
      { poolId: 'lab2', name: 'l' },
      'POOL_ID_MISMATCH',
    ],
  ])('refuses %s with the same code everywhere', async (_what, pool, type, data, code) => {
    const answers = [
      viaParse(pool, type, data),
      viaRest(pool, type, data),
      viaGrpc(pool, type, data),
      await viaNats(pool, type, data),
    ];
    expect(answers).toEqual([{ code }, { code }, { code }, { code }]);
  });

  it.each([
    ['a lowercase pool id with digits and -', 'lab-2', 'CreateVm', VALID],
    ["other ids keep '_' and upper case", 'lab', 'CreateVm', { vmId: 'VM_1', name: 'web' }],
    ['a CreatePool naming its pool', 'lab', 'CreatePool', { poolId: 'lab', name: 'Lab' }],
  ])('accepts %s as the same command everywhere', async (_what, pool, type, data) => {
    const answers = [
      viaParse(pool, type, data),
      viaRest(pool, type, data),
      viaGrpc(pool, type, data),
      await viaNats(pool, type, data),
    ];
    const expected = { command: { type, data } };
    expect(answers).toEqual([expected, expected, expected, expected]);
  });

  it('hands back the data object itself, so marks set on it reach the fingerprint', () => {
    const data = { ...VALID };
    const parsed = parseCommand('lab', 'CreateVm', data);
    expect(parsed.ok && parsed.command.data).toBe(data);
  });
});
