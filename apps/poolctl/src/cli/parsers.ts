import { InvalidArgumentError } from 'commander';
import { type PifInventory } from '../requests/master-requests.js';

/*
 * Parsers of option values. Each throws commander's InvalidArgumentError, which commander
 * reports as a usage error naming the option. Ranges the pool enforces (MTU, VLAN, MAC…) are
 * left to the master, so one rule lives in one place; only the syntax is checked here.
 */

const INTEGER = /^-?\d+$/;

export function integer(value: string): number {
  if (!INTEGER.test(value.trim())) throw new InvalidArgumentError(`'${value}' is not an integer.`);
  return Number(value);
}

export function positiveSeconds(value: string): number {
  const seconds = Number(value);
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds <= 0) {
    throw new InvalidArgumentError(`'${value}' is not a positive number of seconds.`);
  }
  return seconds;
}

export function commaList(value: string): string[] {
  const items = value.split(',').map((item) => item.trim());
  if (items.some((item) => item === '')) {
    throw new InvalidArgumentError(`'${value}' is not a comma-separated list.`);
  }
  return items;
}

/** Appends each occurrence of a repeatable option, parsed. */
export const repeatable =
  <T>(parse: (value: string) => T) =>
  (value: string, previous: T[] | undefined): T[] => [...(previous ?? []), parse(value)];

const PIF_KEYS = ['device', 'mac', 'mtu', 'speed', 'carrier'] as const;

/** `device=eth0,mac=52:54:00:12:34:56[,mtu=1500][,speed=1000][,carrier=up|down]` */
export function pifSpec(value: string): PifInventory {
  const fields = new Map<string, string>();
  for (const part of value.split(',')) {
    const [key, ...rest] = part.split('=');
    const name = key?.trim() ?? '';
    if (!(PIF_KEYS as readonly string[]).includes(name) || rest.length === 0) {
      throw new InvalidArgumentError(
        `'${part}' is not one of ${PIF_KEYS.map((k) => `${k}=`).join(', ')}.`,
      );
    }
    fields.set(name, rest.join('=').trim());
  }
  const device = fields.get('device');
  const mac = fields.get('mac');
  if (!device || !mac) throw new InvalidArgumentError('a PIF needs device= and mac=.');
  const carrier = fields.get('carrier') ?? 'up';
  if (carrier !== 'up' && carrier !== 'down') {
    throw new InvalidArgumentError(`carrier must be up or down, not '${carrier}'.`);
  }
  return {
    device,
    mac,
    mtu: integer(fields.get('mtu') ?? '1500'),
    speedMbps: integer(fields.get('speed') ?? '1000'),
    carrier: carrier === 'up',
  };
}

/** `RATE[/BURST]` in kbit/s and kbit; 0 is unlimited. */
export function rateSpec(value: string): { kbps: number; burstKb: number } {
  const match = /^\s*(\d+)\s*(?:\/\s*(\d+)\s*)?$/.exec(value);
  if (!match) {
    throw new InvalidArgumentError(
      `'${value}' is not RATE[/BURST] (kbit/s, kbit), e.g. 100000/10000.`,
    );
  }
  return { kbps: Number(match[1]), burstKb: Number(match[2] ?? 0) };
}

/** `443` or `8000-8080`. */
export function portRange(value: string): { portFrom: number; portTo: number } {
  const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(value);
  if (!match) throw new InvalidArgumentError(`'${value}' is not PORT or FROM-TO.`);
  const portFrom = Number(match[1]);
  return { portFrom, portTo: match[2] === undefined ? portFrom : Number(match[2]) };
}
