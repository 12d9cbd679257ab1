import { getMetadataArgsStorage } from 'typeorm';
import { CheckpointRow } from './entities/checkpoint-row.entity.js';
import {
  AclCounterRow,
  CounterRow,
  HostPortRow,
  HostStatusRow,
  HostTunnelRow,
} from './entities/host-status.entity.js';
import { AdviceRow, BondRow, HostRow, PifRow, UplinkRow } from './entities/host-rows.entity.js';
import { MigrationRow } from './entities/migration-row.entity.js';
import { NetworkRow } from './entities/network-row.entity.js';
import { AclRuleRow, MirrorRow } from './entities/policy-rows.entity.js';
import { PoolRow } from './entities/pool-row.entity.js';
import {
  AddressSetRow,
  SecurityGroupMemberRow,
  SecurityGroupRow,
} from './entities/security-group-rows.entity.js';
import { AddressRow, VifRow, VmRow } from './entities/vm-rows.entity.js';

/** What a change to a table means to a listener of `GET /api/pools/:pool/stream`. */
export const CHANGE_KINDS = [
  'pool',
  'hosts',
  'networks',
  'vms',
  'vifs',
  'acls',
  'mirrors',
  'migrations',
  'addresses',
  'address-sets',
  'security-groups',
] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

export type ColumnType =
  'text' | 'integer' | 'smallint' | 'bigint' | 'boolean' | 'jsonb' | 'timestamptz';

export interface ColumnSpec {
  property: string;
  column: string;
  type: ColumnType;
  primary: boolean;
}

/** A read-model table as the writer and `verify` see it, taken from its TypeORM entity. */
export interface TableSpec {
  entity: new () => object;
  table: string;
  kind: ChangeKind;
  columns: ColumnSpec[];
  primary: ColumnSpec[];
}

function tableOf(entity: new () => object, kind: ChangeKind): TableSpec {
  const storage = getMetadataArgsStorage();
  const table = storage.filterTables(entity)[0]?.name;
  if (!table) throw new Error(`${entity.name} is not a TypeORM entity`);
  const columns = storage.filterColumns(entity).map((c) => ({
    property: c.propertyName,
    column: c.options.name ?? c.propertyName,
    type: c.options.type as ColumnType,
    primary: c.options.primary === true,
  }));
  return { entity, table, kind, columns, primary: columns.filter((c) => c.primary) };
}

/**
 * The tables derived from the log alone: a rebuild truncates and refills them, `verify`
 * compares them with a replay. Listed parents first, the order rows are written in.
 */
export const LOG_TABLES = {
  pools: tableOf(PoolRow, 'pool'),
  hosts: tableOf(HostRow, 'hosts'),
  pifs: tableOf(PifRow, 'hosts'),
  bonds: tableOf(BondRow, 'hosts'),
  advice: tableOf(AdviceRow, 'hosts'),
  uplinks: tableOf(UplinkRow, 'networks'),
  networks: tableOf(NetworkRow, 'networks'),
  vms: tableOf(VmRow, 'vms'),
  vifs: tableOf(VifRow, 'vifs'),
  addresses: tableOf(AddressRow, 'addresses'),
  addressSets: tableOf(AddressSetRow, 'address-sets'),
  securityGroups: tableOf(SecurityGroupRow, 'security-groups'),
  securityGroupMembers: tableOf(SecurityGroupMemberRow, 'security-groups'),
  aclRules: tableOf(AclRuleRow, 'acls'),
  mirrors: tableOf(MirrorRow, 'mirrors'),
  migrations: tableOf(MigrationRow, 'migrations'),
} as const;

export type LogTableName = keyof typeof LOG_TABLES;
export const LOG_TABLE_NAMES = Object.keys(LOG_TABLES) as LogTableName[];

/** The row type of each log-derived table. */
export interface LogRows {
  pools: PoolRow;
  hosts: HostRow;
  pifs: PifRow;
  bonds: BondRow;
  advice: AdviceRow;
  uplinks: UplinkRow;
  networks: NetworkRow;
  vms: VmRow;
  vifs: VifRow;
  addresses: AddressRow;
  addressSets: AddressSetRow;
  securityGroups: SecurityGroupRow;
  securityGroupMembers: SecurityGroupMemberRow;
  aclRules: AclRuleRow;
  mirrors: MirrorRow;
  migrations: MigrationRow;
}

/** Every entity of the projection, for the DataSource. */
export const READ_MODEL_ENTITIES = [
  PoolRow,
  HostRow,
  PifRow,
  BondRow,
  AdviceRow,
  UplinkRow,
  NetworkRow,
  VmRow,
  VifRow,
  AddressRow,
  AddressSetRow,
  SecurityGroupRow,
  SecurityGroupMemberRow,
  AclRuleRow,
  MirrorRow,
  MigrationRow,
  HostStatusRow,
  HostPortRow,
  HostTunnelRow,
  CounterRow,
  AclCounterRow,
  CheckpointRow,
];

/** The key of a row within its table: its primary key values. */
export const rowKey = (spec: TableSpec, row: object): string =>
  spec.primary.map((c) => String((row as Record<string, unknown>)[c.property])).join('\u0000');
