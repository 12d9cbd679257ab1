import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The projection's read models (apps/projection/src/read-models/entities): tables derived from
 * the log (rebuilt from zero by `projection rebuild`), tables fed by host reports, and one
 * checkpoint row per projection, written in the same transaction as its rows.
 */
export class CreateReadModels1764115200000 implements MigrationInterface {
  name = 'CreateReadModels1764115200000';

  async up(q: QueryRunner): Promise<void> {
    for (const statement of TABLES) await q.query(statement);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [...TABLE_NAMES].reverse()) await q.query(`DROP TABLE IF EXISTS ${table}`);
  }
}

const TABLE_NAMES = [
  'rm_pools',
  'rm_hosts',
  'rm_pifs',
  'rm_bonds',
  'rm_uplinks',
  'rm_advice',
  'rm_networks',
  'rm_vms',
  'rm_vifs',
  'rm_addresses',
  'rm_acl_rules',
  'rm_mirrors',
  'rm_migrations',
  'rm_host_status',
  'rm_host_ports',
  'rm_counters',
  'rm_checkpoints',
];

const TABLES = [
  `CREATE TABLE rm_pools (
    pool_id text PRIMARY KEY,
    name text NOT NULL,
    version bigint NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    hosts integer NOT NULL,
    networks integer NOT NULL,
    vms integer NOT NULL,
    vifs integer NOT NULL,
    migrations_active integer NOT NULL
  )`,
  `CREATE TABLE rm_hosts (
    pool_id text NOT NULL,
    id text NOT NULL,
    name text NOT NULL,
    address text NOT NULL,
    enabled boolean NOT NULL,
    management text,
    joined_at timestamptz NOT NULL,
    PRIMARY KEY (pool_id, id)
  )`,
  `CREATE TABLE rm_pifs (
    pool_id text NOT NULL,
    host_id text NOT NULL,
    device text NOT NULL,
    mac text NOT NULL,
    mtu integer NOT NULL,
    speed_mbps integer NOT NULL,
    carrier boolean NOT NULL,
    role text NOT NULL,
    roles jsonb NOT NULL,
    bond_id text,
    PRIMARY KEY (pool_id, host_id, device)
  )`,
  `CREATE TABLE rm_bonds (
    pool_id text NOT NULL,
    id text NOT NULL,
    host_id text NOT NULL,
    device text NOT NULL,
    members jsonb NOT NULL,
    mode text NOT NULL,
    PRIMARY KEY (pool_id, id)
  )`,
  `CREATE INDEX rm_bonds_host ON rm_bonds (pool_id, host_id)`,
  `CREATE TABLE rm_uplinks (
    pool_id text NOT NULL,
    network_id text NOT NULL,
    host_id text NOT NULL,
    device text NOT NULL,
    vlan integer,
    PRIMARY KEY (pool_id, network_id, host_id)
  )`,
  `CREATE TABLE rm_advice (
    pool_id text NOT NULL,
    host_id text NOT NULL,
    device text NOT NULL,
    traffic jsonb NOT NULL,
    message text NOT NULL,
    PRIMARY KEY (pool_id, host_id, device)
  )`,
  `CREATE TABLE rm_networks (
    pool_id text NOT NULL,
    id text NOT NULL,
    name text NOT NULL,
    kind text NOT NULL,
    purpose text NOT NULL,
    device text,
    vlan integer,
    mtu integer NOT NULL,
    PRIMARY KEY (pool_id, id)
  )`,
  `CREATE TABLE rm_vms (
    pool_id text NOT NULL,
    id text NOT NULL,
    name text NOT NULL,
    power_state text NOT NULL,
    host_id text,
    PRIMARY KEY (pool_id, id)
  )`,
  `CREATE INDEX rm_vms_host ON rm_vms (pool_id, host_id)`,
  `CREATE TABLE rm_vifs (
    pool_id text NOT NULL,
    id text NOT NULL,
    vm_id text NOT NULL,
    device integer NOT NULL,
    network_id text NOT NULL,
    mac text NOT NULL,
    ipv4 text,
    ipv6 text,
    qos jsonb,
    port_security boolean NOT NULL,
    PRIMARY KEY (pool_id, id)
  )`,
  `CREATE INDEX rm_vifs_vm ON rm_vifs (pool_id, vm_id)`,
  `CREATE INDEX rm_vifs_network ON rm_vifs (pool_id, network_id)`,
  `CREATE TABLE rm_addresses (
    pool_id text NOT NULL,
    vif_id text NOT NULL,
    slot text NOT NULL,
    mac text NOT NULL,
    ip text,
    network_id text NOT NULL,
    vm_id text NOT NULL,
    host_id text,
    PRIMARY KEY (pool_id, vif_id, slot)
  )`,
  `CREATE INDEX rm_addresses_mac ON rm_addresses (pool_id, mac)`,
  `CREATE INDEX rm_addresses_ip ON rm_addresses (pool_id, ip)`,
  `CREATE TABLE rm_acl_rules (
    pool_id text NOT NULL,
    id text NOT NULL,
    scope_kind text NOT NULL,
    scope_id text NOT NULL,
    direction text NOT NULL,
    priority integer NOT NULL,
    protocol text NOT NULL,
    cidr text,
    port_from integer,
    port_to integer,
    action text NOT NULL,
    PRIMARY KEY (pool_id, id)
  )`,
  `CREATE TABLE rm_mirrors (
    pool_id text NOT NULL,
    id text NOT NULL,
    source_kind text NOT NULL,
    source_id text NOT NULL,
    direction text NOT NULL,
    destination_vif_id text NOT NULL,
    PRIMARY KEY (pool_id, id)
  )`,
  `CREATE TABLE rm_migrations (
    pool_id text NOT NULL,
    id text NOT NULL,
    vm_id text NOT NULL,
    from_host_id text NOT NULL,
    to_host_id text NOT NULL,
    status text NOT NULL,
    requested_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    reason text,
    requested_version bigint NOT NULL,
    prepared_version bigint,
    activated_version bigint,
    completed_version bigint,
    aborted_version bigint,
    PRIMARY KEY (pool_id, id)
  )`,
  `CREATE INDEX rm_migrations_vm ON rm_migrations (pool_id, vm_id)`,
  `CREATE TABLE rm_host_status (
    pool_id text NOT NULL,
    host_id text NOT NULL,
    applied_version bigint NOT NULL,
    digest text NOT NULL,
    last_report_at timestamptz NOT NULL,
    drift integer NOT NULL,
    report_seq bigint NOT NULL,
    PRIMARY KEY (pool_id, host_id)
  )`,
  `CREATE TABLE rm_host_ports (
    pool_id text NOT NULL,
    host_id text NOT NULL,
    vif_id text NOT NULL,
    ready boolean NOT NULL,
    forwarding boolean NOT NULL,
    PRIMARY KEY (pool_id, host_id, vif_id)
  )`,
  `CREATE INDEX rm_host_ports_vif ON rm_host_ports (pool_id, vif_id)`,
  `CREATE TABLE rm_counters (
    pool_id text NOT NULL,
    host_id text NOT NULL,
    port text NOT NULL,
    rx_packets bigint NOT NULL,
    tx_packets bigint NOT NULL,
    rx_bytes bigint NOT NULL,
    tx_bytes bigint NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (pool_id, host_id, port)
  )`,
  `CREATE TABLE rm_checkpoints (
    projection text PRIMARY KEY,
    log_epoch smallint NOT NULL,
    transaction_id bigint NOT NULL,
    global_position bigint NOT NULL,
    events bigint NOT NULL,
    updated_at timestamptz NOT NULL
  )`,
];
