/**
 * `google.protobuf.Duration` and `Timestamp` conversions to nanoseconds on bigint, and the
 * proto3 JSON form of a duration ("1814400s", "0.5s") that genesis files use.
 */
import type { Duration } from 'cosmjs-types/google/protobuf/duration';
import type { Timestamp } from 'cosmjs-types/google/protobuf/timestamp';

const NS = 1_000_000_000n;

export const durationToNs = (d: Duration | undefined): bigint => (d ? d.seconds * NS + BigInt(d.nanos) : 0n);
export const nsToDuration = (ns: bigint): Duration => ({ seconds: ns / NS, nanos: Number(ns % NS) });
export const timestampToNs = (t: Timestamp | undefined): bigint =>
  t ? t.seconds * NS + BigInt(t.nanos) : 0n;
export const nsToTimestamp = (ns: bigint): Timestamp => {
  // Floor division so that times before the epoch keep nanos in [0, 1e9).
  let s = ns / NS;
  let n = ns % NS;
  if (n < 0n) {
    s -= 1n;
    n += NS;
  }
  return { seconds: s, nanos: Number(n) };
};

/** "1814400s" or "0.000000001s" -> nanoseconds; throws a readable error otherwise. */
export function parseDurationJson(text: string): bigint {
  const m = /^([0-9]{1,12})(?:\.([0-9]{1,9}))?s$/.exec(text);
  if (!m) throw new Error(`invalid duration ${JSON.stringify(text)} (expected e.g. "1814400s")`);
  return BigInt(m[1]!) * NS + BigInt((m[2] ?? '').padEnd(9, '0'));
}

export function formatDurationJson(ns: bigint): string {
  const s = ns / NS;
  const n = ns % NS;
  if (n === 0n) return `${s}s`;
  return `${s}.${n.toString().padStart(9, '0').replace(/0+$/, '')}s`;
}

/** Go's RFC 3339 form of a protobuf timestamp, as JSON genesis writes it. */
export function formatTimestampJson(ns: bigint): string {
  const t = nsToTimestamp(ns);
  const iso = new Date(Number(t.seconds) * 1000).toISOString().slice(0, 19);
  return t.nanos === 0 ? `${iso}Z` : `${iso}.${t.nanos.toString().padStart(9, '0').replace(/0+$/, '')}Z`;
}

export function parseTimestampJson(text: string): bigint {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$/.exec(text);
  if (!m) throw new Error(`invalid timestamp ${JSON.stringify(text)}`);
  const ms = Date.parse(`${m[1]}Z`);
  if (Number.isNaN(ms)) throw new Error(`invalid timestamp ${JSON.stringify(text)}`);
  return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}
