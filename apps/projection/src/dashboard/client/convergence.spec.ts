import { describe, expect, it } from 'vitest';
import {
  agedHosts,
  BEHIND_AFTER_S,
  SILENT_AFTER_S,
  headVersion,
  hostHealth,
} from './convergence.js';
import { host, NOW } from './testing/fixtures.js';

const ago = (s: number) => new Date(NOW - s * 1000).toISOString();

describe('hostHealth', () => {
  it('is in sync when the host applied the head and reported recently', () => {
    expect(hostHealth(host('h'), NOW)).toMatchObject({ severity: 'ok', label: 'in sync' });
  });

  it('is red when the host never reported', () => {
    expect(hostHealth(host('h', { lastReportAt: null }), NOW)).toMatchObject({
      severity: 'bad',
      label: 'no report',
    });
  });

  it('is red when the last report is older than the silence threshold', () => {
    const silent = hostHealth(host('h', { lastReportAt: ago(SILENT_AFTER_S + 1) }), NOW);
    expect(silent).toMatchObject({ severity: 'bad', label: 'silent' });
    expect(silent.detail).toContain('31 s ago');
    const fine = hostHealth(host('h', { lastReportAt: ago(SILENT_AFTER_S - 1) }), NOW);
    expect(fine.severity).toBe('ok');
  });

  it('is amber while applying, red once behind for longer than the grace', () => {
    const applying = host('h', { lagEvents: 3, lagSeconds: BEHIND_AFTER_S - 1 });
    expect(hostHealth(applying, NOW)).toMatchObject({ severity: 'warn', label: 'applying' });
    const behind = host('h', { lagEvents: 3, lagSeconds: BEHIND_AFTER_S });
    expect(hostHealth(behind, NOW)).toMatchObject({ severity: 'bad', label: 'behind 3' });
  });

  it('is amber with drift, when otherwise converged', () => {
    expect(hostHealth(host('h', { drift: 2 }), NOW)).toMatchObject({
      severity: 'warn',
      label: 'drift 2',
    });
  });
});

describe('headVersion', () => {
  it('is applied + lag, else the pool version', () => {
    expect(headVersion(host('h', { appliedVersion: 10, lagEvents: 5 }), 99)).toBe(15);
    expect(headVersion(host('h', { appliedVersion: null, lagEvents: null }), 99)).toBe(99);
  });
});

describe('agedHosts', () => {
  it('grows the lag of hosts behind by the time since the rows were read', () => {
    const behind = host('b', { lagEvents: 2, lagSeconds: 1 });
    const synced = host('s');
    const [b, s] = agedHosts([behind, synced], NOW - 6_000, NOW);
    expect(b!.lagSeconds).toBe(7);
    expect(s).toBe(synced);
    expect(hostHealth(b!, NOW).severity).toBe('bad');
    expect(hostHealth(behind, NOW).severity).toBe('warn');
  });
});
