/**
 * Protobuf wire helpers for the CometBFT v0.38 types.
 *
 * Encoding goes through `@bufbuild/protobuf/wire`'s `BinaryWriter`, which encodes every 64-bit
 * value correctly (cosmjs-types' writer does not). The helpers below follow proto3 / gogoproto
 * rules as CometBFT's generated Go code applies them: scalar fields equal to their default are
 * omitted, while gogoproto `nullable=false` message fields are always written (an empty one as a
 * zero-length field), which is why callers choose between `message` and `optionalMessage`.
 *
 * Decoding is strict: a truncated field, a wire type that does not match a known field, a
 * length beyond the remaining input, or an integer outside its declared type is a
 * `DecodeError`. Unknown fields are skipped, as every protobuf decoder (and CometBFT) does.
 */
import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { DecodeError } from './errors.js';

export { BinaryWriter, WireType };

export const INT64_MIN = -(1n << 63n);
export const INT64_MAX = (1n << 63n) - 1n;
export const UINT64_MAX = (1n << 64n) - 1n;
export const INT32_MIN = -0x80000000;
export const INT32_MAX = 0x7fffffff;
export const UINT32_MAX = 0xffffffff;

/** Largest single message or bytes field any decoder here accepts (CometBFT's max block is 100 MiB). */
export const MAX_DECODE_BYTES = 104_857_600 + 1_048_576;

function checkInt64(v: bigint, what: string): bigint {
  if (typeof v !== 'bigint' || v < INT64_MIN || v > INT64_MAX) {
    throw new RangeError(`${what}: ${String(v)} is not an int64`);
  }
  return v;
}

function checkUint64(v: bigint, what: string): bigint {
  if (typeof v !== 'bigint' || v < 0n || v > UINT64_MAX) {
    throw new RangeError(`${what}: ${String(v)} is not a uint64`);
  }
  return v;
}

function checkInt32(v: number, what: string): number {
  if (!Number.isInteger(v) || v < INT32_MIN || v > INT32_MAX) {
    throw new RangeError(`${what}: ${String(v)} is not an int32`);
  }
  return v;
}

function checkUint32(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > UINT32_MAX) {
    throw new RangeError(`${what}: ${String(v)} is not a uint32`);
  }
  return v;
}

/** Writes an int64 varint field unless it is 0. */
export function writeInt64(w: BinaryWriter, field: number, v: bigint, what = `field ${field}`): void {
  checkInt64(v, what);
  if (v !== 0n) w.tag(field, WireType.Varint).int64(v);
}

/** Writes a uint64 varint field unless it is 0. */
export function writeUint64(w: BinaryWriter, field: number, v: bigint, what = `field ${field}`): void {
  checkUint64(v, what);
  if (v !== 0n) w.tag(field, WireType.Varint).uint64(v);
}

/** Writes an int32 (or enum) varint field unless it is 0; negatives take 10 bytes, as in Go. */
export function writeInt32(w: BinaryWriter, field: number, v: number, what = `field ${field}`): void {
  checkInt32(v, what);
  if (v !== 0) w.tag(field, WireType.Varint).int32(v);
}

/** Writes a uint32 varint field unless it is 0. */
export function writeUint32(w: BinaryWriter, field: number, v: number, what = `field ${field}`): void {
  checkUint32(v, what);
  if (v !== 0) w.tag(field, WireType.Varint).uint32(v);
}

/** Writes an sfixed64 field unless it is 0. */
export function writeSfixed64(w: BinaryWriter, field: number, v: bigint, what = `field ${field}`): void {
  checkInt64(v, what);
  if (v !== 0n) w.tag(field, WireType.Bit64).sfixed64(v);
}

/** Writes a bytes field unless it is empty. */
export function writeBytes(w: BinaryWriter, field: number, v: Uint8Array): void {
  if (v.length > 0) w.tag(field, WireType.LengthDelimited).bytes(v);
}

