import { describe, expect, it } from 'vitest';
import { cidrsOverlap, formatCidr, parseCidr, type Cidr } from './cidr.js';

const cidr = (text: string): Cidr => {
  const parsed = parseCidr(text);
  if (parsed === null) throw new Error(`bad test CIDR ${text}`);
  return parsed.cidr;
};

describe('CIDR', () => {
  it('parses and formats canonically', () => {
    expect(formatCidr(cidr('10.1.0.0/16'))).toBe('10.1.0.0/16');
    expect(formatCidr(cidr('2001:DB8::/32'))).toBe('2001:db8::/32');
    expect(formatCidr(cidr('0.0.0.0/0'))).toBe('0.0.0.0/0');
  });

  it('reports host bits', () => {
    expect(parseCidr('10.1.2.3/16')?.hostBits).toBe(true);
    expect(parseCidr('10.1.0.0/16')?.hostBits).toBe(false);
  });

  it.each(['10.0.0.0', '10.0.0.0/33', '10.0.0.0/08', '::/129', '10.0.0.0/8/8', 'x/8', '10.0.0.0/'])(
    'refuses %j',
    (text) => expect(parseCidr(text)).toBeNull(),
  );

  it.each([
    ['10.0.0.0/8', '10.1.0.0/16', true],
    ['10.1.0.0/16', '10.0.0.0/8', true],
    ['10.1.0.0/16', '10.2.0.0/16', false],
    ['0.0.0.0/0', '192.0.2.0/24', true],
    ['192.0.2.0/25', '192.0.2.128/25', false],
    ['2001:db8::/32', '2001:db8:1::/48', true],
    ['2001:db8::/32', '2001:db9::/32', false],
    ['0.0.0.0/0', '::/0', false],
  ])('%s and %s overlap: %s', (a, b, overlap) =>
    expect(cidrsOverlap(cidr(a), cidr(b))).toBe(overlap),
  );
});
