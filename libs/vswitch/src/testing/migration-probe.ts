import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection, type Socket } from 'node:net';
import { join } from 'node:path';
import { run } from '../drivers/ovs/exec.js';
import { cookie, hex } from '../drivers/ovs/flows.js';
import type { NetnsLab } from './netns-lab.js';

/**
 * Instruments for a migration in the netns lab (needs root): a pinger that timestamps every
 * echo reply, and a watch that follows whether each host's switch forwards a VIF's port.
 */

export interface EchoReply {
  seq: number;
  /** Epoch ms, as ping's `-D` prints it. */
  at: number;
  /** Round trip, as ping prints it. */
  rttMs: number;
  duplicate: boolean;
}

export interface LossWindow {
  /** Echo requests sent in the window (first to last sequence number seen in it). */
  sent: number;
  /** Of those, never answered. */
  lost: number;
  /** `lost × interval`: the classic estimate of the outage. */
  lostMs: number;
  /** The longest silence between two consecutive replies, minus one interval. */
  gapMs: number;
  /** Round trip of the first reply after that silence: how much of it the path itself took. */
  firstRttMs: number;
  duplicates: number;
}

/**
 * `ping -D -O -i <interval>` from a namespace, parsed as it runs. `-O` makes ping say which
 * sequence numbers got no answer before the next was sent, with a timestamp, so a lost echo
 * is counted even at the edges of a window.
 */
export class Pinger {
  readonly replies: EchoReply[] = [];
  /** Sequence numbers ping reported as unanswered (some may still be answered late). */
  readonly unanswered = new Map<number, number>();
  private readonly child: ChildProcess;
  private buffer = '';
  private readonly exited: Promise<void>;

  constructor(
    netns: string,
    address: string,
    readonly intervalMs = 10,
  ) {
    const interval = (intervalMs / 1000).toFixed(3);
    this.child = spawn(
      'ip',
      ['netns', 'exec', netns, 'ping', '-D', '-O', '-n', '-i', interval, '-W', '1', address],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdout?.on('data', (chunk: Buffer) => this.parse(chunk.toString()));
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGINT');
    await this.exited;
  }

  /** The reply count: tests wait on it to know the path works before measuring. */
  get received(): number {
    return this.replies.length;
  }

  /** Loss over `[from, to]` (epoch ms). */
  lossBetween(from: number, to: number): LossWindow {
    const inWindow = this.replies.filter((r) => r.at >= from && r.at <= to);
    const answered = new Set(this.replies.filter((r) => !r.duplicate).map((r) => r.seq));
    const seqs = [
      ...inWindow.map((r) => r.seq),
      ...[...this.unanswered].filter(([, at]) => at >= from && at <= to).map(([seq]) => seq),
    ];
    if (seqs.length === 0) {
      return { sent: 0, lost: 0, lostMs: 0, gapMs: 0, firstRttMs: 0, duplicates: 0 };
    }
    const [first, last] = [Math.min(...seqs), Math.max(...seqs)];
    let lost = 0;
    for (let seq = first; seq <= last; seq++) if (!answered.has(seq)) lost++;
    // The silence around the window's edges counts too: the last reply before it and the first
    // one after it bound the outage.
    const around = this.replies
      .filter((r) => !r.duplicate && r.at >= from - 1000 && r.at <= to + 1000)
      .sort((a, b) => a.at - b.at);
    let gap = 0;
    let firstRttMs = 0;
    for (let i = 1; i < around.length; i++) {
      const [a, b] = [around[i - 1]!, around[i]!];
      if (b.at >= from && a.at <= to && b.at - a.at > gap) {
        gap = b.at - a.at;
        firstRttMs = b.rttMs;
      }
    }
    return {
      sent: last - first + 1,
      lost,
      lostMs: lost * this.intervalMs,
      gapMs: Math.max(0, gap - this.intervalMs),
      firstRttMs,
      duplicates: inWindow.filter((r) => r.duplicate).length,
    };
  }

  private parse(text: string): void {
    this.buffer += text;
    const lines = this.buffer.split('\n');
    this.buffer = lines.pop() ?? '';
    for (const line of lines) {
      const stamp = /^\[(\d+\.\d+)\]/.exec(line);
      if (!stamp) continue;
      const at = Number(stamp[1]) * 1000;
      const reply = /icmp_seq=(\d+) ttl=\d+ time=([\d.]+)/.exec(line);
      if (reply) {
        const [, seq, rtt] = reply;
        this.replies.push({
          seq: Number(seq),
          at,
          rttMs: Number(rtt),
          duplicate: line.includes('DUP!'),
        });
        continue;
      }
      const missing = /no answer yet for icmp_seq=(\d+)/.exec(line);
      if (missing) this.unanswered.set(Number(missing[1]), at);
    }
  }
}

export interface WatchedPort {
  hostId: string;
  bridge: string;
  port: string;
}

/**
 * Whether a host's switch forwards a VIF's port right now, read the way the OVS driver reads
 * it back (actual-state.ts): the port exists, is out of the dead VLAN, and has no drop flow.
 * Two processes per call: for checks at quiet moments, not for watching a handover.
 */
export async function portForwards(lab: NetnsLab, watched: WatchedPort): Promise<boolean> {
  const { runDir } = lab.host(watched.hostId);
  const [tag, flows] = await Promise.all([
    run('ovs-vsctl', [
      `--db=unix:${runDir}/db.sock`,
      '--if-exists',
      'get',
      'Port',
      watched.port,
      'tag',
    ]),
    run('ovs-ofctl', [
      '-O',
      'OpenFlow14',
      'dump-flows',
      `unix:${runDir}/${watched.bridge}.mgmt`,
      `cookie=${hex(cookie(watched.port, 'forwarding'))}/-1`,
    ]).catch(() => ''), // no bridge: nothing forwards there
  ]);
  const value = tag.trim();
  if (value === '') return false; // no such port
  return value !== '4095' && !/cookie=0x/.test(flows);
}

/** One host's forwarding of the port over time: each change, with when it was seen. */
export interface ForwardingChange {
  at: number;
  forwarding: boolean;
}

/**
 * Follows one host's forwarding of a VIF's port as it changes, instead of sampling it: an
 * OVSDB monitor (JSON-RPC on the database socket) for the port's existence and VLAN tag, and
 * an OpenFlow flow monitor (`ovs-ofctl monitor`) for its drop flow, each change timestamped as
 * it arrives. Nothing is polled, so watching costs the machine nothing while it measures, and
 * no short overlap can fall between two samples.
 */
export class PortForwardingMonitor {
  readonly changes: ForwardingChange[] = [];
  private readonly db: Socket;
  private readonly flows: ChildProcess;
  private tag: number | undefined;
  private exists = false;
  private dropFlows = 0;
  private readonly portUuids = new Set<string>();
  private dbBuffer = '';
  private flowBuffer = '';
  private ready = false;

