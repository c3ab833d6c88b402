/**
 * The stored form of a plain account, `Any{BaseAccount}`, encoded in one pass into one array.
 * Every tx rewrites its signers' accounts (the sequence), twice on a validator (CheckTx and the
 * block); the generic path builds three writers and three intermediate arrays for it. The
 * bytes are exactly what cosmjs-types' `Any.encode(BaseAccount...)` produces (proto3: default
 * values omitted, fields in number order), which a property test checks.
 */
import { ExactWriter, lengthDelimited, utf8Field, varint64Size } from '../../../codec/exactWriter.js';

const BASE_ACCOUNT_TYPE_URL = '/cosmos.auth.v1beta1.BaseAccount';
const SECP256K1_PUBKEY_TYPE_URL = '/cosmos.crypto.secp256k1.PubKey';
/** uint64 fields: the values must be in [0, 2^64). */
export function encodeBaseAccountAny(
  address: string,
  pubKey: Uint8Array | undefined,
  accountNumber: bigint,
  sequence: bigint,
): Uint8Array {
  if (accountNumber < 0n || accountNumber >= 1n << 64n || sequence < 0n || sequence >= 1n << 64n) {
    throw new RangeError('account number and sequence must be uint64');
  }
  const addr = utf8Field(address);
  const pkTypeUrl = SECP256K1_PUBKEY_TYPE_URL.length;
  // PubKey{key} inside Any{type_url, value}
  const pkMsg = pubKey && pubKey.length > 0 ? lengthDelimited(pubKey.length) : 0;
  const pkAny = pubKey ? lengthDelimited(pkTypeUrl) + (pkMsg > 0 ? lengthDelimited(pkMsg) : 0) : 0;
  const base =
    (addr.length > 0 ? lengthDelimited(addr.length) : 0) +
    (pubKey ? lengthDelimited(pkAny) : 0) +
    (accountNumber !== 0n ? 1 + varint64Size(accountNumber) : 0) +
    (sequence !== 0n ? 1 + varint64Size(sequence) : 0);
  const total = lengthDelimited(BASE_ACCOUNT_TYPE_URL.length) + (base > 0 ? lengthDelimited(base) : 0);

  const o = new ExactWriter(total);
  o.byte(0x0a);
  o.varint(BASE_ACCOUNT_TYPE_URL.length);
  o.ascii(BASE_ACCOUNT_TYPE_URL);
  if (base > 0) {
    o.byte(0x12);
    o.varint(base);
    if (addr.length > 0) {
      o.byte(0x0a);
      o.varint(addr.length);
      o.bytes(addr);
    }
    if (pubKey) {
      o.byte(0x12);
      o.varint(pkAny);
      o.byte(0x0a);
      o.varint(pkTypeUrl);
      o.ascii(SECP256K1_PUBKEY_TYPE_URL);
      if (pkMsg > 0) {
        o.byte(0x12);
        o.varint(pkMsg);
        o.byte(0x0a);
        o.varint(pubKey.length);
        o.bytes(pubKey);
      }
    }
    if (accountNumber !== 0n) {
      o.byte(0x18);
      o.varint64(accountNumber);
    }
    if (sequence !== 0n) {
      o.byte(0x20);
      o.varint64(sequence);
    }
  }
  return o.finish();
}
