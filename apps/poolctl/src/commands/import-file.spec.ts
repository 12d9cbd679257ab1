import { describe, expect, it } from 'vitest';
import { parseExport } from './history.command.js';

const pool = { type: 'CreatePool', data: { poolId: 'lab', name: 'Lab' } };
const vm = { type: 'CreateVm', data: { vmId: 'a', name: 'a' } };

describe('parseExport', () => {
  it("reads poolctl export's lines, its -o json, a JSON list, and one command", () => {
    expect(parseExport(`${JSON.stringify(pool)}\n${JSON.stringify(vm)}\n`)).toEqual([pool, vm]);
    const answer = { pool: 'lab', version: 2, commands: [pool, vm], notExported: [] };
    expect(parseExport(JSON.stringify(answer, null, 2))).toEqual([pool, vm]);
    expect(parseExport(JSON.stringify([pool, vm]))).toEqual([pool, vm]);
    expect(parseExport(JSON.stringify(pool))).toEqual([pool]);
  });

  it('refuses what is not an export as a usage error', () => {
    expect(() => parseExport('not json\n')).toThrow(expect.objectContaining({ code: 'USAGE' }));
    expect(() => parseExport('[]')).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });
});
