/**
 * Byte helpers shared by the store: bytewise comparison, varints (protobuf encoding, as IAVL and
 * ics23 use them) and the SHA-256 primitive.
 */
import { hash as nodeHash } from 'node:crypto';

/**
 * SHA-256 through node:crypto's one-shot hash (the cheapest native call for small inputs),
 * returned as a plain Uint8Array (a Buffer's `slice` would share memory, not copy).
 */
export function sha256(data: Uint8Array): Uint8Array {
  const h = nodeHash('sha256', data, 'buffer');
  return new Uint8Array(h.buffer, h.byteOffset, h.byteLength);
}

export const EMPTY_HASH: Uint8Array = sha256(new Uint8Array(0));

/**
 * SHA-256 as a 32-character latin1 string: node:crypto returns it ~2.5x faster than a Buffer,
 * and a string is one small heap object, which keeps millions of cached node hashes cheap
 * for the garbage collector.
 */
export function sha256Str(data: Uint8Array): string {
  return nodeHash('sha256', data, 'binary');
}

export function strToBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

export function bytesToStr(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
}

/** Bytewise (unsigned, lexicographic) comparison: negative, zero or positive. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** A bytewise-ordered string form of a key: one char per byte, so `<` on strings is bytewise. */
export function keyString(key: Uint8Array): string {
  // fromCharCode avoids touching `key.buffer`, which would move a small on-heap typed array's
  // bytes off-heap (costly for the garbage collector when millions of keys are live).
  if (key.length <= 1024) return String.fromCharCode.apply(null, key as unknown as number[]);
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1');
}

export function keyFromString(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'latin1'));
}

/**
 * Growable byte buffer with protobuf-style varints. Numbers must be non-negative safe integers
 * for `uvarint` (up to 2^53-1); `svarint` applies zigzag first (Go's `binary.PutVarint`).
 */
export class ByteWriter {
  buf: Uint8Array;
  pos = 0;
  constructor(initial = 256) {
    this.buf = new Uint8Array(initial);
  }
  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }
  reset(): void {
    this.pos = 0;
  }
  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }
  uvarint(n: number): void {
    this.ensure(10);
    const buf = this.buf;
    let v = n;
    while (v >= 0x80) {
      buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    buf[this.pos++] = v;
  }
  /** Zigzag varint of a signed safe integer (Go's `binary.PutVarint`). */
  svarint(n: number): void {
    if (n < 2 ** 52 && n > -(2 ** 52)) {
      this.uvarint(n >= 0 ? n * 2 : -n * 2 - 1);
      return;
    }
    // The zigzag form no longer fits a double exactly.
    let z = n >= 0 ? BigInt(n) * 2n : -BigInt(n) * 2n - 1n;
    this.ensure(10);
    while (z >= 0x80n) {
      this.buf[this.pos++] = Number(z & 0x7fn) | 0x80;
      z >>= 7n;
    }
    this.buf[this.pos++] = Number(z);
  }
  raw(bytes: Uint8Array): void {
    const n = bytes.length;
    this.ensure(n);
    if (n > 48) {
      this.buf.set(bytes, this.pos);
      this.pos += n;
      return;
    }
    // A plain loop beats TypedArray#set for the short keys, values and hashes written here.
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) buf[p++] = bytes[i] as number;
    this.pos = p;
  }
  /** The bytes of a latin1 string (one byte per char). */
  latin1(str: string): void {
    this.ensure(str.length);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < str.length; i++) buf[p++] = str.charCodeAt(i);
    this.pos = p;
  }
  /** uvarint length prefix, then the bytes. */
  bytes(bytes: Uint8Array): void {
    this.uvarint(bytes.length);
    this.raw(bytes);
  }
  u32be(n: number): void {
    this.ensure(4);
    this.buf[this.pos++] = (n >>> 24) & 0xff;
    this.buf[this.pos++] = (n >>> 16) & 0xff;
    this.buf[this.pos++] = (n >>> 8) & 0xff;
    this.buf[this.pos++] = n & 0xff;
  }
  /** A copy of what was written. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
  view(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

/** Reader for ByteWriter output; every read checks bounds and throws a clear error. */
export class ByteReader {
  pos = 0;
  constructor(
    readonly buf: Uint8Array,
    readonly what = 'record',
  ) {}
  get done(): boolean {
    return this.pos >= this.buf.length;
  }
  private fail(msg: string): never {
    throw new Error(`corrupt ${this.what}: ${msg} at byte ${this.pos}`);
  }
  byte(): number {
    if (this.pos >= this.buf.length) this.fail('unexpected end');
    return this.buf[this.pos++] as number;
  }
  uvarint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.byte();
      result += (b & 0x7f) * mul;
      if (b < 0x80) {
        if (!Number.isSafeInteger(result)) this.fail('varint out of range');
        return result;
      }
      mul *= 0x80;
    }
    return this.fail('varint too long');
  }
  svarint(): number {
    let z = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const b = this.byte();
      z |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) {
        const v = z % 2n === 0n ? z / 2n : -(z + 1n) / 2n;
        if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER))
          this.fail('varint out of range');
        return Number(v);
      }
    }
    return this.fail('varint too long');
  }
  raw(n: number): Uint8Array {
    if (n < 0 || this.pos + n > this.buf.length) this.fail(`length ${n} past end`);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  bytes(): Uint8Array {
    return this.raw(this.uvarint());
  }
  u32be(): number {
    const b = this.raw(4);
    return (
      (((b[0] as number) << 24) | ((b[1] as number) << 16) | ((b[2] as number) << 8) | (b[3] as number)) >>> 0
    );
  }
}
