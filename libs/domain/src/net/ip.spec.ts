import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIpv6, normaliseIpv4, normaliseIpv6, parseIp, parseIpv6 } from './ip.js';

describe('IPv4', () => {
  it.each([
    ['192.0.2.10', '192.0.2.10'],
    ['0.0.0.0', '0.0.0.0'],
    ['255.255.255.255', '255.255.255.255'],
  ])('normalises %s', (text, canonical) => expect(normaliseIpv4(text)).toBe(canonical));

  it.each([
    '',
    '1.2.3',
    '1.2.3.4.5',
    '256.0.0.1',
    '01.2.3.4',
    '1.2.3.-4',
    '1.2.3.4/24',
    ' 1.2.3.4',
    'a.b.c.d',
  ])('refuses %j', (text) => expect(normaliseIpv4(text)).toBeNull());
});

describe('IPv6', () => {
  it.each([
    ['2001:DB8::1', '2001:db8::1'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['::', '::'],
    ['::1', '::1'],
    ['1::', '1::'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['::ffff:192.0.2.1', '::ffff:c000:201'],
  ])('normalises %s to %s (RFC 5952)', (text, canonical) =>
    expect(normaliseIpv6(text)).toBe(canonical),
  );

  it.each([
    '',
    ':',
    ':::',
    '1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:8:9',
    '1::2::3',
    '1:2:3:4:5:6:7:8::',
    '12345::',
    'fe80::1%eth0',
    '1.2.3.4::',
    ':1::',
    'g::1',
  ])('refuses %j', (text) => expect(normaliseIpv6(text)).toBeNull());

  it('round-trips every address through its canonical text', () => {
    const groups = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), {
      minLength: 8,
      maxLength: 8,
    });
    fc.assert(
      fc.property(groups, (g) => {
        const value = g.reduce((v, x) => (v << 16n) | BigInt(x), 0n);
        const canonical = formatIpv6(value);
        expect(parseIpv6(canonical)).toBe(value);
        expect(parseIpv6(g.map((x) => x.toString(16).padStart(4, '0')).join(':'))).toBe(value);
      }),
    );
  });

  it('tells the families apart', () => {
    expect(parseIp('10.0.0.1')?.family).toBe(4);
    expect(parseIp('fd00::1')?.family).toBe(6);
    expect(parseIp('nope')).toBeNull();
  });
});
