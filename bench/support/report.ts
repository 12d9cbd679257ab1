import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';

const HEADER = `# poolnet benchmarks

Measured figures for poolnet's targets (DESIGN.md §7), each section written by one bench.
Every figure in a section comes from one run of \`npm run bench -- <name>\` (which runs
\`node dist/bench/main.js <name>\`) on the machine that section describes, at the date and with
the exact command it states. A bench replaces only its own section between its
\`<!-- bench:<name>:start -->\` and \`<!-- bench:<name>:end -->\` markers; edit outside them.
`;

/** The repository root: the nearest directory above this file holding package.json. */
export function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('no package.json above the bench');
    dir = parent;
  }
  return dir;
}

export const benchmarksFile = (): string => path.join(repoRoot(), 'BENCHMARKS.md');

/** Puts `body` between the bench's markers, replacing what was there and keeping the rest. */
export function replaceSection(document: string, name: string, body: string): string {
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const section = `${start}\n${body.trim()}\n${end}`;
  const from = document.indexOf(start);
  const to = document.indexOf(end);
  if (from >= 0 && to > from) {
    return document.slice(0, from) + section + document.slice(to + end.length);
  }
  if (from >= 0 || to >= 0) {
    throw new Error(`BENCHMARKS.md has an unpaired marker for "${name}"; fix it by hand`);
  }
  return `${document.trimEnd()}\n\n${section}\n`;
}

export async function writeSection(file: string, name: string, body: string): Promise<void> {
  const current = existsSync(file) ? await readFile(file, 'utf8') : HEADER;
  // Formatted as `npm run format` would, so the file stays as the bench wrote it.
  const options = (await resolveConfig(file)) ?? {};
  const next = await format(replaceSection(current, name, body), { ...options, filepath: file });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, next);
  await rename(tmp, file);
}

/** The first `leftColumns` columns (labels) align left; the rest right, unless `rightAligned` is false. */
export function markdownTable(
  headers: string[],
  rows: string[][],
  rightAligned = true,
  leftColumns = 1,
): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const rule = headers.map((_, i) => (i < leftColumns || !rightAligned ? '---' : '---:'));
  return [line(headers), line(rule), ...rows.map(line)].join('\n');
}

/** 12345.6 → "12,346"; 0.4567 → "0.46". */
export function formatNumber(value: number, digits?: number): string {
  if (!Number.isFinite(value)) return '–';
  const d = digits ?? (Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2);
  return value.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
}

export function formatDuration(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds - m * 60);
  return m > 0 ? `${m} min ${s} s` : `${s} s`;
}
