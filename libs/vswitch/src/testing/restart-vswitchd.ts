import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Stops the ovs-vswitchd of a run dir started by scripts/ovs/start.sh and starts it again (in
 * `netns`). start.sh leaves a live daemon alone, so it waits until the old one is really gone.
 */
export async function restartVswitchd(runDir: string, netns: string): Promise<void> {
  const pid = Number(readFileSync(join(runDir, 'ovs-vswitchd.pid'), 'utf8'));
  execFileSync('ovs-appctl', ['-t', join(runDir, 'ovs-vswitchd.ctl'), 'exit']);
  for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  const start = join(process.cwd(), 'scripts/ovs/start.sh');
  execFileSync('bash', [start, '--netns', netns, runDir], { stdio: 'ignore' });
}
