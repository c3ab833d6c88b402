/**
 * ABCI socket framing, CometBFT v0.38 (`abci/types/messages.go` → `libs/protoio` delimited
 * reader/writer): every message is `uvarint(len(body)) || body`, where the prefix is an
 * unsigned LEB128 varint (v0.34 used a signed zigzag varint; v0.38 does not) and `body` is a
 * protobuf `tendermint.abci.Request` or `Response`.
 */

/** CometBFT v0.38's `maxMsgSize` in `abci/types/messages.go`: 100 MiB. */
export const DEFAULT_MAX_MESSAGE_BYTES = 104_857_600;

/** A byte stream that cannot be split into ABCI frames; the connection must be dropped. */
export class FrameError extends Error {
  override name = 'FrameError';
}

const MAX_VARINT_BYTES = 10;

/** Prefixes `body` with its length as an unsigned varint. */
export function encodeFrame(body: Uint8Array): Uint8Array {
  const prefix: number[] = [];
  let n = body.length;
  while (n > 0x7f) {
    prefix.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  prefix.push(n);
  const out = new Uint8Array(prefix.length + body.length);
  out.set(prefix, 0);
  out.set(body, prefix.length);
  return out;
}

/**
 * Incremental frame splitter. Feed it chunks as they arrive; it returns every complete body.
 * Memory for a body is allocated once its length is known (and only if within the limit), so
 * a large message arriving in many chunks is copied once, and a hostile length prefix costs
 * nothing.
 */
export class FrameDecoder {
  private prefixValue = 0;
  private prefixBytes = 0;
  private body: Uint8Array | undefined;
  private filled = 0;

  constructor(readonly maxMessageBytes: number = DEFAULT_MAX_MESSAGE_BYTES) {
    if (!Number.isSafeInteger(maxMessageBytes) || maxMessageBytes < 0) {
      throw new RangeError(`maxMessageBytes must be a non-negative safe integer, got ${maxMessageBytes}`);
    }
  }

  /** True when no partial frame is buffered. */
  get idle(): boolean {
    return this.body === undefined && this.prefixBytes === 0;
  }

  /** Returns the complete frame bodies in `chunk` (plus what was buffered). Throws
   * `FrameError` on a malformed or oversize length prefix; the decoder is then unusable. */
  push(chunk: Uint8Array): Uint8Array[] {
    const frames: Uint8Array[] = [];
    let i = 0;
    while (i < chunk.length) {
      if (this.body === undefined) {
        const byte = chunk[i++] as number;
        if (this.prefixBytes >= MAX_VARINT_BYTES) throw new FrameError('length prefix varint is too long');
        this.prefixValue += (byte & 0x7f) * 2 ** (7 * this.prefixBytes);
        this.prefixBytes++;
        if (this.prefixValue > this.maxMessageBytes) {
          throw new FrameError(
            `message length exceeds the maximum of ${this.maxMessageBytes} bytes (prefix says at least ${this.prefixValue})`,
          );
        }
        if (byte & 0x80) continue;
        const length = this.prefixValue;
        this.prefixValue = 0;
        this.prefixBytes = 0;
        if (length === 0) {
          frames.push(new Uint8Array(0));
          continue;
        }
        this.body = new Uint8Array(length);
        this.filled = 0;
        continue;
      }
      const take = Math.min(this.body.length - this.filled, chunk.length - i);
      this.body.set(chunk.subarray(i, i + take), this.filled);
      this.filled += take;
      i += take;
      if (this.filled === this.body.length) {
        frames.push(this.body);
        this.body = undefined;
        this.filled = 0;
      }
    }
    return frames;
  }
}
