import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * ACL directions named from the VM (AclRuleCreated v4): a rule's `ingress` was what the VM
 * sends, now `from-vm`; `egress` what is delivered to it, now `to-vm`. The log keeps its words
 * and is upcast on read; the stored read-model rows are rewritten in place, the same mapping,
 * so they say what a rebuild from the log would, without one. Mirrors keep their words.
 */
export class AclDirectionsFromVm1765929600000 implements MigrationInterface {
  name = 'AclDirectionsFromVm1765929600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE rm_acl_rules SET direction = CASE direction
      WHEN 'ingress' THEN 'from-vm' WHEN 'egress' THEN 'to-vm' ELSE direction END`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE rm_acl_rules SET direction = CASE direction
      WHEN 'from-vm' THEN 'ingress' WHEN 'to-vm' THEN 'egress' ELSE direction END`);
  }
}