  private constructor(
    lab: NetnsLab,
    readonly watched: WatchedPort,
  ) {
    const { runDir } = lab.host(watched.hostId);
    const dropCookie = hex(cookie(watched.port, 'forwarding'));
    this.flows = spawn(
      'ovs-ofctl',
      ['monitor', `unix:${runDir}/${watched.bridge}.mgmt`, 'watch:'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    // The initial dump comes on stdout; later updates on stderr, unbuffered.
    const onFlows = (chunk: Buffer) => {
      this.flowBuffer += chunk.toString();
      const lines = this.flowBuffer.split('\n');
      this.flowBuffer = lines.pop() ?? '';
      for (const line of lines) {
        const event = /event=(ADDED|DELETED)\b.*cookie=(0x[0-9a-f]+)/.exec(line);
        if (!event || event[2] !== dropCookie) continue;
        this.dropFlows = Math.max(0, this.dropFlows + (event[1] === 'ADDED' ? 1 : -1));
        this.record();
      }
    };
    this.flows.stdout?.on('data', onFlows);
    this.flows.stderr?.on('data', onFlows);
    this.db = createConnection(join(runDir, 'db.sock'));
    this.db.on('data', (chunk: Buffer) => this.onDb(chunk.toString()));
    this.db.on('error', () => undefined); // the lab stops the switch under the monitor
    this.db.write(
      JSON.stringify({
        id: 'monitor',
        method: 'monitor',
        params: ['Open_vSwitch', null, { Port: { columns: ['name', 'tag'] } }],
      }),
    );
  }

  /** Starts both monitors and resolves once the initial state is known. */
  static async start(lab: NetnsLab, watched: WatchedPort): Promise<PortForwardingMonitor> {
    const monitor = new PortForwardingMonitor(lab, watched);
    // The flow monitor's initial dump has no end marker: give it a moment after the database's.
    const deadline = Date.now() + 10_000;
    while (!monitor.dbReady && Date.now() < deadline) await sleep(20);
    await sleep(300);
    monitor.ready = true;
    monitor.record(true);
    return monitor;
  }

  get forwarding(): boolean {
    return this.exists && this.tag !== PENDING_TAG && this.dropFlows === 0;
  }

  /** Intervals (epoch ms) in which this host forwarded the port, within `[from, to]`. */
  intervals(from: number, to: number): [number, number][] {
    const out: [number, number][] = [];
    let start: number | undefined;
    for (const { at, forwarding } of this.changes) {
      if (forwarding && start === undefined) start = at;
      if (!forwarding && start !== undefined) {
        out.push([start, at]);
        start = undefined;
      }
    }
    if (start !== undefined) out.push([start, Number.POSITIVE_INFINITY]);
    return out
      .map(([a, b]): [number, number] => [Math.max(a, from), Math.min(b, to)])
      .filter(([a, b]) => b > a);
  }

  stop(): void {
    this.flows.kill();
    this.db.destroy();
  }

  private dbReady = false;

  private record(force = false): void {
    if (!this.ready) return;
    const forwarding = this.forwarding;
    if (force || this.changes.at(-1)?.forwarding !== forwarding) {
      this.changes.push({ at: Date.now(), forwarding });
    }
  }

  /** ovsdb-server sends JSON objects back to back: split them on balanced braces. */
  private onDb(text: string): void {
    this.dbBuffer += text;
    for (;;) {
      const end = jsonObjectEnd(this.dbBuffer);
      if (end < 0) return;
      const message = JSON.parse(this.dbBuffer.slice(0, end)) as DbMessage;
      this.dbBuffer = this.dbBuffer.slice(end).trimStart();
      this.onDbMessage(message);
    }
  }

  private onDbMessage(message: DbMessage): void {
    if (message.method === 'echo') {
      this.db.write(JSON.stringify({ id: message.id, result: message.params, error: null }));
      return;
    }
    const updates = message.id === 'monitor' ? message.result : message.params?.[1];
    for (const [uuid, row] of Object.entries(updates?.Port ?? {})) {
      const name = row.new?.name ?? row.old?.name;
      if (name !== this.watched.port && !this.portUuids.has(uuid)) continue;
      if (row.new) {
        this.portUuids.add(uuid);
        this.exists = true;
        if ('tag' in row.new) this.tag = typeof row.new.tag === 'number' ? row.new.tag : undefined;
      } else {
        this.portUuids.delete(uuid);
        this.exists = false;
        this.tag = undefined;
      }
    }
    if (message.id === 'monitor') this.dbReady = true;
    this.record();
  }
}

const PENDING_TAG = 4095;

interface DbRow {
  name?: string;
  tag?: number | unknown[];
}

interface DbMessage {
  id?: string | number | null;
  method?: string;
  params?: [unknown, { Port?: Record<string, { new?: DbRow; old?: DbRow }> }];
  result?: { Port?: Record<string, { new?: DbRow; old?: DbRow }> };
}

/** The index just past the first complete JSON object in `text`, or -1. */
function jsonObjectEnd(text: string): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i + 1;
  }
  return -1;
}

/**
 * Both hosts' switches, followed at once: moments in which both forward the VIF's port are
 * what break-before-make must make impossible.
 */
export class ForwardingWatch {
  private constructor(readonly monitors: PortForwardingMonitor[]) {}

