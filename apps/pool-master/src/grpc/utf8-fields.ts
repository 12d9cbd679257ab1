/*
 * protobufjs decodes a string field's bytes leniently: bytes that are not UTF-8 become U+FFFD,
 * so `café` sent in Latin-1 would be stored as `caf�` (REST and NATS refuse such bodies). The
 * request's raw bytes are checked here, before that decoding, field by field.
 */

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The numbers of the length-delimited fields of a protobuf message whose bytes are not UTF-8
 * (every such field of CommandRequest is a string). Undefined when the bytes are not a well
 * formed message: the proto decoder then refuses them itself.
 */
export function nonUtf8Fields(message: Uint8Array): number[] | undefined {
  const bad: number[] = [];
  let at = 0;
  const varint = (): number | undefined => {
    let value = 0;
    for (let shift = 0; shift < 64; shift += 7) {
      if (at >= message.length) return undefined;
      const byte = message[at++]!;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
    return undefined;
  };
  while (at < message.length) {
    const tag = varint();
    if (tag === undefined) return undefined;
    const wireType = tag % 8;
    if (wireType === 0) {
      if (varint() === undefined) return undefined;
    } else if (wireType === 1 || wireType === 5) {
      at += wireType === 1 ? 8 : 4;
    } else if (wireType === 2) {
      const length = varint();
      if (length === undefined || at + length > message.length) return undefined;
      if (!isUtf8(message.subarray(at, at + length))) bad.push(Math.floor(tag / 8));
      at += length;
    } else {
      return undefined;
    }
  }
  return at === message.length ? bad : undefined;
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    utf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}
