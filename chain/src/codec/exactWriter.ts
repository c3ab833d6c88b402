/**
 * Protobuf encoding in one pass into one exactly-sized array, for the few messages written
 * once or twice per tx (stored accounts, sign bytes), where the generic writers' operation
 * lists and intermediate arrays cost more than the encoding. Callers compute sizes with the
 * helpers below, write fields in number order, and check against the generic encoder in tests.
 */
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    size++;
  }
  return size;
}

/** Size of a uint64 varint; `v` must be in [0, 2^64). */
export function varint64Size(v: bigint): number {
  if (v <= MAX_SAFE) return varintSize(Number(v));
  let size = 1;
  while (v >= 0x80n) {
    v >>= 7n;
    size++;
  }
  return size;
}

/** Size of a length-delimited field (one-byte tag) with `len` bytes of content. */
export const lengthDelimitedSize = (len: number): number => 1 + varintSize(len) + len;

/** Size of a proto3 `bytes`/`string` field: nothing when empty. */
export const bytesFieldSize = (len: number): number => (len > 0 ? lengthDelimitedSize(len) : 0);

/** Size of a proto3 `uint64` field (one-byte tag): nothing when zero. */
export const uint64FieldSize = (v: bigint): number => (v !== 0n ? 1 + varint64Size(v) : 0);

const UTF8 = new TextEncoder();

/** UTF-8 length of `s`: its length when it is ASCII (no encoder call), else Buffer.byteLength. */
export function utf8Length(s: string): number {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return Buffer.byteLength(s, 'utf8');
  return s.length;
}

/** The UTF-8 bytes of `s`: ASCII (addresses, chain ids) without a TextEncoder call. */
export function utf8Field(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) return UTF8.encode(s);
    out[i] = c;
  }
  return out;
}

export class ExactWriter {
  pos = 0;
  readonly buf: Uint8Array;
  constructor(size: number) {
    this.buf = new Uint8Array(size);
  }
  byte(b: number): void {
    this.buf[this.pos++] = b;
  }
  varint(n: number): void {
    while (n >= 0x80) {
      this.buf[this.pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.pos++] = n;
  }
  varint64(v: bigint): void {
    if (v <= MAX_SAFE) {
      this.varint(Number(v));
      return;
    }
    while (v >= 0x80n) {
      this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
  }
  bytes(b: Uint8Array): void {
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  /** A proto3 `bytes`/`string` field: tag, length, content; nothing when empty. */
  bytesField(tag: number, b: Uint8Array): void {
    if (b.length === 0) return;
    this.byte(tag);
    this.varint(b.length);
    this.bytes(b);
  }
  /** A proto3 `uint64` field: tag and varint; nothing when zero. */
  uint64Field(tag: number, v: bigint): void {
    if (v === 0n) return;
    this.byte(tag);
    this.varint64(v);
  }
  /** A string known to be ASCII (type URLs). */
  ascii(s: string): void {
    for (let i = 0; i < s.length; i++) this.buf[this.pos++] = s.charCodeAt(i);
  }
  /** The array, after checking that exactly its size was written. */
  finish(): Uint8Array {
    if (this.pos !== this.buf.length)
      throw new Error(`encoder wrote ${this.pos} of ${this.buf.length} bytes`);
    return this.buf;
  }
}
