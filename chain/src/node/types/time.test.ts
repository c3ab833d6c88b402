import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as arb from './arbitraries.js';
import { DecodeError } from './errors.js';
import {
  compareTimestamps,
  formatRfc3339Nano,
  GO_ZERO_TIME,
  isZeroTime,
  parseRfc3339,
  timestampFromDate,
  timestampFromNanos,
  timestampToNanos,
} from './time.js';

describe('RFC3339Nano as CometBFT prints it', () => {
  it.each([
    [{ seconds: 1684332773n, nanos: 88875124 }, '2023-05-17T14:12:53.088875124Z'],
    [{ seconds: 1684332768n, nanos: 347696215 }, '2023-05-17T14:12:48.347696215Z'],
    [{ seconds: 1726243107n, nanos: 59566170 }, '2024-09-13T15:58:27.05956617Z'],
    [{ seconds: 1570983284n, nanos: 0 }, '2019-10-13T16:14:44Z'],
    [{ seconds: 0n, nanos: 500_000_000 }, '1970-01-01T00:00:00.5Z'],
    [GO_ZERO_TIME, '0001-01-01T00:00:00Z'],
    [{ seconds: 2n ** 31n, nanos: 1 }, '2038-01-19T03:14:08.000000001Z'],
    [{ seconds: 253402300799n, nanos: 999_999_999 }, '9999-12-31T23:59:59.999999999Z'],
    [{ seconds: 951782400n, nanos: 0 }, '2000-02-29T00:00:00Z'],
    [{ seconds: -1n, nanos: 0 }, '1969-12-31T23:59:59Z'],
  ])('%o <-> %s', (t, text) => {
    expect(formatRfc3339Nano(t)).toBe(text);
    expect(parseRfc3339(text)).toEqual(t);
  });

  it('round-trips every valid timestamp', () => {
    fc.assert(
      fc.property(arb.timestamp(), (t) => {
        expect(parseRfc3339(formatRfc3339Nano(t))).toEqual(t);
      }),
      { numRuns: 1000 },
    );
  });

  it('agrees with JS Date on the millisecond part of the range Date formats plainly', () => {
    // Date prints 3 fraction digits; Go trims trailing zeros and drops an all-zero fraction
    const goStyle = (iso: string) =>
      iso.replace(/\.(\d*?)0*Z$/, (_, d: string) => (d === '' ? 'Z' : `.${d}Z`));
    expect(goStyle('1970-01-01T00:00:00.000Z')).toBe('1970-01-01T00:00:00Z');
    expect(goStyle('1970-01-01T00:00:00.120Z')).toBe('1970-01-01T00:00:00.12Z');
    fc.assert(
      fc.property(
        fc.oneof(
          fc.constantFrom(0, 1, 10, 1000, 253402300799999),
          fc.integer({ min: 0, max: 253402300799999 }),
        ),
        (ms) => {
          const d = new Date(ms);
          expect(formatRfc3339Nano(timestampFromDate(d))).toBe(goStyle(d.toISOString()));
        },
      ),
    );
  });

  it('parses offsets and short fractions', () => {
    expect(parseRfc3339('2023-05-17T16:12:53.5+02:00')).toEqual({ seconds: 1684332773n, nanos: 500_000_000 });
    expect(parseRfc3339('2023-05-17T12:12:53-02:00')).toEqual({ seconds: 1684332773n, nanos: 0 });
  });

  it('refuses malformed or out-of-range text', () => {
    for (const bad of [
      '',
      '2023-05-17',
      '2023-05-17T14:12:53',
      '2023-02-30T00:00:00Z',
      '2023-13-01T00:00:00Z',
      '2023-05-17T24:00:00Z',
      '2023-05-17T14:12:53.1234567890Z',
      '10000-01-01T00:00:00Z',
      '0001-01-01T00:00:00+01:00',
      '9999-12-31T23:59:59-01:00',
    ]) {
      expect(() => parseRfc3339(bad), bad).toThrow(DecodeError);
    }
  });
});

describe('helpers', () => {
  it('nanosecond conversion, ordering and the Go zero time', () => {
    fc.assert(
      fc.property(arb.timestamp(), arb.timestamp(), (a, b) => {
        expect(timestampFromNanos(timestampToNanos(a))).toEqual(a);
        const byNanos = Math.sign(Number(timestampToNanos(a) - timestampToNanos(b)));
        expect(compareTimestamps(a, b)).toBe(byNanos);
      }),
    );
    expect(isZeroTime(GO_ZERO_TIME)).toBe(true);
    expect(isZeroTime({ seconds: 0n, nanos: 0 })).toBe(false);
  });
});
