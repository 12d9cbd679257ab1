import {
  createInbox,
  headers as natsHeaders,
  type Msg,
  type MsgHdrs,
  type NatsConnection,
  type Subscription,
} from '@nats-io/transport-node';

export interface PubAck {
  stream: string;
  seq: number;
  duplicate: boolean;
}

export interface PublishOptions {
  /** `Nats-Msg-Id`: JetStream drops a second message with this id (its duplicate window). */
  msgID: string;
  /** `Nats-Expected-Last-Msg-Id`: refused unless the stream's last message has this id. */
  expectLastMsgID?: string;
  headers?: MsgHdrs;
}

/** What the relay needs of JetStream: a publish that resolves with the stream's ack. */
export interface JetStreamPublisher {
  publish(subject: string, payload: Uint8Array | string, options: PublishOptions): Promise<PubAck>;
}

/** JetStream refused a message, or did not answer in time. */
export class JetStreamPublishError extends Error {
  override readonly name = 'JetStreamPublishError';

  constructor(
    message: string,
    /** The API error code (`err_code`), the status code of a status reply, or 408 on timeout. */
    readonly code: number,
  ) {
    super(message);
  }
}

interface Waiter {
  resolve: (ack: PubAck) => void;
  reject: (error: Error) => void;
  deadline: number;
}

/**
 * JetStream publishes without a request per message (the pattern of the Go client's
 * `PublishAsync`): each message names a reply subject under one inbox, subscribed once, and
 * the stream's ack that arrives there settles the message's promise. nats.js's `js.publish`
 * makes every message a full request (a timer, a mux entry, and an Error with a stack trace
 * built when a request *succeeds*), which under 64 clients cost the master more CPU than the
 * rest of the relay. Acks come back in publish order, so the oldest waiter holds the next
 * deadline and one timer serves them all.
 */
export class AsyncJetStreamPublisher implements JetStreamPublisher {
  private readonly prefix = `${createInbox()}.`;
  private readonly waiters = new Map<string, Waiter>();
  private subscription: Subscription;
  private next = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly timeoutMs = 5000,
  ) {
    this.subscription = this.subscribe();
  }

  publish(subject: string, payload: Uint8Array | string, options: PublishOptions): Promise<PubAck> {
    if (this.closed)
      return Promise.reject(new JetStreamPublishError('the publisher is closed', 503));
    // The server closes a subscription it refuses (a permissions error): listen again, so a
    // fixed permission is picked up by the relay's next attempt.
    if (this.subscription.isClosed()) this.subscription = this.subscribe();
    const h = options.headers ?? natsHeaders();
    h.set('Nats-Msg-Id', options.msgID);
    if (options.expectLastMsgID !== undefined)
      h.set('Nats-Expected-Last-Msg-Id', options.expectLastMsgID);
    const token = (this.next++).toString(36);
    return new Promise<PubAck>((resolve, reject) => {
      this.waiters.set(token, { resolve, reject, deadline: Date.now() + this.timeoutMs });
      try {
        this.nc.publish(subject, payload, { reply: this.prefix + token, headers: h });
      } catch (error) {
        this.waiters.delete(token);
        reject(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      this.timer ??= setTimeout(() => this.expire(), this.timeoutMs).unref();
    });
  }

  /** Stops listening; whatever is unanswered fails. */
  close(): void {
    this.closed = true;
    this.subscription.unsubscribe();
    this.failAll(new JetStreamPublishError('the publisher was closed', 503));
  }

  private subscribe(): Subscription {
    return this.nc.subscribe(`${this.prefix}*`, {
      callback: (error, msg) => (error ? this.failAll(error) : this.settle(msg)),
    });
  }

  private settle(msg: Msg): void {
    const token = msg.subject.slice(this.prefix.length);
    const waiter = this.waiters.get(token);
    if (!waiter) return; // answered after its timeout: the batch was already failed
    this.waiters.delete(token);
    const outcome = parseAck(msg);
    if (outcome instanceof Error) waiter.reject(outcome);
    else waiter.resolve(outcome);
  }

  private expire(): void {
    this.timer = undefined;
    const now = Date.now();
    for (const [token, waiter] of this.waiters) {
      if (waiter.deadline > now) {
        this.timer = setTimeout(() => this.expire(), waiter.deadline - now).unref();
        return;
      }
      this.waiters.delete(token);
      waiter.reject(new JetStreamPublishError('JetStream did not acknowledge in time', 408));
    }
  }

  private failAll(error: Error): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const waiters = [...this.waiters.values()];
    this.waiters.clear();
    for (const waiter of waiters) waiter.reject(error);
  }
}

/** A PubAck, or the refusal: an API error in the JSON, or a status reply (503: no stream). */
function parseAck(msg: Msg): PubAck | JetStreamPublishError {
  if (msg.headers?.hasError) {
    const { code, description } = msg.headers;
    const reason = code === 503 ? 'no JetStream stream takes this subject' : description;
    return new JetStreamPublishError(`JetStream answered ${code}: ${reason}`, code);
  }
  let body: {
    stream?: string;
    seq?: number;
    duplicate?: boolean;
    error?: { err_code?: number; code?: number; description?: string };
  };
  try {
    body = msg.json();
  } catch {
    return new JetStreamPublishError('JetStream answered with something other than JSON', 500);
  }
  if (body.error) {
    const { err_code, code, description } = body.error;
    return new JetStreamPublishError(
      `JetStream refused the message: ${description ?? 'no reason given'}`,
      err_code ?? code ?? 500,
    );
  }
  if (!body.stream || body.seq === undefined)
    return new JetStreamPublishError('JetStream answered without a stream sequence', 500);
  return { stream: body.stream, seq: body.seq, duplicate: body.duplicate === true };
}
