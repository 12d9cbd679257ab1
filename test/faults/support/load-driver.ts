/**
 * A steady mix of commands against one pool, as careful clients send them: each command has an
 * id of its own and is retried with that id (REST `Idempotency-Key`, NATS `commandId`) until it
 * is answered, so a fault can delay a command but never apply it twice. Every acknowledged
 * command is recorded with the versions it was told it wrote; the consistency check holds the
 * log to them.
 *
 * Each worker owns its objects and walks them through a cycle: a network (created, its MTU
 * changed, destroyed; a VLAN, or an overlay with `overlay`), a VM with two VIFs, started, (every other worker) migrated to the next
 * host, an address change, stopped and destroyed. The migration's saga is the projection's
 * coordinator's to drive: the worker requests it and waits for its end, so the coordinator's
 * waits for host reports (break before make) are what the forwarding sampler checks.
 */
import { randomUUID } from 'node:crypto';
import { type NatsConnection } from '@nats-io/transport-node';
import { subjects, type CommandOutcome, type CommandReply } from '@pool/contracts';
import { E2E_ADMIN } from '../../support/nats.js';
import { sleep } from './local-process.js';

export interface Ack {
  commandId: string;
  type: string;
  firstVersion: number;
  version: number;
  duplicate: boolean;
  /** When the acknowledgment arrived (ms since the epoch). */
  at: number;
  /** From the first attempt to the acknowledgment, retries included. */
  latencyMs: number;
  attempts: number;
}

export interface Refusal {
  commandId: string;
  type: string;
  status: number;
  code: string;
  message: string;
}

export interface LoadOptions {
  pool: string;
  hosts: readonly string[];
  /** The REST bases of the masters alive now (asked before every request). */
  masters: () => string[];
  nc: NatsConnection;
  subjectRoot: string;
  workers?: number;
  /** Pause between a worker's commands. */
  thinkMs?: number;
  requestTimeoutMs?: number;
  /** A command unanswered for this long is given up (and reported). */
  giveUpMs?: number;
  /** How long a sender waits for the coordinator to finish a migration before aborting it. */
  migrationWaitMs?: number;
  /** The network every VM has a VIF on (created by the scenario's setup). */
  sharedNetwork?: string;
  /**
   * Each worker's own networks are overlays (VXLAN, a VNI the pool allocates) instead of VLANs,
   * so VMs on them, wherever they run or migrate, keep the hosts' tunnel meshes changing.
   */
  overlay?: boolean;
}

interface Step {
  type: string;
  data: Record<string, unknown>;
  rest?: { method: string; path: string; body?: Record<string, unknown> };
}

type Answer =
  | { ok: true; result: CommandOutcome }
  | { ok: false; status: number; code: string; message: string };

/** A command whose REST body is its whole data (no id in the URL). */
const withRest = (
  type: string,
  rest: NonNullable<Step['rest']>,
  data: Record<string, unknown>,
) => ({
  type,
  data,
  rest: { ...rest, body: data },
});

/** Not a command: the sender waits for the coordinator to finish the migration. */
const AWAIT_MIGRATION = 'AwaitMigration';

/** Migration steps a coordinator may have taken first: not a fault of the driver's model. */
const RACED = new Set(['MIGRATION_NOT_FOUND', 'MIGRATION_INVALID_TRANSITION']);

export class LoadDriver {
  readonly acks: Ack[] = [];
  /** Every command id sent, answered or not. */
  readonly sent = new Set<string>();
  readonly refusals: Refusal[] = [];
  /** Commands still unanswered when given up: their outcome is unknown. */
  readonly unanswered: { commandId: string; type: string }[] = [];
  /** Failed attempts that were retried (timeouts, 5xx, connection errors). */
  retries = 0;
  /** How the migrations the senders requested ended (the coordinator's doing). */
  readonly migrations = { completed: 0, aborted: 0, givenUp: 0 };
  private stopping = false;
  private workers: Promise<void>[] = [];
  private turn = 0;
  private pending = 0;

  constructor(private readonly o: LoadOptions) {}

  start(): void {
    this.stopping = false;
    const count = this.o.workers ?? 4;
    this.workers = Array.from({ length: count }, (_, w) => this.work(w));
  }

