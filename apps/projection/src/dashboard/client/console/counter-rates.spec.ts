import type { CounterView } from '@pool/contracts';
import { describe, expect, it } from 'vitest';
import { CounterRates } from './counter-rates.js';

const sample = (second: number, bytes: number, packets = bytes / 100): CounterView => ({
  hostId: 'h-a',
  port: 'pnv-web',
  vifId: 'web-1-0',
  rxPackets: packets,
  txPackets: packets / 2,
  rxBytes: bytes,
  txBytes: bytes / 2,
  updatedAt: new Date(Date.UTC(2026, 11, 7, 10, 0, second)).toISOString(),
});

describe('counter rates', () => {
  it('divides what moved by the time between two reports', () => {
    const rates = new CounterRates();
    rates.record([sample(0, 1_000)]);
    expect(rates.of('h-a', 'pnv-web')).toBeNull();
    rates.record([sample(2, 21_000)]);
    expect(rates.of('h-a', 'pnv-web')).toEqual({
      rxPackets: 100,
      txPackets: 50,
      rxBytes: 10_000,
      txBytes: 5_000,
      trend: [15_000],
    });
  });

  it('ignores the same report read twice, and starts over when a counter goes down', () => {
    const rates = new CounterRates();
    rates.record([sample(0, 1_000)]);
    rates.record([sample(1, 2_000)]);
    rates.record([sample(1, 2_000)]);
    expect(rates.of('h-a', 'pnv-web')?.trend).toEqual([1_500]);
    rates.record([sample(2, 500)]);
    expect(rates.of('h-a', 'pnv-web')).toBeNull();
    rates.record([sample(3, 1_500)]);
    expect(rates.of('h-a', 'pnv-web')?.rxBytes).toBe(1_000);
  });

  it('forgets a port its host no longer reports', () => {
    const rates = new CounterRates();
    rates.record([sample(0, 0)]);
    rates.record([sample(1, 1_000)]);
    rates.record([]);
    rates.record([sample(2, 2_000)]);
    expect(rates.of('h-a', 'pnv-web')).toBeNull();
  });
});
