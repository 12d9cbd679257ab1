/** The parts of an OVSDB schema (RFC 7047 §3.2) the client needs: column types and roots. */
export type AtomicType = 'integer' | 'real' | 'boolean' | 'string' | 'uuid';

export interface BaseType {
  type: AtomicType;
  refTable?: string;
  /** A weak reference does not keep its row alive and vanishes with it. */
  refType?: 'strong' | 'weak';
}

export interface ColumnType {
  key: BaseType;
  value?: BaseType;
  min: number;
  max: number;
}

export interface TableSchema {
  columns: Map<string, ColumnType>;
  isRoot: boolean;
}

export type DbSchema = Map<string, TableSchema>;

type RawBase = BaseType;
type RawType =
  | AtomicType
  | {
      key: AtomicType | RawBase;
      value?: AtomicType | RawBase;
      min?: number;
      max?: number | 'unlimited';
    };
interface RawSchema {
  tables: Record<string, { columns: Record<string, { type: RawType }>; isRoot?: boolean }>;
}

const base = (raw: AtomicType | RawBase): BaseType =>
  typeof raw === 'string'
    ? { type: raw }
    : {
        type: raw.type,
        ...(raw.refTable ? { refTable: raw.refTable } : {}),
        ...(raw.refType ? { refType: raw.refType } : {}),
      };

export function columnType(raw: RawType): ColumnType {
  if (typeof raw === 'string') return { key: { type: raw }, min: 1, max: 1 };
  const max = raw.max === 'unlimited' ? Infinity : (raw.max ?? 1);
  return {
    key: base(raw.key),
    ...(raw.value !== undefined ? { value: base(raw.value) } : {}),
    min: raw.min ?? 1,
    max,
  };
}

/** The reply of `get_schema`, with every column's type in one normalized form. */
export function parseSchema(raw: unknown): DbSchema {
  const tables = (raw as RawSchema).tables;
  const schema: DbSchema = new Map();
  for (const [name, table] of Object.entries(tables)) {
    const columns = new Map(
      Object.entries(table.columns).map(([column, { type }]) => [column, columnType(type)]),
    );
    schema.set(name, { columns, isRoot: table.isRoot === true });
  }
  return schema;
}

export const isMapType = (type: ColumnType): boolean => type.value !== undefined;
export const isScalarType = (type: ColumnType): boolean =>
  !isMapType(type) && type.min === 1 && type.max === 1;

const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

/** A column's default in OVSDB's JSON notation (what a row has until it is written). */
export function defaultDatum(type: ColumnType): unknown {
  if (isMapType(type)) return ['map', []];
  if (!isScalarType(type)) return ['set', []];
  switch (type.key.type) {
    case 'integer':
    case 'real':
      return 0;
    case 'boolean':
      return false;
    case 'string':
      return '';
    case 'uuid':
      return ['uuid', ZERO_UUID];
  }
}
