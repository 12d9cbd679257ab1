import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The remote hosts whose tunnel is on a host's switch but whose liveness check (BFD) is not up,
 * as the host last reported them: the mesh view tells a tunnel that exists from one that works.
 */
export class HostTunnelsUnreachable1766707200000 implements MigrationInterface {
  name = 'HostTunnelsUnreachable1766707200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE rm_host_tunnels ADD COLUMN unreachable jsonb NOT NULL DEFAULT '[]'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE rm_host_tunnels DROP COLUMN unreachable`);
  }
}
