import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAC_SEQUENCE_LIMIT,
  generatedMac,
  generatedMacPrefix,
  generatedMacSequence,
  isLocallyAdministeredMac,
  isMulticastMac,
  isZeroMac,
  normaliseMac,
} from './mac.js';

const octets = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 6, maxLength: 6 });
const hex = (o: number) => o.toString(16).padStart(2, '0');

describe('normaliseMac', () => {
  it('lowercases and accepts - separators', () => {
    expect(normaliseMac('AA:BB:CC:DD:EE:0F')).toBe('aa:bb:cc:dd:ee:0f');
    expect(normaliseMac('aa-bb-cc-dd-ee-0f')).toBe('aa:bb:cc:dd:ee:0f');
  });

  it.each([
    '',
    'aa:bb:cc:dd:ee',
    'aa:bb:cc:dd:ee:ff:00',
    'aa:bb-cc:dd:ee:ff',
    'aabb.ccdd.eeff',
    'g0:00:00:00:00:00',
    ' aa:bb:cc:dd:ee:ff',
  ])('refuses %j', (text) => expect(normaliseMac(text)).toBeNull());

  it('maps every spelling of an address to one normal form', () => {
    fc.assert(
      fc.property(octets, fc.constantFrom(':', '-'), fc.boolean(), (bytes, sep, upper) => {
        const text = bytes.map(hex).join(sep);
        expect(normaliseMac(upper ? text.toUpperCase() : text)).toBe(bytes.map(hex).join(':'));
      }),
    );
  });

  it('tells multicast, zero and locally administered addresses', () => {
    expect(isMulticastMac('01:00:5e:00:00:01')).toBe(true);
    expect(isMulticastMac('ff:ff:ff:ff:ff:ff')).toBe(true);
    expect(isMulticastMac('00:16:3e:00:00:01')).toBe(false);
    expect(isZeroMac('00:00:00:00:00:00')).toBe(true);
    expect(isLocallyAdministeredMac('02:00:00:00:00:01')).toBe(true);
    expect(isLocallyAdministeredMac('00:16:3e:00:00:01')).toBe(false);
  });
});

describe('generated MACs', () => {
  it('are locally administered unicast, in the pool prefix, and decode to their sequence', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 0, max: MAC_SEQUENCE_LIMIT - 1 }), (pool, seq) => {
        const mac = generatedMac(pool, seq);
        expect(normaliseMac(mac)).toBe(mac);
        expect(mac[1]).toMatch(/[26ae]/);
        expect(isMulticastMac(mac)).toBe(false);
        expect(isLocallyAdministeredMac(mac)).toBe(true);
        expect(mac.startsWith(generatedMacPrefix(pool))).toBe(true);
        expect(generatedMacSequence(pool, mac)).toBe(seq);
      }),
    );
  });

  it('are deterministic per pool and sequence', () => {
    expect(generatedMac('pool-1', 1)).toBe(generatedMac('pool-1', 1));
    expect(generatedMac('pool-1', 1)).not.toBe(generatedMac('pool-1', 2));
    expect(generatedMac('pool-1', 0x01020304).slice(6)).toBe('01:02:03:04');
  });

  it('do not decode in another prefix', () => {
    expect(generatedMacSequence('pool-1', '00:16:3e:00:00:01')).toBeNull();
  });
});
