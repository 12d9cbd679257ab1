import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Overlay networks in the read models (issue 19): a network's VNI and a host's tunnel endpoint,
 * derived from the log (a rebuild fills them for overlays created before this migration), and
 * rm_host_tunnels, each host's tunnels per overlay network as its reports say (HostReport
 * `tunnels`), fed by reports like rm_host_ports, so a rebuild keeps them.
 */
export class OverlayReadModels1766448000000 implements MigrationInterface {
  name = 'OverlayReadModels1766448000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE rm_networks ADD COLUMN vni integer`);
    await q.query(
      `ALTER TABLE rm_hosts ADD COLUMN tunnel_device text, ADD COLUMN tunnel_address text`,
    );
    await q.query(`CREATE TABLE rm_host_tunnels (
      pool_id text NOT NULL,
      host_id text NOT NULL,
      network_id text NOT NULL,
      vni integer NOT NULL,
      expected integer NOT NULL,
      applied integer NOT NULL,
      missing jsonb NOT NULL DEFAULT '[]',
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (pool_id, host_id, network_id)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS rm_host_tunnels`);
    await q.query(`ALTER TABLE rm_hosts DROP COLUMN tunnel_device, DROP COLUMN tunnel_address`);
    await q.query(`ALTER TABLE rm_networks DROP COLUMN vni`);
  }
}
