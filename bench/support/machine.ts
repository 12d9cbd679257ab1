import { readFile } from 'node:fs/promises';
import os from 'node:os';
import type pg from 'pg';

export interface MachineDescription {
  cpu: string;
  cores: number;
  cpuQuota?: string;
  ramGiB: number;
  os: string;
  node: string;
  postgres: string;
  postgresSettings: Record<string, string>;
  postgresHost: string;
  date: string;
}

const PG_SETTINGS = [
  'fsync',
  'synchronous_commit',
  'shared_buffers',
  'wal_level',
  'max_connections',
];

/** What the figures were measured on: the client machine and the PostgreSQL server. */
export async function describeMachine(
  db: Pick<pg.Pool, 'query'>,
  databaseUrl: string,
): Promise<MachineDescription> {
  const cpus = os.cpus();
  const { rows } = await db.query<{ name: string; setting: string }>(
    `SELECT name, current_setting(name) AS setting FROM pg_settings
      WHERE name = ANY($1::text[]) OR name = 'server_version' ORDER BY name`,
    [PG_SETTINGS],
  );
  const settings = Object.fromEntries(rows.map((r) => [r.name, r.setting]));
  const { server_version: version, ...postgresSettings } = settings;
  const url = new URL(databaseUrl);
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    cpuQuota: await cgroupCpuQuota(),
    ramGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    postgres: version ?? 'unknown',
    postgresSettings,
    postgresHost: `${url.hostname}:${url.port || '5432'}`,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  };
}

/** The machine alone, for benches that use no PostgreSQL (CPU, RAM, OS, Node). */
export function hostMarkdown(): string {
  const model = os.cpus()[0]?.model.trim() ?? 'unknown';
  const ram = Math.round((os.totalmem() / 2 ** 30) * 10) / 10;
  return (
    `- CPU: ${model}, ${os.availableParallelism()} cores available to Node; RAM ${ram} GiB; ` +
    `${os.type()} ${os.release()} ${os.arch()}; Node ${process.version}`
  );
}

/** The 1-minute load average: other work on the machine skews every figure measured beside it. */
export const loadAverage = (): string => (os.loadavg()[0] ?? 0).toFixed(2);

export function machineMarkdown(m: MachineDescription): string {
  const settings = Object.entries(m.postgresSettings)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  const quota = m.cpuQuota ? `, cgroup CPU limit ${m.cpuQuota}` : '';
  return [
    `- CPU: ${m.cpu}, ${m.cores} cores available to Node${quota}; RAM ${m.ramGiB} GiB; ${m.os}`,
    `- Node ${m.node}; PostgreSQL ${m.postgres} at ${m.postgresHost} (${settings})`,
    `- Date: ${m.date}`,
  ].join('\n');
}

async function cgroupCpuQuota(): Promise<string | undefined> {
  try {
    const [quota, period] = (await readFile('/sys/fs/cgroup/cpu.max', 'utf8')).trim().split(' ');
    if (quota === undefined || quota === 'max' || period === undefined) return undefined;
    return `${(Number(quota) / Number(period)).toFixed(2)} CPUs`;
  } catch {
    return undefined;
  }
}
