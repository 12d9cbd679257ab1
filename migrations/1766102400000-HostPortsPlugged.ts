import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Whether a VIF's port on a host has its device, as the host reports it (`plugged: false`
 * while the hypervisor has not plugged the VM's NIC). Rows written before were of plugged
 * ports as far as anyone could tell: hosts then failed to converge without the device.
 */
export class HostPortsPlugged1766102400000 implements MigrationInterface {
  name = 'HostPortsPlugged1766102400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE rm_host_ports ADD COLUMN plugged boolean NOT NULL DEFAULT true`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE rm_host_ports DROP COLUMN plugged`);
  }
}
