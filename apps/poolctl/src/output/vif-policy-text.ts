import type { VifQosView } from '@pool/contracts';

/*
 * QoS and port security in words: a table's `-` reads as "none", which for a VIF with rate
 * limits was wrong. `-` stays only for a value the server did not send (an older projection).
 */

/** `800 kbit/s`, `1.5 Mbit/s`, `10 Gbit/s`: rates as link speeds are read (decimal units). */
export function kbitText(kbit: number): string {
  const units = ['kbit', 'Mbit', 'Gbit', 'Tbit'];
  let value = kbit;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${Number(value.toFixed(1))} ${units[unit]}`;
}

const direction = (name: string, kbps: number, burstKb: number): string =>
  kbps === 0
    ? `${name} unlimited`
    : `${name} ${kbitText(kbps)}/s${burstKb > 0 ? ` burst ${kbitText(burstKb)}` : ''}`;

/** `in 100 Mbit/s burst 10 Mbit, out unlimited`, `none` without limits. */
export function qosText(qos: VifQosView | null | undefined): string | null {
  if (qos === undefined) return null;
  if (qos === null) return 'none';
  return `${direction('in', qos.ingressKbps, qos.ingressBurstKb)}, ${direction('out', qos.egressKbps, qos.egressBurstKb)}`;
}

export function portSecurityText(on: boolean | undefined): string | null {
  return on === undefined ? null : on ? 'on' : 'off';
}
