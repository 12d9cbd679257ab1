import { createConnection, type Socket } from 'node:net';
import {
  decodeError,
  decodeHeader,
  decodePortDescReply,
  describeError,
  encodeBarrierRequest,
  encodeEchoReply,
  encodeHello,
  encodePortDescRequest,
  encodePortMod,
  HEADER_BYTES,
  helloAdmitsOf10,
  OfType,
  type OfErrorReply,
  type OfPortDesc,
} from './of10-messages.js';

export class OpenFlowError extends Error {
  override name = 'OpenFlowError';
}

/** The session went away (ovs-vswitchd restarted, the bridge was deleted, no reply): worth a retry. */
export class Of10ConnectionLost extends OpenFlowError {
  override name = 'Of10ConnectionLost';
}

export interface PortConfigChange {
  port: Pick<OfPortDesc, 'portNo' | 'hwAddr' | 'name'>;
  config: number;
  mask: number;
}

/** What waits for replies to one xid: it returns true once it has had its last message. */
type Waiter = {
  onMessage: (message: Buffer) => boolean;
  onError: (error: OfErrorReply) => void;
};

/**
 * One OpenFlow 1.0 session with a bridge's management socket (`<rundir>/<bridge>.mgmt`):
 * requests matched to replies by xid, echo requests answered, every message framed by its
 * header's length. Many requests share the connection, and a barrier tells when the switch has
 * processed everything sent before it — the one round trip a batch of port changes costs.
 */
export class Of10Connection {
  private buffered: Buffer = Buffer.alloc(0);
  private nextXid = 1;
  private readonly waiters = new Map<number, Waiter>();
  private failure: Error | undefined;
  private readonly greeted: Promise<void>;
  /** Rejects once the connection fails; every wait races it. */
  readonly broken: Promise<never>;
  private breakWith!: (error: Error) => void;

  private constructor(
    private readonly socket: Socket,
    readonly target: string,
  ) {
    let greet!: () => void;
    let refuse!: (error: Error) => void;
    this.greeted = new Promise<void>((resolve, reject) => {
      greet = resolve;
      refuse = reject;
    });
    this.greeted.catch(() => undefined);
    this.waiters.set(0, {
      onMessage: () => true,
      onError: (error) =>
        refuse(new OpenFlowError(`${target} refused the hello: ${describeError(error)}`)),
    });
    // A session kept open between changes does not keep the process alive (a request's timer does).
    socket.unref();
    socket.on('data', (chunk) => this.receive(chunk, greet));
    socket.on('error', (error) => this.fail(new Of10ConnectionLost(`${target}: ${error.message}`)));
    socket.on('close', () => this.fail(new Of10ConnectionLost(`${target} closed the connection`)));
    this.broken = new Promise<never>((_, reject) => (this.breakWith = reject));
    this.broken.catch(() => undefined);
  }

  /** Sessions opened by this process (a per-change path should open none once it runs). */
  static opened = 0;

  /** Connects and exchanges hellos; rejects if the bridge does not speak OpenFlow 1.0. */
  static async open(socketPath: string, timeoutMs: number): Promise<Of10Connection> {
    Of10Connection.opened++;
    const socket = createConnection(socketPath);
    const connection = new Of10Connection(socket, socketPath);
    socket.write(encodeHello(0));
    try {
      await connection.within(timeoutMs, connection.greeted, 'hello');
    } catch (error) {
      connection.close();
      throw error;
    }
    return connection;
  }

  /** Every port of the bridge as OpenFlow sees it (absent devices have no OpenFlow port). */
  async portDescriptions(timeoutMs: number): Promise<OfPortDesc[]> {
    const xid = this.xid();
    const ports: OfPortDesc[] = [];
    const done = new Promise<void>((resolve, reject) => {
      this.waiters.set(xid, {
        onMessage: (message) => {
          if (decodeHeader(message).type !== OfType.statsReply) return false;
          const reply = decodePortDescReply(message);
          ports.push(...reply.ports);
          if (!reply.more) resolve();
          return !reply.more;
        },
        onError: (error) =>
          reject(new OpenFlowError(`port description refused: ${describeError(error)}`)),
      });
    });
    this.send(encodePortDescRequest(xid));
    await this.within(timeoutMs, done, 'port description');
    return ports;
  }