/** Writes one element of a repeated bytes field (always, even when empty). */
export function writeRepeatedBytes(w: BinaryWriter, field: number, v: Uint8Array): void {
  w.tag(field, WireType.LengthDelimited).bytes(v);
}

/** Writes a string field unless it is empty. */
export function writeString(w: BinaryWriter, field: number, v: string): void {
  if (v.length > 0) w.tag(field, WireType.LengthDelimited).string(v);
}

/** Writes an embedded message field always (gogoproto `nullable=false`, or a repeated element). */
export function writeMessage<T>(
  w: BinaryWriter,
  field: number,
  v: T,
  encodeInto: (w: BinaryWriter, v: T) => void,
): void {
  w.tag(field, WireType.LengthDelimited).fork();
  encodeInto(w, v);
  w.join();
}

/** Writes an embedded message field only when present (a Go pointer field). */
export function writeOptionalMessage<T>(
  w: BinaryWriter,
  field: number,
  v: T | undefined,
  encodeInto: (w: BinaryWriter, v: T) => void,
): void {
  if (v !== undefined) writeMessage(w, field, v, encodeInto);
}

/** Runs an encoder into a fresh writer and returns the bytes. */
export function encodeWith<T>(encodeInto: (w: BinaryWriter, v: T) => void, v: T): Uint8Array {
  const w = new BinaryWriter();
  encodeInto(w, v);
  return w.finish();
}

/** Unsigned LEB128 varint, as Go's `binary.PutUvarint` (the length prefix of `protoio.MarshalDelimited`). */
export function encodeUvarint(n: number): Uint8Array {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Uint8Array.from(out);
}

/** Prefixes a message with its uvarint length, as CometBFT's `protoio.MarshalDelimited`. */
export function lengthDelimited(bytes: Uint8Array): Uint8Array {
  const prefix = encodeUvarint(bytes.length);
  const out = new Uint8Array(prefix.length + bytes.length);
  out.set(prefix, 0);
  out.set(bytes, prefix.length);
  return out;
}

const WIRE_NAMES = ['varint', 'fixed64', 'length-delimited', 'start-group', 'end-group', 'fixed32'];

/**
 * A strict field-by-field reader over one message's bytes. Use as
 * `for (let f = r.next(); f !== 0; f = r.next()) switch (f) { ... default: r.skip(); }`.
 */
export class ProtoReader {
  private readonly r: BinaryReader;
  private wire: WireType = WireType.Varint;
  private field = 0;

  constructor(
    private readonly buf: Uint8Array,
    private readonly what: string,
  ) {
    if (buf.length > MAX_DECODE_BYTES) {
      throw new DecodeError(`${what}: ${buf.length} bytes exceeds the ${MAX_DECODE_BYTES}-byte limit`);
    }
    this.r = new BinaryReader(buf);
  }

  private fail(message: string): never {
    throw new DecodeError(`${this.what}: ${message}`);
  }

  /** Reads the next tag and returns its field number, or 0 at the end of the message. */
  next(): number {
    if (this.r.pos >= this.buf.length) return 0;
    try {
      const [field, wire] = this.r.tag();
      this.field = field;
      this.wire = wire;
    } catch (e) {
      this.fail(`bad tag at byte ${this.r.pos}: ${(e as Error).message}`);
    }
    return this.field;
  }

  private expect(wire: WireType): void {
    if (this.wire !== wire) {
      this.fail(
        `field ${this.field} has wire type ${WIRE_NAMES[this.wire] ?? this.wire}, expected ${WIRE_NAMES[wire]}`,
      );
    }
  }

