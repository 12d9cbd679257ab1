import { Socket } from 'node:net';
import pg from 'pg';

/*
 * PostgreSQL failover without a proxy. node-postgres takes one host; libpq's multi-host URLs
 * (`postgres://u@db1:5432,db2:5432/poolnet`, with target_session_attrs=read-write) are what an
 * operator writes. Given such a URL, every connection of the process goes to the host that is
 * the primary now: the first host that answers `pg_is_in_recovery() = false`. When a connection
 * to it fails (the primary died), the next connection asks again, so a standby promoted in its
 * place is found without restarting the app. One URL, one host: nothing here is involved.
 */

/** What a `pg.Client` / `pg.Pool` / TypeORM `extra` is given for a database URL. */
export interface PgConnectionOptions {
  connectionString: string;
  /** Present only for a multi-host URL: a socket that connects to the current primary. */
  stream?: () => Socket;
}

interface HostPort {
  host: string;
  port: number;
}

const URL_PARTS = /^(postgres(?:ql)?:\/\/)([^@/]*@)?([^/?#]+)(.*)$/;

/** The hosts of a URL (`h1:5432,h2`), or one. */
export function databaseHosts(url: string): HostPort[] {
  const parts = URL_PARTS.exec(url);
  if (!parts) return [];
  return parts[3]!.split(',').map((entry) => {
    const at = entry.lastIndexOf(':');
    const bracketed = entry.startsWith('[');
    const hasPort = at > 0 && (!bracketed || entry.lastIndexOf(']') < at);
    return {
      host: (hasPort ? entry.slice(0, at) : entry).replace(/^\[|\]$/g, ''),
      port: hasPort ? Number(entry.slice(at + 1)) : 5432,
    };
  });
}

/** The URL with only `host` in it. */
function urlFor(url: string, { host, port }: HostPort): string {
  const parts = URL_PARTS.exec(url)!;
  const shown = host.includes(':') ? `[${host}]` : host;
  return `${parts[1]}${parts[2] ?? ''}${shown}:${port}${parts[4]}`;
}

const locators = new Map<string, PrimaryLocator>();

/** Connection options for `url`; for a multi-host URL, ones that follow the primary. */
export function pgConnection(url: string): PgConnectionOptions {
  const hosts = databaseHosts(url);
  if (hosts.length <= 1) return { connectionString: url };
  let locator = locators.get(url);
  if (!locator) locators.set(url, (locator = new PrimaryLocator(url, hosts)));
  const found = locator;
  return {
    connectionString: urlFor(url, hosts[0]!),
    stream: () => new PrimarySocket(found),
  };
}

/** Finds and remembers which host of a multi-host URL is the writable primary. */
export class PrimaryLocator {
  private current: HostPort | undefined;
  private probing: Promise<HostPort> | undefined;

  constructor(
    private readonly url: string,
    readonly hosts: HostPort[],
    private readonly giveUpMs = 30_000,
  ) {}

  primary(): Promise<HostPort> {
    if (this.current) return Promise.resolve(this.current);
    this.probing ??= this.probe().finally(() => (this.probing = undefined));
    return this.probing;
  }

  /** A connection to `host` failed: if it was the primary, look again next time. */
  lost(host: HostPort): void {
    if (this.current?.host === host.host && this.current.port === host.port) {
      this.current = undefined;
    }
  }

  private async probe(): Promise<HostPort> {
    const deadline = Date.now() + this.giveUpMs;
    for (;;) {
      for (const host of this.hosts) {
        if (await this.isPrimary(host)) return (this.current = host);
      }
      if (Date.now() > deadline) {
        throw new Error(
          `no writable primary among ${this.hosts.map((h) => `${h.host}:${h.port}`).join(', ')}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  private async isPrimary(host: HostPort): Promise<boolean> {
    const client = new pg.Client({
      connectionString: urlFor(this.url, host),
      connectionTimeoutMillis: 2_000,
      query_timeout: 2_000,
      application_name: 'poolnet-primary-probe',
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      const { rows } = await client.query<{ standby: boolean }>(
        'SELECT pg_is_in_recovery() AS standby',
      );
      return rows[0]?.standby === false;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

/**
 * The socket node-postgres writes to: whatever host and port it is told, it connects to the
 * primary the locator names, and reports that host lost if the connection fails.
 */
class PrimarySocket extends Socket {
  constructor(private readonly locator: PrimaryLocator) {
    super();
  }

  override connect(...args: unknown[]): this {
    // node-postgres calls connect(port, host); the TLS upgrade and everything after use `this`.
    if (args.length !== 2) return super.connect(...(args as Parameters<Socket['connect']>));
    this.locator.primary().then(
      (target) => {
        this.once('error', () => this.locator.lost(target));
        super.connect(target.port, target.host);
      },
      (error: Error) => this.destroy(error),
    );
    return this;
  }
}
