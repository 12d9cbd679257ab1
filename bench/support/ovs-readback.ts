import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../../libs/vswitch/src/drivers/ovs/exec.js';

/**
 * What one userspace Open vSwitch (scripts/ovs/start.sh run dir) really holds, read with the
 * stock tools rather than through the driver under test: the benches check the driver's work
 * with these, never with its own report.
 */
export class OvsReadback {
  constructor(private readonly runDir: string) {}

  private target(bridge: string): string {
    return `unix:${join(this.runDir, `${bridge}.mgmt`)}`;
  }

  vsctl(args: string[]): Promise<string> {
    return run('ovs-vsctl', [`--db=unix:${join(this.runDir, 'db.sock')}`, ...args], {
      timeoutMs: 120_000,
    });
  }

  /** `dump-flows --no-stats` of the flows matching `match` (all when empty), one per line. */
  async flows(bridge: string, match = ''): Promise<string[]> {
    const args = ['-O', 'OpenFlow14', '--names', '--no-stats', 'dump-flows', this.target(bridge)];
    const out = await run('ovs-ofctl', match ? [...args, match] : args, { timeoutMs: 120_000 });
    return out
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.startsWith('cookie='));
  }

  /**
   * `ovs-ofctl diff-flows` of the bridge against `specs` (flow specs, port names allowed): what
   * differs by content, as ovs-ofctl parses both sides; empty when the table is exactly `specs`.
   */
  async diff(bridge: string, specs: readonly string[], file: string): Promise<string[]> {
    await writeFile(file, specs.map((s) => `${s}\n`).join(''));
    const out = await run(
      'ovs-ofctl',
      ['-O', 'OpenFlow14', '--names', 'diff-flows', this.target(bridge), file],
      { timeoutMs: 120_000, answers: [2] },
    );
    return out.split('\n').filter((line) => line.trim() !== '');
  }

  /** OpenFlow port numbers of the interfaces whose device exists (ofport > 0), by name. */
  async ofports(): Promise<Map<string, number>> {
    const out = await this.vsctl([
      '--format=csv',
      '--no-headings',
      '--columns=name,ofport',
      'list',
      'Interface',
    ]);
    const ofports = new Map<string, number>();
    for (const line of out.split('\n')) {
      const [name, ofport] = line.split(',');
      const n = Number(ofport);
      if (name && Number.isInteger(n) && n > 0) ofports.set(name.replace(/"/g, ''), n);
    }
    return ofports;
  }

  /** Resident and peak size of ovs-vswitchd in KiB, from /proc through its pid file. */
  async vswitchdMemory(): Promise<{ rssKb: number; peakKb: number }> {
    const pid = (await readFile(join(this.runDir, 'ovs-vswitchd.pid'), 'utf8')).trim();
    return procMemory(Number(pid));
  }
}

export async function procMemory(pid: number): Promise<{ rssKb: number; peakKb: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) =>
    Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssKb: field('VmRSS'), peakKb: field('VmHWM') };
}
