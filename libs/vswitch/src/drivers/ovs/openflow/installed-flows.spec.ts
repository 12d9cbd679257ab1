import { describe, expect, it } from 'vitest';
import { numberPorts } from './flow-text.js';
import { InstalledFlows } from './installed-flows.js';

const add = (priority: number, actions = 'drop', c = '0x12') =>
  `add cookie=${c},table=0,priority=${priority},in_port=p,actions=${actions}`;
const rewrite = (...adds: string[]) => ['delete cookie=0x12/-1', ...adds];
const sent = (record: InstalledFlows, lines: string[]) => {
  const { lines: out, commit } = record.narrow(lines);
  commit();
  return out;
};

describe('InstalledFlows: only the flows that differ are sent', () => {
  it('sends a concern whole while its flows are not known, then only what changed', () => {
    const record = new InstalledFlows();
    expect(sent(record, rewrite(add(1), add(2), add(3)))).toEqual(rewrite(add(1), add(2), add(3)));
    expect(sent(record, rewrite(add(1), add(2, 'NORMAL'), add(3)))).toEqual([add(2, 'NORMAL')]);
    expect(sent(record, rewrite(add(1), add(2, 'NORMAL')))).toEqual([
      'delete_strict cookie=0x12/-1,table=0,priority=3,in_port=p',
    ]);
    expect(sent(record, rewrite(add(1), add(2, 'NORMAL')))).toEqual([]);
  });

  it('empties a concern with its one delete, and sends nothing to empty it again', () => {
    const record = new InstalledFlows();
    sent(record, rewrite(add(1), add(2)));
    expect(sent(record, rewrite())).toEqual(rewrite());
    expect(sent(record, rewrite())).toEqual([]);
    expect(sent(record, rewrite(add(1)))).toEqual([add(1)]);
  });

  it('knows every cookie empty after the table was emptied, and none after a masked delete', () => {
    const record = new InstalledFlows();
    expect(sent(record, ['delete', ...rewrite(add(1))])).toEqual(['delete', add(1)]);
    sent(record, ['delete cookie=0x0/0xffffffffffffff00']);
    expect(sent(record, rewrite(add(1)))).toEqual([add(1)]);
  });

  it('writes a concern whole again once the switch counts its flows differently', () => {
    const record = new InstalledFlows();
    sent(record, rewrite(add(1), add(2)));
    record.check(new Map([[0x12n, 2]]));
    expect(sent(record, rewrite(add(1), add(2)))).toEqual([]);
    record.check(new Map([[0x12n, 1]])); // a flow was deleted behind the host's back
    expect(sent(record, rewrite(add(1), add(2)))).toEqual(rewrite(add(1), add(2)));
  });

  it('keeps what it knew when a bundle was not committed, and forgets all on demand', () => {
    const record = new InstalledFlows();
    sent(record, rewrite(add(1)));
    record.narrow(rewrite(add(1), add(2))); // never committed
    expect(sent(record, rewrite(add(1), add(3)))).toEqual([add(3)]);
    record.forgetAll();
    expect(sent(record, rewrite(add(1), add(3)))).toEqual(rewrite(add(1), add(3)));
  });

  it('follows a flow another cookie overwrites (one flow per table, priority and match)', () => {
    const record = new InstalledFlows();
    sent(record, rewrite(add(1), add(2)));
    sent(record, [add(2, 'NORMAL', '0x99')]);
    expect(sent(record, rewrite(add(1), add(2)))).toEqual([add(2)]);
  });

  it("writes a port's flows again once the port has a new number (compared numbered)", () => {
    const record = new InstalledFlows();
    const numbered = (ofport: number) =>
      rewrite(add(1), add(2)).map((l) => numberPorts(l, () => ofport));
    expect(sent(record, numbered(2))).toHaveLength(3);
    expect(sent(record, numbered(2))).toEqual([]);
    // Deleted by hand and added again: same name, new number; the old flows must go.
    const moved = sent(record, numbered(3));
    expect(
      moved.filter((l) => l.startsWith('delete_strict') && l.includes('in_port=2')),
    ).toHaveLength(0);
    expect(moved).toEqual(numbered(3));
  });
});
