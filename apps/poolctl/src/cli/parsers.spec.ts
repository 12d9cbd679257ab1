import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { commaList, integer, pifSpec, portRange, positiveSeconds, rateSpec } from './parsers.js';

describe('option parsers', () => {
  it('reads a PIF with defaults for mtu, speed and carrier', () => {
    expect(pifSpec('device=eth0,mac=52:54:00:12:34:56')).toEqual({
      device: 'eth0',
      mac: '52:54:00:12:34:56',
      mtu: 1500,
      speedMbps: 1000,
      carrier: true,
    });
    expect(
      pifSpec('mac=52:54:00:12:34:56, device=eth1, mtu=9000, speed=25000, carrier=down'),
    ).toEqual({
      device: 'eth1',
      mac: '52:54:00:12:34:56',
      mtu: 9000,
      speedMbps: 25000,
      carrier: false,
    });
  });

  it.each([
    'device=eth0',
    'mac=52:54:00:12:34:56',
    'device=eth0,mac=m,colour=red',
    'device=eth0,mac=m,carrier=maybe',
    'device=eth0,mac=m,mtu=big',
    'eth0',
  ])('refuses the PIF %s', (spec) => {
    expect(() => pifSpec(spec)).toThrow(InvalidArgumentError);
  });

  it('reads rates, port ranges, lists, integers and seconds', () => {
    expect(rateSpec('100000/10000')).toEqual({ kbps: 100000, burstKb: 10000 });
    expect(rateSpec('5000')).toEqual({ kbps: 5000, burstKb: 0 });
    expect(portRange('443')).toEqual({ portFrom: 443, portTo: 443 });
    expect(portRange('8000-8080')).toEqual({ portFrom: 8000, portTo: 8080 });
    expect(commaList('eth1, eth2')).toEqual(['eth1', 'eth2']);
    expect(integer('-3')).toBe(-3);
    expect(positiveSeconds('0.5')).toBe(0.5);
  });

  it.each([
    () => rateSpec('fast'),
    () => rateSpec('1/2/3'),
    () => portRange('80-'),
    () => commaList('eth1,,eth2'),
    () => integer('1.5'),
    () => integer(''),
    () => positiveSeconds('0'),
    () => positiveSeconds('soon'),
  ])('refuses malformed values (%#)', (parse) => {
    expect(parse).toThrow(InvalidArgumentError);
  });
});
