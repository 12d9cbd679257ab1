import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The hypervisor's device for a VIF's port, as the host reports it once it adopted the
 * interface the hypervisor plugged (`VIF_BINDING=iface-id`: libvirt's `vnetN`); null for a port
 * the host created under its own name.
 */
export class HostPortsDevice1766275200000 implements MigrationInterface {
  name = 'HostPortsDevice1766275200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE rm_host_ports ADD COLUMN device text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE rm_host_ports DROP COLUMN device`);
  }
}
