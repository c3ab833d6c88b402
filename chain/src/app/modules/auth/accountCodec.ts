/**
 * The stored form of a plain account, `Any{BaseAccount}`, encoded in one pass into one array.
 * Every tx rewrites its signers' accounts (the sequence), twice on a validator (CheckTx and the
 * block); the generic path builds three writers and three intermediate arrays for it. The
 * bytes are exactly what cosmjs-types' `Any.encode(BaseAccount...)` produces (proto3: default
 * values omitted, fields in number order), which a property test checks.
 */
import {
  bytesFieldSize,
  ExactWriter,
  lengthDelimitedSize,
  uint64FieldSize,
  utf8Field,
} from '../../../codec/exactWriter.js';

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
  // A present key is an Any (a message: written even if empty) of a PubKey{key}.
  const pkMsg = pubKey ? bytesFieldSize(pubKey.length) : 0;
  const pkAny = pubKey ? lengthDelimitedSize(pkTypeUrl) + bytesFieldSize(pkMsg) : 0;
  const base =
    bytesFieldSize(addr.length) +
    (pubKey ? lengthDelimitedSize(pkAny) : 0) +
    uint64FieldSize(accountNumber) +
    uint64FieldSize(sequence);
  const o = new ExactWriter(lengthDelimitedSize(BASE_ACCOUNT_TYPE_URL.length) + bytesFieldSize(base));
  o.byte(0x0a);
  o.varint(BASE_ACCOUNT_TYPE_URL.length);
  o.ascii(BASE_ACCOUNT_TYPE_URL);
  if (base > 0) {
    o.byte(0x12);
    o.varint(base);
    o.bytesField(0x0a, addr);
    if (pubKey) {
      o.byte(0x12);
      o.varint(pkAny);
      o.byte(0x0a);
      o.varint(pkTypeUrl);
      o.ascii(SECP256K1_PUBKEY_TYPE_URL);
      if (pkMsg > 0) {
        o.byte(0x12);
        o.varint(pkMsg);
        o.bytesField(0x0a, pubKey);
      }
    }
    o.uint64Field(0x18, accountNumber);
    o.uint64Field(0x20, sequence);
  }
  return o.finish();
}
