/**
 * Bech32 account addresses. An address is 20 bytes (ripemd160(sha256(pubkey)) for
 * secp256k1 keys, sha256(name)[:20] for module accounts); 32-byte addresses are accepted as
 * the SDK does for derived accounts.
 */
import { createHash } from 'node:crypto';
import { fromBech32, toBech32 } from '@cosmjs/encoding';
import { ErrInvalidAddress } from './errors.js';

export const BECH32_PREFIX = 'hearth';
export const VALOPER_PREFIX = 'hearthvaloper';
export const VALCONS_PREFIX = 'hearthvalcons';

/**
 * Bech32 conversions are pure but costly (checksums over 5-bit groups) and the same few thousand
 * addresses recur in every block, so both directions are memoized in bounded maps.
 */
class Memo<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly capacity: number) {}
  get(k: string): V | undefined {
    return this.map.get(k);
  }
  set(k: string, v: V): void {
    if (this.map.size >= this.capacity) this.map.clear();
    this.map.set(k, v);
  }
}
const encodeMemo = new Memo<string>(100_000);
const decodeMemo = new Memo<Uint8Array>(100_000);
const accountDecodeMemo = new Memo<Uint8Array>(100_000);

/**
 * Account-prefix encodings by address object: the same address objects (a tx's signers, decoded
 * accounts) are encoded many times per tx for events. Valid as long as the bytes are not changed
 * in place, which nothing does to an address.
 */
const byObject = new WeakMap<Uint8Array, string>();

export function addressToBech32(addr: Uint8Array, prefix = BECH32_PREFIX): string {
  const own = prefix === BECH32_PREFIX;
  if (own) {
    const hit = byObject.get(addr);
    if (hit !== undefined) return hit;
  }
  const k = `${prefix}:${Buffer.from(addr.buffer, addr.byteOffset, addr.byteLength).toString('latin1')}`;
  let s = encodeMemo.get(k);
  if (s === undefined) {
    s = toBech32(prefix, addr);
    encodeMemo.set(k, s);
  }
  if (own) byObject.set(addr, s);
  return s;
}

/**
 * Decode a bech32 address with the expected prefix, or throw ErrInvalidAddress. The bytes are
 * memoized and shared between callers: treat them as read-only, as every address in the app is.
 * (The text is not remembered as the bytes' encoding: an upper-case address decodes too, and
 * encodings must stay canonical wherever they end up in state.)
 */
export function addressFromBech32(text: string, prefix = BECH32_PREFIX): Uint8Array {
  // Account addresses (by far the most decoded) are keyed by their text alone.
  const memo = prefix === BECH32_PREFIX ? accountDecodeMemo : decodeMemo;
  const k = prefix === BECH32_PREFIX ? text : `${prefix}:${text}`;
  const hit = memo.get(k);
  if (hit) return hit;
  const addr = decodeBech32Address(text, prefix);
  memo.set(k, addr);
  return addr;
}

function decodeBech32Address(text: string, prefix: string): Uint8Array {
  if (typeof text !== 'string' || text.length === 0)
    throw ErrInvalidAddress.wrap('empty address string is not allowed');
  if (text.length > 128) throw ErrInvalidAddress.wrap('address too long');
  let decoded: { prefix: string; data: Uint8Array };
  try {
    decoded = fromBech32(text);
  } catch {
    throw ErrInvalidAddress.wrap(`invalid bech32 address ${JSON.stringify(text)}`);
  }
  if (decoded.prefix !== prefix) {
    throw ErrInvalidAddress.wrap(`invalid Bech32 prefix; expected ${prefix}, got ${decoded.prefix}`);
  }
  if (decoded.data.length !== 20 && decoded.data.length !== 32) {
    throw ErrInvalidAddress.wrap(`address length must be 20 or 32 bytes, got ${decoded.data.length}`);
  }
  return decoded.data;
}

const keyAddressMemo = new Memo<Uint8Array>(100_000);

/**
 * The account address of a compressed secp256k1 public key (memoized: the ante handler derives
 * it for every signature). The bytes are shared: treat them as read-only.
 */
export function secp256k1Address(pubkey: Uint8Array): Uint8Array {
  const k = Buffer.from(pubkey.buffer, pubkey.byteOffset, pubkey.byteLength).toString('latin1');
  let addr = keyAddressMemo.get(k);
  if (addr === undefined) {
    const sha = createHash('sha256').update(pubkey).digest();
    addr = new Uint8Array(createHash('ripemd160').update(sha).digest());
    keyAddressMemo.set(k, addr);
  }
  return addr;
}

/** A module account's address: sha256(name) truncated to 20 bytes (`authtypes.NewModuleAddress`). */
export function moduleAddress(name: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(name).digest().subarray(0, 20));
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}
