import { HttpClient } from '../http/http-client.js';
import { MasterClient } from '../http/master-client.js';
import { autoSource } from '../read/auto-source.js';
import { LogSource } from '../read/log-source.js';
import { ProjectionSource } from '../read/projection-source.js';
import { type ReadSource } from '../read/views.js';
import { usageError } from './errors.js';
import { type GlobalOptions, type OutputMode } from './global-options.js';
import { type CliIo } from './io.js';
import { NameResolver } from './name-resolver.js';

/** What a verb works with: clients, where reads come from, and where output goes. */
export class Context {
  readonly master: MasterClient;
  readonly projection: ProjectionSource;
  readonly reads: ReadSource;
  /** The master's log, folded: what `--read-from auto` falls back to. */
  readonly log: LogSource;
  /** Names to ids, for the verbs that take an existing VM, network or host. */
  readonly names: NameResolver;
  private noted = new Set<string>();

  constructor(
    readonly options: GlobalOptions,
    readonly io: CliIo,
  ) {
    const http = (service: string, baseUrl: string) =>
      new HttpClient({
        service,
        baseUrl,
        token: options.token,
        timeoutMs: options.timeoutMs,
        fetch: io.fetch,
      });
    this.master = new MasterClient(http('master', options.master));
    this.projection = new ProjectionSource(http('projection', options.projection));
    const log = (this.log = new LogSource(this.master));
    this.reads =
      options.readFrom === 'projection'
        ? this.projection
        : options.readFrom === 'log'
          ? log
          : autoSource(this.projection, log, (message) => this.note(message));
    this.names = new NameResolver({
      projection: this.projection,
      log,
      master: this.master,
      readFrom: options.readFrom,
      note: (message) => this.note(message),
    });
  }

  get output(): OutputMode {
    return this.options.output;
  }

  get timeoutMs(): number {
    return this.options.timeoutMs;
  }

  /** The pool of `--pool` or POOLNET_POOL; a usage error without one. */
  pool(): string {
    if (this.options.pool === undefined) {
      throw usageError('this verb needs a pool: give --pool <id> or set POOLNET_POOL');
    }
    return this.options.pool;
  }

  print(text: string): void {
    this.io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  printJson(value: unknown): void {
    this.print(JSON.stringify(value, null, 2));
  }

  /** A remark for people, on stderr, once per run; never part of the output proper. */
  note(message: string): void {
    if (this.noted.has(message)) return;
    this.noted.add(message);
    this.io.stderr.write(`poolctl: note: ${message}\n`);
  }
}