  static async start(lab: NetnsLab, ports: WatchedPort[]): Promise<ForwardingWatch> {
    return new ForwardingWatch(
      await Promise.all(ports.map((p) => PortForwardingMonitor.start(lab, p))),
    );
  }

  /** Overlaps (epoch ms) in which two or more hosts forwarded the port within `[from, to]`. */
  doubles(from = 0, to = Number.MAX_SAFE_INTEGER): [number, number][] {
    const found: [number, number][] = [];
    const intervals = this.monitors.map((m) => m.intervals(from, to));
    for (let i = 0; i < intervals.length; i++) {
      for (let j = i + 1; j < intervals.length; j++) {
        for (const [a1, b1] of intervals[i]!) {
          for (const [a2, b2] of intervals[j]!) {
            const [a, b] = [Math.max(a1, a2), Math.min(b1, b2)];
            if (b > a) found.push([a, b]);
          }
        }
      }
    }
    return found;
  }

  /**
   * The handovers within `[from, to]`: from one host's forwarding ending to another's starting,
   * the time no switch forwarded the port (ms).
   */
  darkGaps(from: number, to: number): number[] {
    const edges = this.monitors.flatMap((m) => m.intervals(from, to)).sort((x, y) => x[0] - y[0]);
    const gaps: number[] = [];
    for (let i = 1; i < edges.length; i++) gaps.push(edges[i]![0] - edges[i - 1]![1]);
    return gaps;
  }

  /** Changes seen, all hosts together. */
  get changeCount(): number {
    return this.monitors.reduce((n, m) => n + m.changes.length, 0);
  }

  stop(): void {
    for (const monitor of this.monitors) monitor.stop();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The lab's physical switch relearning a MAC: `bridge monitor fdb` in its namespace, each
 * move of the MAC to a switch port timestamped as it happens. After a migration, the move to
 * the target's NIC is the target's announcement arriving.
 */
export class SwitchFdbWatch {
  readonly moves: { at: number; port: string }[] = [];
  private readonly child: ChildProcess;
  private buffer = '';

  constructor(lab: NetnsLab, mac: string) {
    this.child = spawn('ip', ['netns', 'exec', lab.phys, 'bridge', 'monitor', 'fdb'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    this.child.stdout?.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString();
      const lines = this.buffer.split('\n');
      this.buffer = lines.pop() ?? '';
      for (const line of lines) {
        const [address, , port] = line.trim().split(/\s+/);
        if (address === mac.toLowerCase() && port && !line.startsWith('Deleted')) {
          this.moves.push({ at: Date.now(), port });
        }
      }
    });
  }

  /** When the switch first saw `mac` behind `port` at or after `from`. */
  firstMoveTo(port: string, from: number): number | undefined {
    return this.moves.find((m) => m.port === port && m.at >= from)?.at;
  }

  stop(): void {
    this.child.kill();
  }
}
