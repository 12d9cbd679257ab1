import { performance } from 'node:perf_hooks';
import { sleep } from '../apps.js';
import { loadAverage } from '../machine.js';
import { cpuBetween, cpuSecondsOf, sampleCpu } from '../proc-cpu.js';
import { type Part, type PeerSystem, type SystemName } from './peer-system.js';

/** One measured batch: K changes of one part on one system, one after the other. */
export interface Batch {
  system: SystemName;
  hypervisors: number;
  round: number;
  part: Part;
  /** ms from the call to its answer, one per change. */
  samples: number[];
  /** CPU seconds per role over the batch: the system's own and the shared ones (apart). */
  cpu: Record<string, number>;
  /**
   * CPU seconds of the bench process and the children it reaped meanwhile (the `ovn-nbctl`
   * processes; poolnet's client is this process's HTTP requests).
   */
  clientCpu: number;
  wallSeconds: number;
  loadAtStart: string;
}

/**
 * `warmup` unmeasured changes first (an even number, so toggles end where they started), then
 * `k` timed ones. CPU is read from /proc before the first timed change and after the last
 * answer, every process of the system counted with the children it reaped (a member host's
 * `ovs-vsctl`s), as the reference does.
 */
export async function measureBatch(
  system: PeerSystem,
  part: Part,
  options: { k: number; warmup: number; round: number },
): Promise<Batch> {
  for (let i = 0; i < options.warmup; i++) await system.change(part, i);
  if (part === 'commit') await system.caughtUp();
  await sleep(300);
  const groups = await system.processes();
  const loadAtStart = loadAverage();
  const before = await sampleCpu(groups, true);
  const client0 = (await cpuSecondsOf(process.pid, true)) ?? 0;
  const t0 = performance.now();
  const samples: number[] = [];
  for (let i = 0; i < options.k; i++) {
    const started = performance.now();
    await system.change(part, i);
    samples.push(performance.now() - started);
  }
  const wallSeconds = (performance.now() - t0) / 1000;
  const after = await sampleCpu(groups, true);
  const client1 = (await cpuSecondsOf(process.pid, true)) ?? 0;
  // Without waiting for the hypervisors, the batch ended before they did: let them finish first.
  if (part === 'commit') await system.caughtUp();
  return {
    system: system.name,
    hypervisors: system.hypervisors,
    round: options.round,
    part,
    samples,
    cpu: cpuBetween(groups, before, after),
    clientCpu: client1 - client0,
    wallSeconds,
    loadAtStart,
  };
}
