import { createConnection, type Socket } from 'node:net';
import { namesPort } from './flow-text.js';
import {
  BundleCtrl,
  decodeError,
  decodeMultipart,
  describeError,
  encodeBarrierRequest,
  encodeBundleAdd,
  encodeBundleControl,
  encodeHello,
  encodeOfLine,
  encodePortDescRequest,
  decodePortDesc,
  HEADER_BYTES,
  helloAdmitsOf14,
  Of14Type,
  type Of14Error,
} from './of14-messages.js';

export class OpenFlowError extends Error {
  override name = 'OpenFlowError';
}

/** The connection went away (ovs-vswitchd restarted, the bridge was deleted): worth a retry. */
export class OpenFlowConnectionLost extends OpenFlowError {
  override name = 'OpenFlowConnectionLost';
}

/** What waits for replies to one xid: it returns true once it has had its last message. */
type Waiter = { onMessage: (message: Buffer) => boolean; onError: (error: Of14Error) => void };

/** One step of a pipeline: a bundle of flow-mod lines, or one message (numbered by `xid`). */
export type PipelineStep =
  { lines: readonly string[] } | { message: (xid: number) => Buffer; what: string };

/** Errors of a run of xids (a bundle's messages), collected until its barrier answers. */
type ErrorSink = { from: number; to: number; errors: { xid: number; error: Of14Error }[] };

/**
 * One OpenFlow 1.4 session with a bridge's management socket, kept open across changes: requests
 * matched to replies by xid, echo requests answered, messages framed by their header's length.
 * A change is one bundle (open, its flow mods and packet-outs in order, commit, barrier): the
 * switch applies all of it or none, and the barrier's reply says it has.
 */
export class Of14Connection {
  private buffered: Buffer = Buffer.alloc(0);
  private nextXid = 1;
  private nextBundle = 1;
  private readonly waiters = new Map<number, Waiter>();
  private readonly sinks = new Set<ErrorSink>();
  private failure: Error | undefined;
  private greet!: () => void;
  private refuse!: (error: Error) => void;
  private readonly greeted = new Promise<void>((resolve, reject) => {
    this.greet = resolve;
    this.refuse = reject;
  });
  /** Rejects once the connection fails; every wait races it. */
  readonly broken: Promise<never>;
  private breakWith!: (error: Error) => void;