  private varint(): bigint {
    const start = this.r.pos;
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      const b = this.buf[this.r.pos];
      if (b === undefined) this.fail(`truncated varint in field ${this.field}`);
      this.r.pos++;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) {
        if (i === 9 && b > 1) this.fail(`varint in field ${this.field} overflows 64 bits`);
        return result;
      }
      shift += 7n;
    }
    this.r.pos = start;
    return this.fail(`varint in field ${this.field} is longer than 10 bytes`);
  }

  /** int64 varint (two's complement). */
  int64(): bigint {
    this.expect(WireType.Varint);
    return BigInt.asIntN(64, this.varint());
  }

  uint64(): bigint {
    this.expect(WireType.Varint);
    return this.varint();
  }

  /** int32 or enum varint; a value outside int32 is rejected rather than truncated. */
  int32(): number {
    this.expect(WireType.Varint);
    const v = BigInt.asIntN(64, this.varint());
    if (v < BigInt(INT32_MIN) || v > BigInt(INT32_MAX))
      this.fail(`field ${this.field}: ${v} is not an int32`);
    return Number(v);
  }

  uint32(): number {
    this.expect(WireType.Varint);
    const v = this.varint();
    if (v > BigInt(UINT32_MAX)) this.fail(`field ${this.field}: ${v} is not a uint32`);
    return Number(v);
  }

  sfixed64(): bigint {
    this.expect(WireType.Bit64);
    if (this.r.pos + 8 > this.buf.length) this.fail(`truncated fixed64 in field ${this.field}`);
    const view = new DataView(this.buf.buffer, this.buf.byteOffset + this.r.pos, 8);
    this.r.pos += 8;
    return view.getBigInt64(0, true);
  }

  /** A length-delimited field's bytes (a view into the input, copied by callers that keep it). */
  bytes(maxLength = MAX_DECODE_BYTES): Uint8Array {
    this.expect(WireType.LengthDelimited);
    const len = this.varint();
    const remaining = this.buf.length - this.r.pos;
    if (len > BigInt(remaining)) {
      this.fail(`field ${this.field} claims ${len} bytes but only ${remaining} remain`);
    }
    if (len > BigInt(maxLength)) this.fail(`field ${this.field} is ${len} bytes, limit ${maxLength}`);
    const start = this.r.pos;
    this.r.pos += Number(len);
    return this.buf.subarray(start, this.r.pos);
  }

  /** A bytes field copied out of the input buffer. */
  bytesCopy(maxLength = MAX_DECODE_BYTES): Uint8Array {
    return Uint8Array.from(this.bytes(maxLength));
  }

  /** A string field; invalid UTF-8 is rejected (Go would keep the raw bytes; we refuse them). */
  string(maxLength = MAX_DECODE_BYTES): string {
    const raw = this.bytes(maxLength);
    try {
      return STRICT_UTF8.decode(raw);
    } catch {
      return this.fail(`field ${this.field} is not valid UTF-8`);
    }
  }

  /** Skips a field of any (non-group) wire type, checking it is complete. */
  skip(): void {
    switch (this.wire) {
      case WireType.Varint:
        this.varint();
        return;
      case WireType.Bit64:
        if (this.r.pos + 8 > this.buf.length) this.fail(`truncated fixed64 in field ${this.field}`);
        this.r.pos += 8;
        return;
      case WireType.Bit32:
        if (this.r.pos + 4 > this.buf.length) this.fail(`truncated fixed32 in field ${this.field}`);
        this.r.pos += 4;
        return;
      case WireType.LengthDelimited:
        this.bytes();
        return;
      default:
        this.fail(`field ${this.field} uses unsupported wire type ${WIRE_NAMES[this.wire] ?? this.wire}`);
    }
  }
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes with `fn`, turning any stray exception into a DecodeError that names the type. */
export function decodeWith<T>(what: string, bytes: Uint8Array, fn: (r: ProtoReader) => T): T {
  if (!(bytes instanceof Uint8Array)) throw new DecodeError(`${what}: expected a Uint8Array`);
  try {
    return fn(new ProtoReader(bytes, what));
  } catch (e) {
    if (e instanceof DecodeError) throw e;
    throw new DecodeError(`${what}: ${(e as Error).message}`);
  }
}
