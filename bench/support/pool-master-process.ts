import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { type NatsSender } from '@pool/contracts';
import { freePort } from './apps.js';
import { repoRoot } from './report.js';

/** Who the benchmarks' NATS commands come from (their NATS server has no users). */
export const BENCH_SENDER: NatsSender = { role: 'admin', user: 'bench' };

export interface PoolMasterProcess {
  base: string;
  root: string;
  eventsStream: string;
  reportsStream: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Where a replica joins others: the subject root and streams they share, and its own id. */
export interface ReplicaOf {
  root: string;
  eventsStream: string;
  reportsStream: string;
  replicaId: string;
}

/** A subject root and streams of their own for one bench's masters. */
export function benchNamespace(): Omit<ReplicaOf, 'replicaId'> {
  const suffix = randomBytes(3).toString('hex');
  return {
    root: `bench${suffix}`,
    eventsStream: `POOLNET_EVENTS_BENCH_${suffix.toUpperCase()}`,
    reportsStream: `POOLNET_REPORTS_BENCH_${suffix.toUpperCase()}`,
  };
}

/**
 * Starts the built pool master as its own process, with a subject root of its own, or as one
 * replica of several sharing a root (`replicaOf`).
 */
export async function startPoolMaster(
  databaseUrl: string,
  natsUrl: string,
  replicaOf?: ReplicaOf,
): Promise<PoolMasterProcess> {
  const port = await freePort();
  const { root, eventsStream, reportsStream } = replicaOf ?? benchNamespace();
  const child = spawn(
    process.execPath,
    [path.join(repoRoot(), 'dist/apps/pool-master/src/main.js')],
    {
      env: {
        PATH: process.env.PATH ?? '',
        DATABASE_URL: databaseUrl,
        NATS_URL: natsUrl,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        SUBJECT_ROOT: root,
        EVENTS_STREAM: eventsStream,
        REPORTS_STREAM: reportsStream,
        GRPC_URL: 'off',
        ...(replicaOf ? { REPLICA_ID: replicaOf.replicaId } : {}),
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const base = `http://127.0.0.1:${port}`;
  // A busy 2-core machine starting several masters at once takes well over 30 s.
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error('pool-master exited during start');
    const ok = await fetch(`${base}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('pool-master did not become healthy');
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    base,
    root,
    eventsStream,
    reportsStream,
    child,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
