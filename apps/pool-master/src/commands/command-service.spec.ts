import { NoRespondersError, RequestError, type NatsConnection } from '@nats-io/transport-node';
import { type CommandOutcome } from '@pool/contracts';
import { describe, expect, it, vi } from 'vitest';
import { type ConvergenceTracker } from '../convergence/convergence-tracker.js';
import { CommandService } from './command-service.js';
import { type PoolLeadership } from './pool-leadership.js';

const outcome = (by: string) => ({ version: 1, by }) as unknown as CommandOutcome;
const rename = { type: 'RenamePool', data: { name: 'x' } } as never;

/** A replica's entry over a fake leadership and a fake NATS connection. */
function entry(options: {
  leadsHere?: boolean;
  winsCampaign?: boolean;
  /** The leader's reply to a forwarded command, or a throw as the request would. */
  forward: () => unknown;
}) {
  const writer = { submit: vi.fn(() => Promise.resolve(outcome('here'))) };
  const leadership = {
    leading: vi.fn(() => (options.leadsHere ? writer : undefined)),
    writerFor: vi.fn(() => Promise.resolve(options.winsCampaign ? writer : undefined)),
  };
  const request = vi.fn(() =>
    Promise.resolve().then(() => {
      const reply = options.forward();
      return { json: () => reply };
    }),
  );
  const nc = { request } as unknown as NatsConnection;
  const service = new CommandService(
    leadership as unknown as PoolLeadership<never, never, unknown>,
    {} as ConvergenceTracker,
    { nc, subjectRoot: 'test', leaderTimeoutMs: 1000 },
  );
  return { service, leadership, writer, request };
}

const noResponders = () =>
  new RequestError('no responders', { cause: new NoRespondersError('test.p1.leader') });

describe('CommandService routing', () => {
  it('runs a command here when this replica leads the pool, without NATS', async () => {
    const { service, request, leadership } = entry({
      leadsHere: true,
      forward: () => ({ ok: true, result: outcome('leader') }),
    });
    expect(await service.execute('p1', rename)).toMatchObject({ by: 'here' });
    expect(request).not.toHaveBeenCalled();
    expect(leadership.writerFor).not.toHaveBeenCalled();
  });

  it('forwards a command for a pool led elsewhere without campaigning (no lock query)', async () => {
    const { service, leadership } = entry({
      forward: () => ({ ok: true, result: outcome('leader') }),
    });
    expect(await service.execute('p1', rename)).toMatchObject({ by: 'leader' });
    expect(leadership.writerFor).not.toHaveBeenCalled();
  });

  it('campaigns for a pool nobody answers for, and runs the command once it wins', async () => {
    const { service, leadership, writer, request } = entry({
      winsCampaign: true,
      forward: () => {
        throw noResponders();
      },
    });
    expect(await service.execute('p1', rename)).toMatchObject({ by: 'here' });
    expect(leadership.writerFor).toHaveBeenCalledWith('p1');
    expect(writer.submit).toHaveBeenCalledOnce();
    expect(request).toHaveBeenCalledOnce();
  });

  it('forwards again when another replica won the campaign meanwhile', async () => {
    let calls = 0;
    const { service, leadership } = entry({
      winsCampaign: false,
      forward: () => {
        if (calls++ === 0) throw noResponders();
        return { ok: true, result: outcome('winner') };
      },
    });
    expect(await service.execute('p1', rename)).toMatchObject({ by: 'winner' });
    expect(leadership.writerFor).toHaveBeenCalledOnce();
  });

  it('does not campaign after any other failure to forward (the leader may have applied it)', async () => {
    const { service, leadership } = entry({
      forward: () => {
        throw new Error('timeout');
      },
    });
    await expect(service.execute('p1', rename)).rejects.toThrow('timeout');
    expect(leadership.writerFor).not.toHaveBeenCalled();
  });
});