  private constructor(
    private readonly socket: Socket,
    readonly target: string,
  ) {
    this.greeted.catch(() => undefined);
    this.broken = new Promise<never>((_, reject) => (this.breakWith = reject));
    this.broken.catch(() => undefined);
    // An idle session does not keep the process alive (a pending request's timer does).
    socket.unref();
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (error) =>
      this.fail(new OpenFlowConnectionLost(`${target}: ${error.message}`)),
    );
    socket.on('close', () =>
      this.fail(new OpenFlowConnectionLost(`${target} closed the connection`)),
    );
  }

  /** Connects and exchanges hellos; rejects if the bridge does not speak OpenFlow 1.4. */
  static async open(socketPath: string, timeoutMs: number): Promise<Of14Connection> {
    const socket = createConnection(socketPath);
    const connection = new Of14Connection(socket, socketPath);
    socket.write(encodeHello(0));
    try {
      await connection.within(timeoutMs, connection.greeted, 'hello');
    } catch (error) {
      connection.close();
      throw error;
    }
    return connection;
  }

  get closed(): boolean {
    return this.failure !== undefined;
  }

  /** Every reply of a multipart request, their bodies in order. */
  async multipart(request: (xid: number) => Buffer, timeoutMs: number, what: string) {
    const xid = this.xid();
    const bodies: Buffer[] = [];
    const done = new Promise<Buffer[]>((resolve, reject) => {
      this.waiters.set(xid, {
        onMessage: (message) => {
          if (message.readUInt8(1) !== Of14Type.multipartReply) return false;
          const reply = decodeMultipart(message);
          bodies.push(reply.body);
          if (!reply.more) resolve(bodies);
          return !reply.more;
        },
        onError: (error) => reject(new OpenFlowError(`${what} refused: ${describeError(error)}`)),
      });
    });
    this.send(request(xid));
    return this.within(timeoutMs, done, what);
  }

  /** OpenFlow port numbers by port name, as the switch has them now. */
  async portNumbers(timeoutMs: number): Promise<Map<string, number>> {
    const bodies = await this.multipart(encodePortDescRequest, timeoutMs, 'port description');
    return new Map(bodies.flatMap(decodePortDesc).map((p) => [p.name, p.portNo]));
  }

  /**
   * Flow-mod and packet-out lines (flows.ts) as one atomic, ordered bundle. Port names are
   * resolved against the switch's port descriptions read right before, so a port deleted and
   * created again under its name is addressed by its new number. Rejects, naming each line the
   * switch refused, if any was (then nothing of the bundle is applied).
   */
  async bundle(lines: readonly string[], timeoutMs: number): Promise<void> {
    await this.pipeline([{ lines }], timeoutMs, 'the bundle');
  }

  /** Messages that answer nothing when they succeed, then a barrier; rejects on any error. */
  async request(messages: ((xid: number) => Buffer)[], timeoutMs: number, what: string) {
    await this.pipeline(
      messages.map((message) => ({ message, what })),
      timeoutMs,
      what,
    );
  }

  /**
   * Steps sent back to back and answered by one barrier: each `lines` step is a bundle of its
   * own (atomic), each `message` one message (a meter mod, which a 1.4 bundle cannot carry).
   * Open vSwitch handles one connection's messages in order, so a step sees those before it
   * applied; errors arrive before the barrier's reply, so the list of what was refused is whole.
   */
  async pipeline(steps: readonly PipelineStep[], timeoutMs: number, what: string): Promise<void> {
    const named = steps.some((step) => 'lines' in step && step.lines.some(namesPort));
    const resolve = this.resolver(named ? await this.portNumbers(timeoutMs) : new Map());
    const messages: Buffer[] = [];
    const described = new Map<number, string>();
    const first = this.nextXid;
    for (const step of steps) {
      if ('message' in step) {
        const xid = this.xid();
        described.set(xid, step.what);
        messages.push(step.message(xid));
        continue;
      }
      if (step.lines.length === 0) continue;
      const bundleId = this.nextBundle++;
      const open = this.xid();
      described.set(open, 'bundle open');
      const adds = step.lines.map((line) => {
        const xid = this.xid();
        described.set(xid, line);
        return encodeBundleAdd(bundleId, encodeOfLine(xid, line, resolve));
      });
      const commit = this.xid();
      described.set(commit, 'commit');
      messages.push(
        encodeBundleControl(open, bundleId, BundleCtrl.openRequest),
        ...adds,
        encodeBundleControl(commit, bundleId, BundleCtrl.commitRequest),
      );
    }
    if (messages.length === 0) return;
    const barrier = this.xid();
    const sink: ErrorSink = { from: first, to: barrier, errors: [] };
    this.sinks.add(sink);
    try {
      const answered = this.barrierReply(barrier);
      this.send(Buffer.concat([...messages, encodeBarrierRequest(barrier)]));
      await this.within(timeoutMs, answered, what);
    } finally {
      this.sinks.delete(sink);
    }
    if (sink.errors.length > 0) {
      const refused = sink.errors.map(
        ({ xid, error }) => `${describeError(error)}: ${described.get(xid) ?? `xid ${xid}`}`,
      );
      throw new OpenFlowError(`${this.target} refused ${what}: ${refused.join('; ')}`);
    }
  }

  /** Numbers port names by `ports`, failing on a name the switch has no port for. */
  resolver(ports: ReadonlyMap<string, number>): (name: string) => number {
    return (name) => {
      const number = ports.get(name);
      if (number === undefined) {
        throw new OpenFlowError(`${this.target}: port ${name} has no OpenFlow port`);
      }
      return number;
    };
  }

  close(): void {
    this.fail(new OpenFlowConnectionLost(`${this.target}: connection closed by poolnet`));
  }

  private barrierReply(xid: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.waiters.set(xid, {
        onMessage: (message) => {
          if (message.readUInt8(1) !== Of14Type.barrierReply) return false;
          resolve();
          return true;
        },
        onError: () => resolve(),
      });
    });
  }

  private xid(): number {
    const xid = this.nextXid;
    this.nextXid = (this.nextXid % 0x7fff_fffe) + 1;
    return xid;
  }

  private send(message: Buffer): void {
    if (this.failure) throw this.failure;
    this.socket.write(message);
  }

  private receive(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= HEADER_BYTES) {
      const length = this.buffered.readUInt16BE(2);
      if (length < HEADER_BYTES) {
        this.fail(new OpenFlowConnectionLost(`${this.target} sent a message of length ${length}`));
        return;
      }
      if (this.buffered.length < length) return;
      const message = this.buffered.subarray(0, length);
      this.buffered = this.buffered.subarray(length);
      this.dispatch(message);
    }
  }

  private dispatch(message: Buffer): void {
    const type = message.readUInt8(1);
    const xid = message.readUInt32BE(4);
    if (type === Of14Type.hello) {
      if (helloAdmitsOf14(message)) this.greet();
      else {
        const error = new OpenFlowError(`${this.target} does not speak OpenFlow 1.4`);
        this.refuse(error);
        this.fail(error);
      }
      return;
    }
    if (type === Of14Type.echoRequest) {
      const reply = Buffer.from(message);
      reply.writeUInt8(Of14Type.echoReply, 1);
      this.socket.write(reply);
      return;
    }
    if (type === Of14Type.error) {
      const error = decodeError(message);
      if (this.waiters.size === 0 && this.sinks.size === 0 && error.type === 0) {
        this.refuse(new OpenFlowError(`${this.target} refused the hello: ${describeError(error)}`));
      }
      for (const sink of this.sinks) {
        if (xid >= sink.from && xid <= sink.to) sink.errors.push({ xid, error });
      }
      this.waiters.get(xid)?.onError(error);
      return;
    }
    const waiter = this.waiters.get(xid);
    if (waiter?.onMessage(message)) this.waiters.delete(xid);
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    this.refuse(error);
    this.breakWith(error);
    this.waiters.clear();
    this.socket.destroy();
  }

  /** `promise`, or a rejection after `timeoutMs` or as soon as the connection fails. */
  private within<T>(timeoutMs: number, promise: Promise<T>, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // A request left half-answered would confuse the next: the session starts over (an
        // uncommitted bundle dies with it).
        const error = new OpenFlowError(`${this.target}: no ${what} reply within ${timeoutMs} ms`);
        reject(error);
        this.fail(error);
      }, timeoutMs);
    });
    return Promise.race([promise, timeout, this.broken]).finally(() => clearTimeout(timer));
  }
}
