import { mkdir, mkdtemp, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { HostSwitchState } from '@pool/vswitch';
import { ResolverFile } from './resolver-file.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** A resolver file in a temporary `etc`, its kept copy in a temporary state dir. */
async function resolver() {
  const root = await mkdtemp(join(tmpdir(), 'poolnet-resolver-'));
  dirs.push(root);
  await mkdir(join(root, 'etc'));
  await mkdir(join(root, 'state'));
  const file = new ResolverFile(
    join(root, 'etc', 'resolv.conf'),
    join(root, 'state', 'resolv.conf.previous'),
  );
  return { file, root, read: () => readFile(file.path, 'utf8') };
}

const withDns = (dns: string[] | undefined, purpose: 'management' | 'storage' = 'management') =>
  ({
    uplinks: [],
    bridges: [],
    interfaces: [
      {
        name: 'mgmt0',
        purpose,
        device: 'eth0',
        ipv4: { mode: 'dhcp' },
        ipv6: { mode: 'none' },
        ...(dns ? { dns } : {}),
      },
    ],
  }) satisfies HostSwitchState;

const OPERATOR = 'nameserver 10.9.9.9 # the operator\n';

describe('ResolverFile: the management interface DNS servers in resolv.conf', () => {
  it('writes the servers, keeping the file it replaces, and restores it once none are given', async () => {
    const { file, read } = await resolver();
    await writeFile(file.path, OPERATOR);
    expect(await file.sync(withDns(['192.0.2.53', '2001:db8::53']))).toBe('written');
    const written = await read();
    expect(written).toMatch(/^# Written by the poolnet member host .* mgmt0/);
    expect(written).toContain('nameserver 192.0.2.53\nnameserver 2001:db8::53\n');
    expect(await readFile(file.previous, 'utf8')).toBe(OPERATOR);
    expect(await file.sync(withDns(['192.0.2.53', '2001:db8::53']))).toBe('unchanged');
    expect(await file.sync(withDns(undefined))).toBe('restored');
    expect(await read()).toBe(OPERATOR);
  });

  it("leaves the operator's file alone while no servers are given (and a storage interface's)", async () => {
    const { file, read } = await resolver();
    await writeFile(file.path, OPERATOR);
    expect(await file.sync(withDns(undefined))).toBe('unchanged');
    expect(await file.sync(withDns(['192.0.2.53'], 'storage'))).toBe('unchanged');
    expect(await read()).toBe(OPERATOR);
  });

  it('replaces the file by a rename: a reader holds the old file or the new one, whole', async () => {
    const { file, root, read } = await resolver();
    await writeFile(file.path, OPERATOR);
    const before = await stat(file.path);
    const reader = await open(file.path, 'r');
    await file.sync(withDns(['192.0.2.53']));
    // The open file is the old one, untouched (a write in place would have changed it).
    expect((await reader.readFile('utf8')).toString()).toBe(OPERATOR);
    await reader.close();
    expect((await stat(file.path)).ino).not.toBe(before.ino);
    expect(await read()).toContain('nameserver 192.0.2.53');
    expect(await readdir(join(root, 'etc'))).toEqual(['resolv.conf']); // no temporary left
  });

  it('goes back to the servers of an earlier state (a rollback) and keeps the later file', async () => {
    const { file, read } = await resolver();
    await file.sync(withDns(['192.0.2.53']));
    const first = await read();
    await file.sync(withDns(['198.51.100.53']));
    expect(await readFile(file.previous, 'utf8')).toBe(first);
    await file.sync(withDns(['192.0.2.53']));
    expect(await read()).toBe(first);
  });

  it("uses the DHCP lease's DNS servers when the log gives none; static servers win", async () => {
    const { file, read } = await resolver();
    await writeFile(file.path, OPERATOR);
    const leased = new Map([['mgmt0', ['192.0.2.53', '2001:db8::53']]]);
    expect(await file.sync(withDns(undefined), leased)).toBe('written');
    expect(await read()).toMatch(/mgmt0 \(its DHCP lease\)\.\nnameserver 192\.0\.2\.53\n/);
    expect(await read()).toContain('nameserver 2001:db8::53\n');
    // A lease with no servers (or none yet): the operator's file comes back.
    expect(await file.sync(withDns(undefined), new Map([['mgmt0', []]]))).toBe('restored');
    expect(await read()).toBe(OPERATOR);
    // Static servers in the log win over the lease's.
    expect(await file.sync(withDns(['198.51.100.53']), leased)).toBe('written');
    expect(await read()).not.toContain('192.0.2.53');
    expect(await read()).toContain('nameserver 198.51.100.53\n');
    // A storage interface's lease never reaches the resolver: the operator's file is back.
    expect(await file.sync(withDns(undefined, 'storage'), leased)).toBe('restored');
    expect(await read()).toBe(OPERATOR);
  });
});
