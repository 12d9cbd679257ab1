/** One column of a table: its header and how a row shows in it. */
export interface Column<T> {
  header: string;
  value: (row: T) => unknown;
}

/** A cell as text: `-` for nothing, yes/no, lists comma-separated, objects as compact JSON. */
export function cell(value: unknown): string {
  if (value === null || value === undefined || value === '') return '-';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value)) return value.length === 0 ? '-' : value.map(cell).join(',');
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value) ?? '-';
}

/** Rows under upper-case headers, columns two spaces apart, no trailing blanks. */
export function renderTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const header = columns.map((column) => column.header.toUpperCase());
  const body = rows.map((row) => columns.map((column) => cell(column.value(row))));
  const widths = header.map((title, i) => Math.max(title.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((text, i) => (i === cells.length - 1 ? text : text.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...body.map(line)].join('\n') + '\n';
}

/** One object as `label: value` lines, labels aligned. */
export function renderFields(fields: readonly (readonly [string, unknown])[]): string {
  const width = Math.max(0, ...fields.map(([label]) => label.length));
  return (
    fields.map(([label, value]) => `${`${label}:`.padEnd(width + 1)} ${cell(value)}`).join('\n') +
    '\n'
  );
}
