/**
 * Timestamps as CometBFT v0.38 carries them: `google.protobuf.Timestamp` (seconds int64 +
 * nanos int32) mapped by gogoproto `stdtime` onto Go's `time.Time`, and printed in JSON as
 * Go's `time.RFC3339Nano` in UTC (fraction without trailing zeros, none at all when whole).
 *
 * Go's `StdTimeMarshal` only accepts 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59.999999999Z, so
 * that is the valid range here too. A non-nullable timestamp absent from the wire decodes to
 * Go's zero time (year 1), not to the Unix epoch: `GO_ZERO_TIME`.
 */
import { DecodeError, ValidationError } from './errors.js';
import { type BinaryWriter, type ProtoReader, writeInt32, writeInt64 } from './proto.js';

/** A point in time with nanosecond precision. `nanos` is in [0, 1e9). */
export interface Timestamp {
  seconds: bigint;
  nanos: number;
}

/** 0001-01-01T00:00:00Z in Unix seconds, the smallest valid timestamp. */
export const MIN_TIMESTAMP_SECONDS = -62135596800n;
/** 9999-12-31T23:59:59Z in Unix seconds, the largest valid timestamp's whole second. */
export const MAX_TIMESTAMP_SECONDS = 253402300799n;

/** Go's `time.Time{}`: what an unset timestamp means in CometBFT types. */
export const GO_ZERO_TIME: Readonly<Timestamp> = Object.freeze({ seconds: MIN_TIMESTAMP_SECONDS, nanos: 0 });

export function goZeroTime(): Timestamp {
  return { seconds: MIN_TIMESTAMP_SECONDS, nanos: 0 };
}

/** True for Go's zero time (`time.Time.IsZero`). */
export function isZeroTime(t: Timestamp): boolean {
  return t.seconds === MIN_TIMESTAMP_SECONDS && t.nanos === 0;
}

export function timestampEquals(a: Timestamp, b: Timestamp): boolean {
  return a.seconds === b.seconds && a.nanos === b.nanos;
}

/** -1, 0 or 1. */
export function compareTimestamps(a: Timestamp, b: Timestamp): number {
  if (a.seconds !== b.seconds) return a.seconds < b.seconds ? -1 : 1;
  return a.nanos === b.nanos ? 0 : a.nanos < b.nanos ? -1 : 1;
}

/** Returns a reason the timestamp is invalid, or undefined. */
export function timestampProblem(t: Timestamp): string | undefined {
  if (typeof t?.seconds !== 'bigint') return 'seconds must be a bigint';
  if (!Number.isInteger(t.nanos) || t.nanos < 0 || t.nanos >= 1_000_000_000) {
    return `nanos ${String(t.nanos)} outside [0, 1e9)`;
  }
  if (t.seconds < MIN_TIMESTAMP_SECONDS || t.seconds > MAX_TIMESTAMP_SECONDS) {
    return `seconds ${t.seconds} outside years 0001..9999`;
  }
  return undefined;
}

export function assertTimestamp(t: Timestamp, what = 'timestamp'): void {
  const problem = timestampProblem(t);
  if (problem !== undefined) throw new ValidationError(`${what}: ${problem}`);
}

/** Writes the body of a google.protobuf.Timestamp. */
export function encodeTimestampInto(w: BinaryWriter, t: Timestamp): void {
  assertTimestamp(t);
  writeInt64(w, 1, t.seconds, 'Timestamp.seconds');
  writeInt32(w, 2, t.nanos, 'Timestamp.nanos');
}

/** Reads the body of a google.protobuf.Timestamp (empty body = Unix epoch). */
export function decodeTimestampFrom(r: ProtoReader): Timestamp {
  const t: Timestamp = { seconds: 0n, nanos: 0 };
  for (let f = r.next(); f !== 0; f = r.next()) {
    if (f === 1) t.seconds = r.int64();
    else if (f === 2) t.nanos = r.int32();
    else r.skip();
  }
  const problem = timestampProblem(t);
  if (problem !== undefined) throw new DecodeError(`Timestamp: ${problem}`);
  return t;
}

