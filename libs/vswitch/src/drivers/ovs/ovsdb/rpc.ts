import { connect, type Socket } from 'node:net';
import { JsonStreamSplitter } from './json-stream.js';

/** A JSON-RPC 1.0 message as OVSDB uses it (RFC 7047 §4). */
export interface RpcMessage {
  id?: unknown;
  method?: string;
  params?: unknown[];
  result?: unknown;
  error?: unknown;
}

export class RpcError extends Error {
  constructor(
    readonly method: string,
    readonly error: unknown,
  ) {
    super(`OVSDB ${method} failed: ${JSON.stringify(error)}`);
    this.name = 'RpcError';
  }
}

/** The connection closed (ovsdb-server restarted or went away) before the reply came. */
export class ConnectionClosedError extends Error {
  constructor(method: string) {
    super(`OVSDB connection closed before the reply to ${method}`);
    this.name = 'ConnectionClosedError';
  }
}

interface Pending {
  method: string;
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
}

/**
 * One JSON-RPC session on a stream socket: requests correlated with their replies by id,
 * the server's `echo` (its inactivity probe) answered, other notifications handed to
 * `onNotification`. The socket keeps the process alive only while a request waits for its
 * reply, so an idle member host's connection never holds a test runner or CLI open.
 */
export class RpcConnection {
  private readonly pending = new Map<number, Pending>();
  private readonly splitter = new JsonStreamSplitter();
  private nextId = 1;
  private closed = false;

  private constructor(
    private readonly socket: Socket,
    private readonly onNotification: (method: string, params: unknown[]) => void,
    onClose: () => void,
  ) {
    socket.unref();
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', () => undefined); // 'close' follows
    socket.on('close', () => {
      this.closed = true;
      for (const [, request] of this.pending) {
        request.reject(new ConnectionClosedError(request.method));
      }
      this.pending.clear();
      onClose();
    });
  }

  /** Connects to a unix socket path; rejects if nothing listens there. */
  static open(
    path: string,
    onNotification: (method: string, params: unknown[]) => void,
    onClose: () => void,
  ): Promise<RpcConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect(path);
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RpcConnection(socket, onNotification, onClose));
      });
    });
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  request(method: string, params: unknown[]): Promise<unknown> {
    if (this.closed) return Promise.reject(new ConnectionClosedError(method));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { method, resolve, reject });
      this.socket.ref();
      this.socket.write(JSON.stringify({ method, params, id }));
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    let messages: unknown[];
    try {
      messages = this.splitter.push(chunk);
    } catch {
      this.socket.destroy(); // a stream out of step cannot be resynchronized
      return;
    }
    for (const message of messages) this.handle(message as RpcMessage);
  }

  private handle(message: RpcMessage): void {
    if (message.method === 'echo') {
      this.socket.write(
        JSON.stringify({ result: message.params ?? [], error: null, id: message.id }),
      );
      return;
    }
    if (message.method !== undefined) {
      this.onNotification(message.method, message.params ?? []);
      return;
    }
    const id = typeof message.id === 'number' ? message.id : -1;
    const request = this.pending.get(id);
    if (!request) return;
    this.pending.delete(id);
    if (this.pending.size === 0) this.socket.unref();
    if (message.error !== null && message.error !== undefined) {
      request.reject(new RpcError(request.method, message.error));
    } else request.resolve(message.result);
  }
}
