/**
 * cosmjs-types' `BinaryReader` copies its whole input in the constructor, which for the small
 * messages of a tx (TxRaw, TxBody, AuthInfo, MsgSend, a stored account) means one ArrayBuffer
 * allocation per decode — a measurable share of CheckTx. `readerOf` builds the same reader
 * over the bytes as they are.
 *
 * What changes: `bytes` fields of the decoded message are views into `input` rather than into a
 * private copy, so `input` must not be modified while they are in use. Hearth decodes only tx
 * bytes and stored values, which nothing modifies.
 */
import { BinaryReader } from 'cosmjs-types/binary';

export function readerOf(input: Uint8Array): BinaryReader {
  const r = Object.create(BinaryReader.prototype) as BinaryReader;
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