  /** Lets every worker finish the command in hand, then returns. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.workers);
  }

  get acknowledged(): number {
    return this.acks.length;
  }

  /** Commands sent and not answered yet. */
  get inFlight(): number {
    return this.pending;
  }

  /** The first acknowledgment of a command first sent at or after `t` (ms since the epoch). */
  firstAckSentAfter(t: number): Ack | undefined {
    return this.acks.find((a) => a.at - a.latencyMs >= t);
  }

  private async work(w: number): Promise<void> {
    for (let i = 0; !this.stopping; i++) {
      let version = 0;
      for (const step of this.cycle(w, i)) {
        if (this.stopping) return;
        if (step.type === AWAIT_MIGRATION) {
          await this.awaitMigration(step.data.migrationId as string, version);
          continue;
        }
        version = (await this.send(step))?.version ?? version;
        if (this.o.thinkMs) await sleep(this.o.thinkMs);
      }
    }
  }

  /**
   * Reads the pool's events (REST) until the migration completed or was aborted; past the
   * deadline, aborts it itself, as an operator would, so the sender can go on.
   */
  private async awaitMigration(migrationId: string, after: number): Promise<void> {
    const deadline = Date.now() + (this.o.migrationWaitMs ?? 90_000);
    let cursor = after;
    while (!this.stopping) {
      try {
        const bases = this.o.masters();
        const response = await fetch(
          `${bases[this.turn++ % bases.length]}/pools/${this.o.pool}/events?after=${cursor}&limit=1000`,
          { signal: AbortSignal.timeout(this.o.requestTimeoutMs ?? 5000) },
        );
        const page = (await response.json()) as {
          events: { type: string; data: { migrationId?: string } }[];
          next: number;
        };
        const end = page.events.find(
          (e) =>
            e.data.migrationId === migrationId &&
            (e.type === 'MigrationCompleted' || e.type === 'MigrationAborted'),
        );
        if (end) {
          if (end.type === 'MigrationCompleted') this.migrations.completed++;
          else this.migrations.aborted++;
          return;
        }
        cursor = page.next;
      } catch {
        // no master answering right now: ask again
      }
      if (Date.now() > deadline) {
        this.migrations.givenUp++;
        await this.send({
          type: 'AbortMigration',
          data: { migrationId, reason: 'the load driver gave up waiting' },
        });
        return;
      }
      await sleep(100);
    }
  }

  private cycle(w: number, i: number): Step[] {
    const p = `/pools/${this.o.pool}`;
    const hosts = this.o.hosts;
    const [from, to] = [hosts[(w + i) % hosts.length]!, hosts[(w + i + 1) % hosts.length]!];
    const id = `${this.o.pool.slice(0, 8)}-w${w}-${i}`;
    const vm = `${id}-vm`;
    const net = `${id}-net`;
    const migration = `${id}-mig`;
    const ip = (base: number) => `10.${base + w}.${(i >> 8) & 255}.${i & 255}`;
    const shared = this.o.sharedNetwork ?? 'shared';
    const rest = (method: string, path: string, body?: Record<string, unknown>) => ({
      method,
      path: `${p}${path}`,
      body,
    });
    // An overlay's MTU must leave room for VXLAN on the hosts' 1500-byte underlay.
    const mtu = this.o.overlay ? 1400 : 9000;
    const kind = this.o.overlay
      ? { kind: 'overlay' }
      : { kind: 'external', device: 'eth1', vlan: this.vlanOf(w, i) };
    return [
      withRest('CreateNetwork', rest('POST', '/networks'), {
        networkId: net,
        name: net,
        purpose: 'vm',
        ...kind,
      }),
      withRest('CreateVm', rest('POST', '/vms'), { vmId: vm, name: vm }),
      {
        type: 'CreateVif',
        data: { vifId: `${vm}-0`, vmId: vm, device: 0, networkId: shared, ipv4: ip(0) },
        rest: rest('POST', `/vms/${vm}/vifs`, {
          vifId: `${vm}-0`,
          device: 0,
          networkId: shared,
          ipv4: ip(0),
        }),
      },
      {
        type: 'CreateVif',
        data: { vifId: `${vm}-1`, vmId: vm, device: 1, networkId: net },
        rest: rest('POST', `/vms/${vm}/vifs`, { vifId: `${vm}-1`, device: 1, networkId: net }),
      },
      {
        type: 'StartVm',
        data: { vmId: vm, hostId: from },
        rest: rest('POST', `/vms/${vm}/start`, { hostId: from }),
      },
      {
        type: 'UpdateNetwork',
        data: { networkId: net, mtu },
        rest: rest('PATCH', `/networks/${net}`, { mtu }),
      },
      // Even senders migrate (the coordinator in the projection drives the saga, the sender
      // waits for its end); odd ones keep plain commands flowing meanwhile.
      ...(w % 2 === 0
        ? [
            {
              type: 'RequestMigration',
              data: { migrationId: migration, vmId: vm, toHostId: to },
              rest: rest('POST', `/vms/${vm}/migrate`, { migrationId: migration, toHostId: to }),
            },
            { type: AWAIT_MIGRATION, data: { migrationId: migration } },
          ]
        : []),
      {
        type: 'UpdateVif',
        data: { vifId: `${vm}-0`, ipv4: ip(100) },
        rest: rest('PATCH', `/vms/${vm}/vifs/${vm}-0`, { ipv4: ip(100) }),
      },
      { type: 'StopVm', data: { vmId: vm }, rest: rest('POST', `/vms/${vm}/stop`) },
      { type: 'DestroyVm', data: { vmId: vm }, rest: rest('DELETE', `/vms/${vm}`) },
      {
        type: 'DestroyNetwork',
        data: { networkId: net },
        rest: rest('DELETE', `/networks/${net}`),
      },
    ];
  }

