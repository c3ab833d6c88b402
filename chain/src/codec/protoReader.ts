/**
 * cosmjs-types' `BinaryReader` copies its whole input in the constructor, which for the small
 * messages of a tx (TxRaw, TxBody, AuthInfo, MsgSend, a stored account) means one ArrayBuffer
 * allocation per decode — a measurable share of CheckTx. `readerOf` builds the same reader
 * over the bytes as they are.
 *
 * Its `string()` also decodes ASCII without cosmjs-types' per-character array (same result).
 *
 * What changes: `bytes` fields of the decoded message are views into `input` rather than into a
 * private copy, so `input` must not be modified while they are in use. Hearth decodes only tx
 * bytes and stored values, which nothing modifies.
 */
import { BinaryReader } from 'cosmjs-types/binary';

/** Strings up to this length take the ASCII fast path (fromCharCode's argument list is bounded). */
const FAST_STRING_MAX = 1024;

/**
 * cosmjs-types' reader with a faster `string()`: addresses, denoms, amounts and type URLs are
 * ASCII, which decodes to the same string byte for byte; anything else (or long) goes through
 * the inherited UTF-8 decoder, so the result is always the one cosmjs-types gives.
 */
class AsciiFastReader extends BinaryReader {
  override string(): string {
    const start = this.pos;
    const b = this.bytes(); // bounds-checked view
    if (b.length <= FAST_STRING_MAX) {
      let ascii = true;
      for (let i = 0; i < b.length; i++) {
        if ((b[i] as number) > 0x7f) {
          ascii = false;
          break;
        }
      }
      if (ascii) return String.fromCharCode.apply(null, b as unknown as number[]);
    }
    this.pos = start;
    return super.string();
  }
}

export function readerOf(input: Uint8Array): BinaryReader {
  const r = Object.create(AsciiFastReader.prototype) as BinaryReader;
  r.buf = input;
  r.pos = 0;
  r.type = 0;
  r.len = input.length;
  return r;
}

/** `Codec.decode(input)` without the input copy (see above). */
export function decodeProto<T>(codec: { decode(input: BinaryReader): T }, input: Uint8Array): T {
  return codec.decode(readerOf(input));
}
