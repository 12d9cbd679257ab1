/** MAC address helpers. The normal form is lowercase and colon separated: `aa:bb:cc:dd:ee:ff`. */

const MAC = /^[0-9a-f]{2}([:-])[0-9a-f]{2}(?:\1[0-9a-f]{2}){4}$/i;

/** Accepts `:` or `-` separators (one kind throughout) in any case; `null` if not a MAC. */
export const normaliseMac = (input: string): string | null =>
  MAC.test(input) ? input.toLowerCase().replaceAll('-', ':') : null;

const firstOctet = (mac: string): number => parseInt(mac.slice(0, 2), 16);

/** The I/G bit: set for multicast and broadcast. Expects a normalised MAC. */
export const isMulticastMac = (mac: string): boolean => (firstOctet(mac) & 1) === 1;

export const isZeroMac = (mac: string): boolean => mac === '00:00:00:00:00:00';

/** The U/L bit: set when the address was assigned locally, not by a vendor. */
export const isLocallyAdministeredMac = (mac: string): boolean => (firstOctet(mac) & 2) === 2;

/** 32-bit FNV-1a, enough to spread pool ids over the generated-MAC prefixes. */
const fnv1a = (text: string): number => {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  }
  return hash >>> 0;
};

const hex = (octet: number): string => octet.toString(16).padStart(2, '0');

/** How many MACs one pool can generate: the low 32 bits are a counter. */
export const MAC_SEQUENCE_LIMIT = 2 ** 32;

/**
 * The two-octet prefix of a pool's generated MACs: 14 bits of the pool id's hash, with the
 * locally administered bit set and the multicast bit clear (first octet x2, x6, xA or xE).
 */
export const generatedMacPrefix = (poolId: string): string => {
  const hash = fnv1a(poolId);
  return `${hex(((hash >>> 24) & 0xfc) | 0x02)}:${hex((hash >>> 16) & 0xff)}`;
};

/** The `sequence`-th generated MAC of a pool: its prefix, then the counter in four octets. */
export const generatedMac = (poolId: string, sequence: number): string => {
  const octets = [24, 16, 8, 0].map((shift) => hex(Math.floor(sequence / 2 ** shift) & 0xff));
  return `${generatedMacPrefix(poolId)}:${octets.join(':')}`;
};

/** The counter a normalised MAC would have been generated with in this pool, or `null`. */
export const generatedMacSequence = (poolId: string, mac: string): number | null =>
  mac.startsWith(`${generatedMacPrefix(poolId)}:`)
    ? parseInt(mac.slice(6).replaceAll(':', ''), 16)
    : null;
