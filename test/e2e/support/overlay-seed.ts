/**
 * An overlay network across hosts for the browser suites: each host declares a tunnel endpoint
 * on eth0 (192.0.2.1, .2, …), then one VM of the network starts on each (`ov-1`, `ov-2`, …),
 * so every host carries it and the mesh has a tunnel between each two.
 */
export async function seedOverlay(
  inPool: (method: string, path: string, body?: unknown) => Promise<unknown>,
  network: { networkId: string; name: string },
  hosts: readonly string[],
): Promise<void> {
  for (const [i, host] of hosts.entries()) {
    await inPool('PUT', `/hosts/${host}/tunnel-endpoint`, {
      device: 'eth0',
      address: `192.0.2.${i + 1}`,
    });
  }
  await inPool('POST', '/networks', { ...network, kind: 'overlay', purpose: 'vm' });
  for (const [i, host] of hosts.entries()) {
    const id = `ov-${i + 1}`;
    await inPool('POST', '/vms', { vmId: id, name: id });
    await inPool('POST', `/vms/${id}/vifs`, {
      vifId: `${id}-0`,
      device: 0,
      networkId: network.networkId,
      mac: `02:00:00:00:40:0${i + 1}`,
      ipv4: `10.40.0.${i + 1}`,
    });
    await inPool('POST', `/vms/${id}/start`, { hostId: host });
  }
}
