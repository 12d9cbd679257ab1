/**
 * OpenFlow matches a transport port by value and bit mask only, so an inclusive range becomes
 * the smallest set of aligned power-of-two blocks that covers it exactly (1024–65535 is 6 blocks).
 */
export function portRangeMasks(from: number, to: number): { value: number; mask: number }[] {
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to > 0xffff || from > to) {
    throw new RangeError(`invalid port range ${from}-${to}`);
  }
  const blocks: { value: number; mask: number }[] = [];
  let start = from;
  while (start <= to) {
    let size = 1;
    // Grow the block while it stays aligned on `start` and inside the range.
    while (start % (size * 2) === 0 && start + size * 2 - 1 <= to) size *= 2;
    blocks.push({ value: start, mask: 0xffff & ~(size - 1) });
    start += size;
  }
  return blocks;
}

export const formatMasked = ({ value, mask }: { value: number; mask: number }): string =>
  mask === 0xffff ? String(value) : `0x${value.toString(16)}/0x${mask.toString(16)}`;
