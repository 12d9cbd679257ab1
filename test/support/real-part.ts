import { execFileSync } from 'node:child_process';

/**
 * A suite that proves a real part works (Open vSwitch, a build output) must not pass without
 * it. Outside CI a missing part skips the suite and says why; in CI (CI=true) the suite runs and
 * its first hook fails naming what is missing, so a machine where an install failed goes red.
 */
export interface RealPart {
  /** For `describe.skipIf(...)`: true only outside CI with the part missing. */
  readonly skip: boolean;
  /** Throws, naming what is missing; call it in the suite's first `beforeAll`. */
  assertPresent(): void;
}

export function realPart(name: string, missing: string | null): RealPart {
  const inCi = process.env.CI === 'true';
  if (missing && !inCi) console.log(`${name} suite skipped: ${missing} (CI fails instead)`);
  return {
    skip: missing !== null && !inCi,
    assertPresent: () => {
      if (missing) throw new Error(`${name}: ${missing}`);
    },
  };
}

/** The Debian package of each tool a lab may need (.ci/run installs them). */
const PACKAGE_OF: Record<string, string> = {
  ip: 'iproute2',
  ping: 'iputils-ping',
  dhclient: 'isc-dhcp-client',
  dnsmasq: 'dnsmasq-base',
};

/** Why the Open vSwitch lab cannot run here (root and these tools on PATH), or null. */
export function missingOvsLab(tools: readonly string[]): string | null {
  if (process.getuid?.() !== 0) return 'the network-namespace lab needs root';
  const absent = tools.filter((tool) => {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  const packages = new Set(absent.map((tool) => PACKAGE_OF[tool] ?? 'openvswitch-switch'));
  return absent.length
    ? `${absent.join(', ')} not on PATH (apt-get install ${[...packages].join(' ')})`
    : null;
}
