import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './local-process.js';

const run = promisify(execFile);
/** Debian's server binaries, newest major first (or POSTGRES_BIN). */
const BIN =
  process.env.POSTGRES_BIN ??
  `/usr/lib/postgresql/${
    readdirSync('/usr/lib/postgresql', { withFileTypes: true })
      .filter((d) => d.isDirectory() && /^\d+$/.test(d.name))
      .map((d) => Number(d.name))
      .sort((a, b) => b - a)[0] ?? 15
  }/bin`;
const OS_USER = 'postgres';

/**
 * A PostgreSQL cluster of the harness's own (initdb in a temp dir, a free port), so a fault
 * suite can crash and restart it without touching the server other suites use. initdb and the
 * server refuse to run as root, so as root they run as the `postgres` OS user.
 */
export class PostgresCluster {
  private constructor(
    readonly port: number,
    private readonly dir: string,
    /** Server settings of this instance beyond the common ones (replication roles). */
    private readonly settings: string[] = [],
  ) {}

  private static async makeDir(): Promise<string> {
    const dir = await mkdtemp(path.join(tmpdir(), 'poolnet-faults-pg-'));
    if (asRoot()) {
      const { stdout } = await run('id', ['-u', OS_USER]);
      const { stdout: gid } = await run('id', ['-g', OS_USER]);
      await chown(dir, Number(stdout.trim()), Number(gid.trim()));
    }
    return dir;
  }

  /**
   * A primary that commits only once its standby `standby1` has the WAL (synchronous
   * replication: acknowledged means on two servers). Start the standby with `standbyOf`.
   */
  static async startPrimary(): Promise<PostgresCluster> {
    return PostgresCluster.start([
      '-c synchronous_standby_names=standby1',
      '-c synchronous_commit=on',
      '-c wal_level=replica',
    ]);
  }

  /** A streaming standby of `primary` (pg_basebackup), named standby1, promotable. */
  static async standbyOf(primary: PostgresCluster): Promise<PostgresCluster> {
    const standby = new PostgresCluster(await freePort(), await PostgresCluster.makeDir(), [
      // The walreceiver's application_name: what synchronous_standby_names names.
      '-c cluster_name=standby1',
      '-c hot_standby=on',
    ]);
    await standby.baseBackupOf(primary, ['-R']); // standby.signal and primary_conninfo
    await standby.up();
    return standby;
  }

  /**
   * A physical backup of `primary` taken while it runs (pg_basebackup with its WAL), not
   * started: `up()` starts it in the primary's place (its port), as an operator restores one.
   */
  static async backupOf(primary: PostgresCluster): Promise<PostgresCluster> {
    const backup = new PostgresCluster(primary.port, await PostgresCluster.makeDir(), [
      ...primary.settings,
    ]);
    await backup.baseBackupOf(primary, ['--checkpoint=fast']);
    return backup;
  }

  /** Copies `primary`'s data directory, with the WAL to make it consistent, into this one. */
  private async baseBackupOf(primary: PostgresCluster, extra: string[]): Promise<void> {
    const from = ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres'];
    await this.pg('pg_basebackup', [...from, '-D', this.dataDir, '-X', 'stream', ...extra]);
  }

  /** Ends recovery: this standby becomes a primary, as a failover manager would make it. */
  async promote(): Promise<void> {
    await this.pg('pg_ctl', ['-D', this.dataDir, '-w', '-t', '60', 'promote']);
  }

  static async start(settings: string[] = []): Promise<PostgresCluster> {
    const cluster = new PostgresCluster(
      await freePort(),
      await PostgresCluster.makeDir(),
      settings,
    );
    await cluster.pg('initdb', [
      '-D',
      cluster.dataDir,
      '-A',
      'trust',
      '-U',
      'postgres',
      '-E',
      'UTF8',
      '--no-sync',
    ]);
    await cluster.up();
    return cluster;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  private get dataDir(): string {
    return path.join(this.dir, 'data');
  }

  async up(): Promise<void> {
    const options = [
      `-p ${this.port}`,
      '-c listen_addresses=127.0.0.1',
      `-c unix_socket_directories=${this.dir}`,
      '-c max_connections=300',
      // A crash test must not wait on a stuck idle transaction for ever.
      '-c idle_in_transaction_session_timeout=60s',
      ...this.settings,
    ].join(' ');
    await this.pg('pg_ctl', [
      '-D',
      this.dataDir,
      '-l',
      path.join(this.dir, 'server.log'),
      '-w',
      '-t',
      '60',
      '-o',
      options,
      'start',
    ]);
  }

  /** `immediate` is a crash: no checkpoint, recovery from the WAL at the next start. */
  async down(mode: 'immediate' | 'fast' = 'immediate'): Promise<void> {
    await this.pg('pg_ctl', ['-D', this.dataDir, '-m', mode, '-w', 'stop']).catch(() => undefined);
  }

  async restart(mode: 'immediate' | 'fast' = 'immediate'): Promise<void> {
    await this.down(mode);
    await this.up();
  }

  /** The postmaster's pid (first line of postmaster.pid), while the server runs. */
  async pid(): Promise<number | undefined> {
    const text = await readFile(path.join(this.dataDir, 'postmaster.pid'), 'utf8').catch(() => '');
    const pid = Number(text.split('\n')[0]);
    return pid > 0 ? pid : undefined;
  }

  async close(): Promise<void> {
    await this.down('immediate');
    await rm(this.dir, { recursive: true, force: true });
  }

  private async pg(tool: string, args: string[]): Promise<void> {
    const binary = path.join(BIN, tool);
    const [command, argv] = asRoot()
      ? ['runuser', ['-u', OS_USER, '--', binary, ...args]]
      : [binary, args];
    try {
      await run(command, argv, { cwd: this.dir, timeout: 90_000 });
    } catch (error) {
      const e = error as { stderr?: string; message: string };
      throw new Error(`${tool} failed: ${e.stderr ?? e.message}`);
    }
  }
}

const asRoot = () => process.getuid?.() === 0;