  /**
   * All the changes, then one barrier: resolves once the switch has processed them all, or
   * rejects naming every port whose change it refused (the others are applied).
   */
  async modifyPorts(changes: readonly PortConfigChange[], timeoutMs: number): Promise<void> {
    if (changes.length === 0) return;
    const refused: string[] = [];
    for (const { port, config, mask } of changes) {
      const xid = this.xid();
      this.waiters.set(xid, {
        onMessage: () => false,
        onError: (error) => refused.push(`${port.name}: ${describeError(error)}`),
      });
      this.socket.write(encodePortMod(xid, port, config, mask));
    }
    const xid = this.xid();
    const barrier = new Promise<void>((resolve) => {
      this.waiters.set(xid, {
        onMessage: (message) => {
          if (decodeHeader(message).type !== OfType.barrierReply) return false;
          resolve();
          return true;
        },
        onError: () => undefined,
      });
    });
    this.send(encodeBarrierRequest(xid));
    await this.within(timeoutMs, barrier, 'barrier');
    // Errors come before the barrier's reply (OpenFlow orders them), so the list is complete.
    for (const id of this.waiters.keys()) if (id !== 0 && id < xid) this.waiters.delete(id);
    if (refused.length > 0) {
      throw new OpenFlowError(
        `${this.target} refused ${refused.length} port change(s): ${refused.join('; ')}`,
      );
    }
  }

  get closed(): boolean {
    return this.failure !== undefined;
  }

  close(): void {
    this.fail(new Of10ConnectionLost(`${this.target}: connection closed by poolnet`));
  }

  private xid(): number {
    const xid = this.nextXid;
    this.nextXid = (this.nextXid % 0xffff_fffe) + 1;
    return xid;
  }

  private send(message: Buffer): void {
    if (this.failure) throw this.failure;
    this.socket.write(message);
  }

  private receive(chunk: Buffer, greet: () => void): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= HEADER_BYTES) {
      const header = decodeHeader(this.buffered);
      if (header.length < HEADER_BYTES) {
        this.fail(new OpenFlowError(`${this.target} sent a message of length ${header.length}`));
        return;
      }
      if (this.buffered.length < header.length) return;
      const message = this.buffered.subarray(0, header.length);
      this.buffered = this.buffered.subarray(header.length);
      this.dispatch(message, greet);
    }
  }

  private dispatch(message: Buffer, greet: () => void): void {
    const { type, xid } = decodeHeader(message);
    if (type === OfType.hello) {
      this.waiters.delete(0);
      if (helloAdmitsOf10(message)) greet();
      else
        this.fail(
          new OpenFlowError(
            `${this.target} does not speak OpenFlow 1.0 (its bridge's protocols exclude it)`,
          ),
        );
      return;
    }
    if (type === OfType.echoRequest) {
      this.socket.write(encodeEchoReply(message));
      return;
    }
    const waiter = this.waiters.get(xid);
    if (!waiter) return; // asynchronous messages (port status) and late replies
    if (type === OfType.error) {
      waiter.onError(decodeError(message));
      return;
    }
    if (waiter.onMessage(message)) this.waiters.delete(xid);
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    this.breakWith(error);
    this.socket.destroy();
  }

  /** `promise`, or a rejection after `timeoutMs` or as soon as the connection fails. */
  private within<T>(timeoutMs: number, promise: Promise<T>, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // A request left half-answered would confuse the next one: the session starts over.
        const error = new Of10ConnectionLost(
          `${this.target}: no ${what} reply within ${timeoutMs} ms`,
        );
        reject(error);
        this.fail(error);
      }, timeoutMs);
    });
    return Promise.race([promise, timeout, this.broken]).finally(() => clearTimeout(timer));
  }
}
