/**
 * OVSDB's JSON-RPC (RFC 7047 §4) sends JSON texts back to back on the stream, with no length
 * prefix and no delimiter, so a reader splits them by nesting depth. `{`, `}`, `"` and `\` are
 * ASCII and never occur inside a UTF-8 multi-byte sequence, so the split works on bytes and a
 * character cut between two chunks is decoded whole once its message is complete.
 */
export class JsonStreamSplitter {
  private pending: Buffer[] = [];
  private depth = 0;
  private inString = false;
  private escaped = false;

  /** The complete JSON texts `chunk` ends, parsed, in order. */
  push(chunk: Buffer): unknown[] {
    const messages: unknown[] = [];
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (byte === BACKSLASH) this.escaped = true;
        else if (byte === QUOTE) this.inString = false;
        continue;
      }
      if (byte === QUOTE) this.inString = true;
      else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) this.depth++;
      else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
        if (--this.depth === 0) {
          this.pending.push(chunk.subarray(start, i + 1));
          const text = Buffer.concat(this.pending).toString('utf8');
          this.pending = [];
          start = i + 1;
          messages.push(JSON.parse(text));
        }
      } else if (this.depth === 0 && !isWhitespace(byte)) {
        throw new Error(`OVSDB stream: unexpected byte ${byte} between messages`);
      }
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      // Whitespace between messages is not kept (it would only grow the next message's text).
      if (this.depth > 0 || this.inString) this.pending.push(Buffer.from(rest));
    }
    return messages;
  }

  reset(): void {
    this.pending = [];
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const isWhitespace = (byte: number): boolean =>
  byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
