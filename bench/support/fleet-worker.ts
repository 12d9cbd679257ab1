import { connect } from '@nats-io/transport-node';
import { BareFanout } from './bare-fanout.js';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { allApplied, fleetHost, inParallel, type FleetEnv, type FleetHost } from './fleet.js';

/**
 * Simulated member hosts in a child process of the converge bench, so that a thousand of them
 * can use both cores, as a thousand real hosts use a thousand machines. The parent sends what
 * to run over the IPC channel; the child answers each request with the same `id`.
 */

export interface FleetWorkerConfig {
  natsUrl: string;
  root: string;
  eventsStream: string;
  dir: string;
}

type Request =
  | { id: number; type: 'start'; pool: string; hosts: string[] }
  | { id: number; type: 'applied'; version: number }
  | { id: number; type: 'following' }
  | { id: number; type: 'behind'; version: number }
  | { id: number; type: 'heap' }
  | { id: number; type: 'fanout'; stream: string; consumers: string[] }
  | { id: number; type: 'received'; seq: number }
  | { id: number; type: 'stop' };

type Reply = { id: number; value?: unknown; error?: string } | { warn: string };

/** The parent's handle on one worker. */
export class FleetWorker {
  private next = 0;
  private readonly pending = new Map<
    number,
    (reply: { value?: unknown; error?: string }) => void
  >();
  readonly exited: Promise<number | null>;

  private constructor(
    private readonly child: ChildProcess,
    onWarn: (message: string) => void,
  ) {
    child.on('message', (message: Reply) => {
      if ('warn' in message) return onWarn(message.warn);
      this.pending.get(message.id)?.(message);
      this.pending.delete(message.id);
    });
    this.exited = new Promise((resolve) => child.once('exit', resolve));
    void this.exited.then((code) => {
      for (const settle of this.pending.values()) settle({ error: `worker exited with ${code}` });
      this.pending.clear();
    });
  }

  static spawn(config: FleetWorkerConfig, onWarn: (message: string) => void): FleetWorker {
    const child = fork(fileURLToPath(import.meta.url), [JSON.stringify(config)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
      // Hundreds of hosts' messages, promises and reports are alive at once in this one heap,
      // where a real host's heap holds one host's: with V8's default 16 MB young generation a
      // scavenge came every few commands at 1,000 hosts and cost ~15 ms (--trace-gc); 32 MB
      // halves how often (measured: CPU per host per command 238 → 186 µs).
      // --expose-gc: `heap` collects before it reads, so it measures what the hosts keep.
      execArgv: [...process.execArgv, '--max-semi-space-size=32', '--expose-gc'],
    });
    return new FleetWorker(child, onWarn);
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** Boots the hosts (each loads the pool from the master's snapshot) and starts them following. */
  start(pool: string, hosts: string[]): Promise<void> {
    return this.call({ type: 'start', pool, hosts }) as Promise<void>;
  }

  /** Whether every host of this worker follows its live consumer. */
  following(): Promise<boolean> {
    return this.call({ type: 'following' }) as Promise<boolean>;
  }

  /** This worker's hosts short of `version`, and why: for the error when a command times out. */
  behind(version: number): Promise<string[]> {
    return this.call({ type: 'behind', version }) as Promise<string[]>;
  }

  /** Epoch ms at which the last of this worker's hosts applied `version`. */
  applied(version: number): Promise<number> {
    return this.call({ type: 'applied', version }) as Promise<number>;
  }

  /** Bytes of live heap in this worker after a full garbage collection. */
  heapUsed(): Promise<number> {
    return this.call({ type: 'heap' }) as Promise<number>;
  }

  /**
   * Bare JetStream consumers instead of hosts: one durable pull consumer per name on `stream`,
   * configured as a host's (explicit ack, one message in flight), acking each message as it
   * comes, with no fold, switch or journal behind it. The fan-out limit the hosts are set beside.
   */
  fanout(stream: string, consumers: string[]): Promise<void> {
    return this.call({ type: 'fanout', stream, consumers }) as Promise<void>;
  }

  /** Epoch ms at which the last of this worker's bare consumers received stream sequence `seq`. */
  received(seq: number): Promise<number> {
    return this.call({ type: 'received', seq }) as Promise<number>;
  }

  async stop(): Promise<void> {
    await this.call({ type: 'stop' }).catch(() => undefined);
    await this.exited;
  }

  private call(request: { type: Request['type'] } & Record<string, unknown>): Promise<unknown> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, (reply) =>
        reply.error === undefined ? resolve(reply.value) : reject(new Error(reply.error)),
      );
      this.child.send({ ...request, id });
    });
  }
}

async function serve(config: FleetWorkerConfig): Promise<void> {
  const send = (reply: Reply) => process.send?.(reply);
  let warnings = 0;
  const nc = await connect({ servers: config.natsUrl, name: 'bench-fleet', noAsyncTraces: true });
  const env: FleetEnv = {
    nc,
    root: config.root,
    eventsStream: config.eventsStream,
    dir: config.dir,
    warn: (message) => {
      if (warnings++ < 20) send({ warn: message });
    },
  };
  const hosts: FleetHost[] = [];
  const fanout = new BareFanout(nc);
  const handle = async (request: Request): Promise<unknown> => {
    switch (request.type) {
      case 'start':
        await inParallel(request.hosts, 50, async (host) => {
          hosts.push(await fleetHost(env, request.pool, host));
        });
        return;
      case 'following':
        return hosts.every((h) => h.agent.phase === 'following');
      case 'behind':
        return hosts
          .filter((h) => (h.agent.applied?.version ?? 0) < request.version)
          .map(({ name, agent: a }) => {
            const why = a.lastError ? `, last error: ${a.lastError}` : '';
            const at = `replica at ${a.replica.version} (seq ${a.replica.seq})`;
            return `${name} ${a.phase}, ${at}, applied ${a.applied?.version ?? 0}${why}`;
          });
      case 'applied':
        return allApplied(hosts, request.version);
      case 'heap':
        (globalThis as { gc?: () => void }).gc?.();
        return process.memoryUsage().heapUsed;
      case 'fanout':
        return fanout.start(request.stream, request.consumers);
      case 'received':
        return fanout.received(request.seq);
      case 'stop':
        fanout.stop();
        await inParallel(hosts, 100, (h) => h.stop());
        await nc.close();
        setImmediate(() => process.exit(0));
        return;
    }
  };
  process.on('message', (request: Request) => {
    handle(request).then(
      (value) => send({ id: request.id, value }),
      (error: unknown) => send({ id: request.id, error: String(error) }),
    );
  });
  process.on('disconnect', () => process.exit(1)); // the bench is gone
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await serve(JSON.parse(process.argv[2]!) as FleetWorkerConfig);
}