  /** A worker has one network alive at a time, on a VLAN range of its own. */
  private vlanOf(w: number, i: number): number {
    const range = Math.floor(4000 / (this.o.workers ?? 4));
    return 2 + w * range + (i % range);
  }

  private async send(step: Step): Promise<Ack | undefined> {
    this.pending++;
    try {
      return await this.attempt(step);
    } finally {
      this.pending--;
    }
  }

  private async attempt(step: Step): Promise<Ack | undefined> {
    const commandId = randomUUID();
    this.sent.add(commandId);
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      let answer: Answer | undefined;
      try {
        answer = step.rest
          ? await this.overRest(step, commandId)
          : await this.overNats(step, commandId);
      } catch {
        answer = undefined; // no answer: a connection error or a timeout
      }
      if (answer?.ok) {
        const { result } = answer;
        const at = Date.now();
        const ack = {
          commandId,
          type: step.type,
          firstVersion: result.firstVersion,
          version: result.version,
          duplicate: result.duplicate,
          at,
          latencyMs: at - started,
          attempts: attempt,
        };
        this.acks.push(ack);
        return ack;
      }
      // Any 4xx is final, a retry racing its first attempt included: the master answers that
      // one with the first attempt's outcome, so a 409 here is a refusal the checks report.
      if (answer && answer.status < 500) {
        if (!RACED.has(answer.code)) {
          this.refusals.push({ commandId, type: step.type, ...answer });
        }
        return;
      }
      this.retries++;
      if (Date.now() - started > (this.o.giveUpMs ?? 120_000)) {
        this.unanswered.push({ commandId, type: step.type });
        return;
      }
      await sleep(Math.min(1000, 25 * 2 ** attempt));
    }
  }

  private async overRest(step: Step, commandId: string): Promise<Answer> {
    const bases = this.o.masters();
    if (bases.length === 0) throw new Error('no master alive');
    const base = bases[this.turn++ % bases.length]!;
    const { method, path } = step.rest!;
    const body = step.rest!.body;
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        'Idempotency-Key': commandId,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(this.o.requestTimeoutMs ?? 5000),
    });
    const json = (await response.json()) as CommandOutcome & { code: string; message: string };
    return response.ok
      ? { ok: true, result: json }
      : { ok: false, status: response.status, code: json.code, message: json.message };
  }

  private async overNats(step: Step, commandId: string): Promise<Answer> {
    const msg = await this.o.nc.request(
      subjects(this.o.subjectRoot).command(this.o.pool, step.type, E2E_ADMIN),
      JSON.stringify({ data: step.data, commandId }),
      { timeout: this.o.requestTimeoutMs ?? 5000 },
    );
    const reply = msg.json<CommandReply>();
    return reply.ok ? reply : { ok: false, ...reply.error };
  }
}