// Civil-date conversions (proleptic Gregorian), after Howard Hinnant's days_from_civil.
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(z0: number): [number, number, number] {
  const z = z0 + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [m <= 2 ? yoe + era * 400 + 1 : yoe + era * 400, m, d];
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Formats as Go's RFC3339Nano in UTC, e.g. `2023-05-17T14:12:53.088875124Z`, `0001-01-01T00:00:00Z`. */
export function formatRfc3339Nano(t: Timestamp): string {
  assertTimestamp(t);
  const secs = Number(t.seconds);
  const days = Math.floor(secs / 86400);
  const sod = secs - days * 86400;
  const [y, m, d] = civilFromDays(days);
  let out = `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}T${pad(Math.floor(sod / 3600), 2)}:${pad(Math.floor((sod % 3600) / 60), 2)}:${pad(sod % 60, 2)}`;
  if (t.nanos !== 0) out += `.${pad(t.nanos, 9).replace(/0+$/, '')}`;
  return `${out}Z`;
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** Parses RFC 3339 with up to 9 fraction digits and a `Z` or `±hh:mm` offset. */
export function parseRfc3339(text: string): Timestamp {
  if (typeof text !== 'string') throw new DecodeError('timestamp: expected an RFC 3339 string');
  const m = RFC3339.exec(text);
  if (m === null) throw new DecodeError(`timestamp: ${JSON.stringify(text)} is not RFC 3339`);
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const monthDays = [
    31,
    y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28,
    31,
    30,
    31,
    30,
    31,
    31,
    30,
    31,
    30,
    31,
  ];
  if (mo < 1 || mo > 12 || d < 1 || d > (monthDays[mo - 1] ?? 0) || h > 23 || mi > 59 || s > 59) {
    throw new DecodeError(`timestamp: ${JSON.stringify(text)} is not a valid date and time`);
  }
  let offset = 0;
  if (m[9] !== undefined) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) throw new DecodeError(`timestamp: bad offset in ${JSON.stringify(text)}`);
    offset = (m[9] === '-' ? -1 : 1) * (oh * 3600 + om * 60);
  }
  const seconds = BigInt(daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset);
  const nanos = m[7] === undefined ? 0 : Number(m[7].padEnd(9, '0'));
  const t = { seconds, nanos };
  const problem = timestampProblem(t);
  if (problem !== undefined) throw new DecodeError(`timestamp ${JSON.stringify(text)}: ${problem}`);
  return t;
}

/** Converts a JS Date (millisecond precision) to a Timestamp. */
export function timestampFromDate(date: Date): Timestamp {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) throw new ValidationError('timestamp: invalid Date');
  const seconds = Math.floor(ms / 1000);
  const t = { seconds: BigInt(seconds), nanos: (ms - seconds * 1000) * 1_000_000 };
  assertTimestamp(t);
  return t;
}

/** Nanoseconds since the Unix epoch. */
export function timestampToNanos(t: Timestamp): bigint {
  return t.seconds * 1_000_000_000n + BigInt(t.nanos);
}

export function timestampFromNanos(ns: bigint): Timestamp {
  let seconds = ns / 1_000_000_000n;
  let nanos = ns % 1_000_000_000n;
  if (nanos < 0n) {
    nanos += 1_000_000_000n;
    seconds -= 1n;
  }
  const t = { seconds, nanos: Number(nanos) };
  assertTimestamp(t);
  return t;
}

/**
 * A google.protobuf.Duration mapped by gogoproto `stdduration` onto Go's `time.Duration`: a
 * signed int64 count of nanoseconds. On the wire seconds and nanos carry the same sign.
 */
export function encodeDurationInto(w: BinaryWriter, ns: bigint): void {
  if (typeof ns !== 'bigint' || ns < -(1n << 63n) || ns > (1n << 63n) - 1n) {
    throw new ValidationError(`duration: ${String(ns)} ns is not an int64`);
  }
  writeInt64(w, 1, ns / 1_000_000_000n, 'Duration.seconds');
  writeInt32(w, 2, Number(ns % 1_000_000_000n), 'Duration.nanos');
}

export function decodeDurationFrom(r: ProtoReader): bigint {
  let seconds = 0n;
  let nanos = 0;
  for (let f = r.next(); f !== 0; f = r.next()) {
    if (f === 1) seconds = r.int64();
    else if (f === 2) nanos = r.int32();
    else r.skip();
  }
  if (nanos <= -1_000_000_000 || nanos >= 1_000_000_000)
    throw new DecodeError(`Duration: nanos ${nanos} out of range`);
  if ((seconds < 0n && nanos > 0) || (seconds > 0n && nanos < 0)) {
    throw new DecodeError('Duration: seconds and nanos have different signs');
  }
  const ns = seconds * 1_000_000_000n + BigInt(nanos);
  if (ns < -(1n << 63n) || ns > (1n << 63n) - 1n)
    throw new DecodeError('Duration: does not fit int64 nanoseconds');
  return ns;
}
