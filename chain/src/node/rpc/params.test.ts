import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  jsonParamsToArgs,
  jsonToParam,
  ParamError,
  type ParamSpec,
  uriParamsToArgs,
  uriToParam,
} from './params.js';

const int: ParamSpec = { name: 'height', type: 'int' };
const str: ParamSpec = { name: 'query', type: 'string' };
const bytes: ParamSpec = { name: 'tx', type: 'bytes' };
const hexbytes: ParamSpec = { name: 'data', type: 'hexbytes' };
const bool: ParamSpec = { name: 'prove', type: 'bool' };
const int64 = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });

describe('JSON params', () => {
  it('int64 values round-trip through decimal strings, including >= 2^31 and up to 2^63-1', () => {
    for (const v of [2n ** 31n, 2n ** 32n + 1n, 2n ** 63n - 1n, -(2n ** 63n)]) {
      expect(jsonToParam(int, v.toString())).toBe(v);
    }
    fc.assert(fc.property(int64, (v) => jsonToParam(int, v.toString()) === v));
    fc.assert(fc.property(int64, (v) => uriToParam(int, v.toString()) === v));
  });

  it('rejects ints out of range, fractional or of the wrong type', () => {
    for (const v of [
      '9223372036854775808',
      '-9223372036854775809',
      '1.0',
      '',
      ' 1',
      true,
      {},
      1.5,
      2 ** 60,
    ]) {
      expect(() => jsonToParam(int, v)).toThrow(ParamError);
    }
    expect(jsonToParam(int, 42)).toBe(42n);
    expect(jsonToParam(int, null)).toBeUndefined();
  });

  it('bytes are base64, hexbytes hex, strings and bools strict', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        const fromB64 = jsonToParam(bytes, Buffer.from(b).toString('base64')) as Uint8Array;
        const fromHex = jsonToParam(hexbytes, Buffer.from(b).toString('hex')) as Uint8Array;
        return Buffer.from(fromB64).equals(Buffer.from(b)) && Buffer.from(fromHex).equals(Buffer.from(b));
      }),
    );
    expect(() => jsonToParam(bytes, 'AQI')).toThrow(/base64/);
    expect(() => jsonToParam(hexbytes, 'abc')).toThrow(/hex/);
    expect(() => jsonToParam(str, 5)).toThrow(/expected a string/);
    expect(() => jsonToParam(bool, 'true')).toThrow(/expected a boolean/);
  });

  it('object params by name (unknown names ignored), arrays by position, others refused', () => {
    expect(jsonParamsToArgs([int, bool], { height: '5', prove: true, other: 1 })).toEqual({
      height: 5n,
      prove: true,
    });
    expect(jsonParamsToArgs([int, bool], ['5', false])).toEqual({ height: 5n, prove: false });
    expect(jsonParamsToArgs([int], undefined)).toEqual({});
    expect(() => jsonParamsToArgs([int], 'x')).toThrow(/Expected map or array/);
    expect(() => jsonParamsToArgs([int], ['1', '2'])).toThrow(/at most 1/);
    expect(jsonParamsToArgs([int], { ['__proto__']: '1' })).toEqual({});
  });
});

describe('URI params (CometBFT rules)', () => {
  it('ints unquoted or quoted; hex refused for ints', () => {
    expect(uriToParam(int, '10')).toBe(10n);
    expect(uriToParam(int, '"10"')).toBe(10n);
    expect(() => uriToParam(int, '0x10')).toThrow(/got a hex string arg, but expected 'int'/);
    expect(() => uriToParam(int, 'ten')).toThrow(ParamError);
    expect(uriToParam(int, '')).toBeUndefined();
  });

  it('strings must be quoted; 0x decodes to the string', () => {
    expect(uriToParam(str, '"tm.event = \'Tx\'"')).toBe("tm.event = 'Tx'");
    expect(uriToParam(str, '0x6869')).toBe('hi');
    expect(() => uriToParam(str, 'tm.event')).toThrow(/strings must be quoted/);
  });

  it('bytes: 0x hex, or a quoted string’s raw bytes', () => {
    expect(uriToParam(bytes, '0xABcd')).toEqual(Uint8Array.of(0xab, 0xcd));
    expect(uriToParam(hexbytes, '"tx0"')).toEqual(new Uint8Array(Buffer.from('tx0')));
    expect(uriToParam(bytes, '"AQI="')).toEqual(new Uint8Array(Buffer.from('AQI=')));
    expect(() => uriToParam(bytes, '0xabc')).toThrow(/invalid hex/);
  });

  it('bools as JSON', () => {
    expect(uriToParam(bool, 'true')).toBe(true);
    expect(() => uriToParam(bool, 'yes')).toThrow(ParamError);
  });

  it('reads only the route’s names from the query string', () => {
    const args = uriParamsToArgs([int, str], new URLSearchParams('height=7&query=%22a.b%3D1%22&x=1'));
    expect(args).toEqual({ height: 7n, query: 'a.b=1' });
  });

  it('never crashes on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom(int, str, bytes, hexbytes, bool), (s, spec) => {
        try {
          uriToParam(spec, s);
        } catch (e) {
          return e instanceof ParamError;
        }
        return true;
      }),
    );
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(int, str, bytes, hexbytes, bool), (v, spec) => {
        try {
          jsonParamsToArgs([spec], v);
        } catch (e) {
          return e instanceof ParamError;
        }
        return true;
      }),
    );
  });
});
