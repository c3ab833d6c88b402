/**
 * A protobuf writer that is a drop-in replacement for cosmjs-types 0.11's `BinaryWriter`
 * but encodes every 64-bit field correctly.
 *
 * Why: cosmjs-types' writer goes through a decimal-string → (lo, hi) conversion that
 * corrupts some values >= 2^31 (`Fee.encode({ gasLimit: 2n ** 31n })` decodes back as 0).
 * Anything Hearth hashes, signs, stores or sends must be encoded with `SafeBinaryWriter`,
 * most simply through `encodeProto(Codec, message)`.
 *
 * Wire format follows the protobuf encoding spec (https://protobuf.dev/programming-guides/encoding/):
 * int64/uint64 are base-128 varints of the two's-complement 64-bit value (negatives take
 * 10 bytes), sint64 is ZigZag then varint, fixed64/sfixed64 are 8 little-endian bytes.
 *
 * The writer keeps cosmjs-types' linked list of operations; we append our own operation
 * objects (anything with `len`, `next` and `proceed(buf, pos)`), so fork/ldelim keep working.
 */
import { BinaryWriter } from 'cosmjs-types/binary';
import { varint64Size } from './exactWriter.js';

type Int64Input = string | number | bigint;

const TWO_63 = 1n << 63n;
const TWO_64 = 1n << 64n;
const MASK_64 = TWO_64 - 1n;

/** The shape cosmjs-types' writer expects of an entry in its operation list. */
interface WriterOp {
  len: number;
  next?: WriterOp;
  proceed(buf: Uint8Array | number[], pos: number): void;
}

/** A varint of an unsigned 64-bit value. */
class Varint64Op implements WriterOp {
  next?: WriterOp;
  readonly len: number;
  constructor(private readonly value: bigint) {
    this.len = varint64Size(value);
  }
  proceed(buf: Uint8Array | number[], pos: number): void {
    let v = this.value;
    let p = pos;
    while (v > 0x7fn) {
      buf[p++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    buf[p] = Number(v);
  }
}

/** Eight little-endian bytes of an unsigned 64-bit value. */
class Fixed64Op implements WriterOp {
  next?: WriterOp;
  readonly len = 8;
  constructor(private readonly value: bigint) {}
  proceed(buf: Uint8Array | number[], pos: number): void {
    let v = this.value;
    for (let i = 0; i < 8; i++) {
      buf[pos + i] = Number(v & 0xffn);
      v >>= 8n;
    }
  }
}

/** Converts writer input to a bigint, refusing anything that is not an integer. */
function toBigInt(value: Int64Input, kind: string): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) {
      throw new RangeError(`${kind}: ${value} is not a safe integer; pass a bigint or a decimal string`);
    }
    return BigInt(value);
  }
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  throw new TypeError(
    `${kind}: expected an integer (bigint, number or decimal string), got ${JSON.stringify(value)}`,
  );
}

function checkSigned(v: bigint, kind: string): bigint {
  if (v < -TWO_63 || v >= TWO_63) throw new RangeError(`${kind}: ${v} is outside the signed 64-bit range`);
  return v;
}

function checkUnsigned(v: bigint, kind: string): bigint {
  if (v < 0n || v >= TWO_64) throw new RangeError(`${kind}: ${v} is outside the unsigned 64-bit range`);
  return v;
}

/**
 * `BinaryWriter` with correct 64-bit encoders. Out-of-range or non-integer inputs throw
 * (`RangeError`/`TypeError`) instead of wrapping silently.
 */
export class SafeBinaryWriter extends BinaryWriter {
  constructor() {
    super();
    // cosmjs-types assigns these two as instance fields in its constructor (aliases of
    // int64/fixed64), which would shadow our prototype methods; point them at ours.
    this.uint64 = (value: Int64Input) => this.writeUint64(value);
    this.sfixed64 = (value: Int64Input) => this.writeSfixed64(value);
  }

  static override create(): SafeBinaryWriter {
    return new SafeBinaryWriter();
  }

  private pushOp(op: WriterOp): this {
    const tail = this.tail as WriterOp;
    tail.next = op;
    this.tail = op;
    this.len += op.len;
    return this;
  }

  override int32(value: number): this {
    if (!Number.isInteger(value)) throw new TypeError(`int32: ${value} is not an integer`);
    if (value >= 0) {
      this.uint32(value);
      return this;
    }
    // Negative int32 is sign-extended to 64 bits on the wire (10 bytes).
    return this.pushOp(new Varint64Op(BigInt(value) & MASK_64));
  }

  override int64(value: Int64Input): this {
    const v = checkSigned(toBigInt(value, 'int64'), 'int64');
    return this.pushOp(new Varint64Op(v & MASK_64));
  }

  private writeUint64(value: Int64Input): this {
    const v = checkUnsigned(toBigInt(value, 'uint64'), 'uint64');
    return this.pushOp(new Varint64Op(v));
  }

  override sint64(value: Int64Input): this {
    const v = checkSigned(toBigInt(value, 'sint64'), 'sint64');
    const zigzag = v >= 0n ? v << 1n : (-v << 1n) - 1n;
    return this.pushOp(new Varint64Op(zigzag));
  }

  override fixed64(value: Int64Input): this {
    const v = checkUnsigned(toBigInt(value, 'fixed64'), 'fixed64');
    return this.pushOp(new Fixed64Op(v));
  }

  private writeSfixed64(value: Int64Input): this {
    const v = checkSigned(toBigInt(value, 'sfixed64'), 'sfixed64');
    return this.pushOp(new Fixed64Op(v & MASK_64));
  }

  /** Like the base `finish`, but always returns a fresh, unshared buffer (the base class
   * hands out slices of a pooled 8 KiB slab, which is a trap for code that keeps `.buffer`). */
  override finish(): Uint8Array {
    const out = new Uint8Array(this.len);
    let op = (this.head as WriterOp).next;
    let pos = 0;
    while (op) {
      op.proceed(out, pos);
      pos += op.len;
      op = op.next;
    }
    return out;
  }
}

/** Anything with a cosmjs-types style `encode(message, writer?)`. */
export interface ProtoEncoder<T> {
  encode(message: T, writer?: BinaryWriter): BinaryWriter;
}

/**
 * Encodes `message` with `SafeBinaryWriter`. Generated encoders pass the writer they are
 * given down to every nested message, so nested 64-bit fields are encoded safely too.
 */
export function encodeProto<T>(codec: ProtoEncoder<T>, message: T): Uint8Array {
  return codec.encode(message, new SafeBinaryWriter()).finish();
}
