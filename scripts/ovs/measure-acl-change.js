// The cost of one ACL change on one host, for issue 25: over N changes (each a `reconcile` that adds
// or removes one rule), CPU of this process, of the programs it ran (cutime+cstime), of
// ovs-vswitchd and ovsdb-server, and the programs started. WT is the worktree measured (another
// checkout gives the "before"; its exec.ts needs the processesSpawned counter).
//   WT=$PWD N=30 npx vite-node -c vitest.config.ts scripts/ovs/measure-acl-change.js
/* global process, performance, console */
import { readFileSync } from 'node:fs';
const WT = process.env.WT;
const { NetnsLab } = await import(`${WT}/libs/vswitch/src/testing/netns-lab.ts`);
const { topology } = await import(`${WT}/libs/vswitch/src/testing/topology-builder.ts`);
const { desiredState } = await import(`${WT}/libs/vswitch/src/model/desired-state.ts`);
const { portName } = await import(`${WT}/libs/vswitch/src/model/naming.ts`);
const { reconcile } = await import(`${WT}/libs/vswitch/src/reconcile.ts`);
const exec = await import(`${WT}/libs/vswitch/src/drivers/ovs/exec.ts`);
const N = Number(process.env.N ?? 30);
const TICK = 10; // ms per clock tick (USER_HZ 100)
const stat = (pid) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
const self = () => {
  const f = stat('self');
  return { children: (Number(f[13]) + Number(f[14])) * TICK };
};
const daemon = (runDir, name) => {
  const f = stat(readFileSync(`${runDir}/${name}.pid`, 'utf8').trim());
  return (Number(f[11]) + Number(f[12])) * TICK;
};

const mac = (n) => `02:00:00:00:09:${n.toString(16).padStart(2, '0')}`;
function pool(withRule) {
  const t = topology().host('h1').external('lan', 'eth0');
  for (const [vm, n] of [
    ['a', 1],
    ['b', 2],
  ])
    t.vm(vm, 'h1').vif(`v-${vm}`, vm, 'lan', {
      mac: mac(n),
      ipv4: `10.90.0.${n}`,
      portSecurity: true,
    });
  t.acl(
    'base',
    { vifId: 'v-a' },
    { direction: 'egress', match: { protocol: 'tcp', portFrom: 22 }, action: 'allow' },
  );
  if (withRule)
    t.acl(
      'toggled',
      { vifId: 'v-a' },
      { direction: 'egress', priority: 300, match: { protocol: 'icmp' }, action: 'drop' },
    );
  return desiredState(t.build(), 'h1');
}
const lab = new NetnsLab(`pnm${process.pid}`);
try {
  await lab.start();
  const host = await lab.addHost('h1');
  for (const [vm, n] of [
    ['a', 1],
    ['b', 2],
  ])
    await lab.addVm(vm, 'h1', portName(`v-${vm}`), mac(n), `10.90.0.${n}/24`);
  await reconcile(host.driver, pool(false));
  await reconcile(host.driver, pool(true));
  const t0 = {
    cpu: process.cpuUsage(),
    kids: self().children,
    sw: daemon(host.runDir, 'ovs-vswitchd'),
    db: daemon(host.runDir, 'ovsdb-server'),
    spawned: exec.processesSpawned(),
    at: performance.now(),
  };
  const times = [];
  for (let i = 0; i < N; i++) {
    const s = performance.now();
    await reconcile(host.driver, pool(i % 2 === 0));
    times.push(performance.now() - s);
  }
  const cpu = process.cpuUsage(t0.cpu);
  const per = (x) => (x / N).toFixed(1);
  times.sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      changes: N,
      wallMsP50: times[Math.floor(N / 2)].toFixed(1),
      nodeCpuMsPerChange: per((cpu.user + cpu.system) / 1000),
      childCpuMsPerChange: per(self().children - t0.kids),
      vswitchdCpuMsPerChange: per(daemon(host.runDir, 'ovs-vswitchd') - t0.sw),
      ovsdbCpuMsPerChange: per(daemon(host.runDir, 'ovsdb-server') - t0.db),
      processesPerChange: per(exec.processesSpawned() - t0.spawned),
      load: readFileSync('/proc/loadavg', 'utf8').trim(),
    }),
  );
} finally {
  await lab.stop();
}
