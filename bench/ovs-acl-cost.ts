/**
 * What one ACL change costs a member host's OVS driver (issue 25): processes started, CPU of
 * this process, of the processes it started, and of the lab's ovsdb-server and ovs-vswitchd,
 * per change. One simulated host (NetnsLab: root, iproute2, Open vSwitch) with two VMs on a
 * network; each round adds or removes one network ACL rule (2 flows per port) and reconciles.
 * Not a registered bench (no PostgreSQL, no NATS): a standalone script. Spawns are counted by
 * wrapping child_process.spawn before the driver loads, so any version of the driver is
 * measured the same way (copy the file into that tree).
 *
 *   npx vite-node --config vitest.config.ts bench/ovs-acl-cost.ts [rounds]   (default 60)
 */
import childProcess from 'node:child_process';
import { readFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { basename, join } from 'node:path';

const spawns = new Map<string, number>();
const original = childProcess.spawn.bind(childProcess);
childProcess.spawn = ((
  file: string,
  ...rest: Parameters<typeof original> extends [string, ...infer R] ? R : never
) => {
  spawns.set(basename(file), (spawns.get(basename(file)) ?? 0) + 1);
  return (original as (...args: unknown[]) => ReturnType<typeof original>)(file, ...rest);
}) as typeof childProcess.spawn;
syncBuiltinESMExports();

const { NetnsLab } = await import('../libs/vswitch/src/testing/netns-lab.js');
const { topology } = await import('../libs/vswitch/src/testing/topology-builder.js');
const { desiredState } = await import('../libs/vswitch/src/model/desired-state.js');
const { portName } = await import('../libs/vswitch/src/model/naming.js');
const { reconcile } = await import('../libs/vswitch/src/reconcile.js');

const TICKS_PER_SECOND = 100; // USER_HZ
/** CPU ms of a process itself (utime+stime) and of its reaped children (cutime+cstime). */
function cpuMs(pid: number | 'self') {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ms = (i: number) => (Number(fields[i]) * 1000) / TICKS_PER_SECOND;
  return { own: ms(11) + ms(12), children: ms(13) + ms(14) };
}

const rounds = Number(process.argv[2] ?? 60);
const VMS = { a: ['02:00:00:00:26:0a', '10.26.3.1'], b: ['02:00:00:00:26:0b', '10.26.3.2'] };
const pool = (withRule: boolean) => {
  const t = topology().host('h1').external('lan', 'eth0', 26);
  t.acl('base', { networkId: 'lan' }, { match: { protocol: 'tcp', portFrom: 22 } });
  if (withRule) t.acl('x', { networkId: 'lan' }, { match: { protocol: 'tcp', portFrom: 9999 } });
  for (const [vm, [mac, ipv4]] of Object.entries(VMS)) {
    t.vm(vm, 'h1').vif(`v-${vm}`, vm, 'lan', { mac, ipv4 });
  }
  return desiredState(t.build(), 'h1');
};

const lab = new NetnsLab(`pnm${process.pid % 100000}`);
try {
  await lab.start();
  const host = await lab.addHost('h1');
  for (const [vm, [mac = '', ip = '']] of Object.entries(VMS)) {
    await lab.addVm(vm, 'h1', portName(`v-${vm}`), mac, `${ip}/24`);
  }
  for (const withRule of [false, true, false]) await reconcile(host.driver, pool(withRule));
  const pid = (d: string) => Number(readFileSync(join(host.runDir, `${d}.pid`), 'utf8').trim());
  const [db, vswitchd] = [pid('ovsdb-server'), pid('ovs-vswitchd')];
  spawns.clear();
  const before = { self: cpuMs('self'), db: cpuMs(db), vswitchd: cpuMs(vswitchd) };
  const wall: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    const ops = await reconcile(host.driver, pool(i % 2 === 0));
    wall.push(performance.now() - started);
    if (!ops.some((op) => op.kind === 'setPortAcls')) throw new Error('the rule changed nothing');
  }
  const after = { self: cpuMs('self'), db: cpuMs(db), vswitchd: cpuMs(vswitchd) };
  const per = (a: number, b: number) => Number(((a - b) / rounds).toFixed(1));
  wall.sort((x, y) => x - y);
  const at = (q: number) => Number(wall[Math.min(rounds - 1, Math.floor(rounds * q))]!.toFixed(1));
  const result = {
    rounds,
    spawnsPerChange: Object.fromEntries([...spawns].map(([k, v]) => [k, v / rounds])),
    cpuMsPerChange: {
      driverProcess: per(after.self.own, before.self.own),
      spawnedProcesses: per(after.self.children, before.self.children),
      ovsdbServer: per(after.db.own, before.db.own),
      ovsVswitchd: per(after.vswitchd.own, before.vswitchd.own),
    },
    wallMs: { p50: at(0.5), p99: at(0.99) },
    loadavg: readFileSync('/proc/loadavg', 'utf8').trim(),
  };
  console.log(JSON.stringify(result, null, 2));
  (host.driver as { close?: () => void }).close?.();
} finally {
  await lab.stop();
}
