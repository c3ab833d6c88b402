import {
  type Event,
  type ExecTxResult,
  ExecTxResult as ExecTxResultCodec,
  ResponseFinalizeBlock,
  TxResult,
} from 'cosmjs-types/tendermint/abci/types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeExecTxResult, encodeFinalizeBlockResponse, encodeTxResult } from './abciResults.js';
import { encodeProto } from './protoWriter.js';

const int64 = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });
/** Strings as the app makes them: ASCII mostly, any Unicode (no lone surrogates) sometimes. */
const text = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.constant(''),
);
const event: fc.Arbitrary<Event> = fc.record({
  type: text,
  attributes: fc.array(fc.record({ key: text, value: text, index: fc.boolean() }), { maxLength: 4 }),
});
const execTxResult: fc.Arbitrary<ExecTxResult> = fc.record({
  code: fc.oneof(fc.constant(0), fc.nat(), fc.constant(0xffffffff)),
  data: fc.uint8Array({ maxLength: 200 }),
  log: text,
  info: text,
  gasWanted: fc.oneof(fc.constant(0n), int64),
  gasUsed: fc.oneof(fc.constant(0n), fc.bigInt({ min: 0n, max: (1n << 63n) - 1n })),
  events: fc.array(event, { maxLength: 4 }),
  codespace: text,
});

describe('ABCI result encoders', () => {
  it('write the same bytes as the generic encoder, for any results (full int64 range)', () => {
    fc.assert(
      fc.property(execTxResult, (r) => {
        const ours = encodeExecTxResult(r);
        expect(ours).toEqual(encodeProto(ExecTxResultCodec, r));
        expect(ExecTxResultCodec.decode(ours)).toEqual(r);
      }),
      { numRuns: 300 },
    );
  });

  it('encode a TxResult record as the generic encoder does', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: (1n << 63n) - 1n }),
        fc.oneof(fc.constant(0), fc.nat(), fc.constant(0xffffffff)),
        fc.uint8Array({ maxLength: 300 }),
        execTxResult,
        (height, index, tx, result) => {
          const ours = encodeTxResult(height, index, tx, result);
          expect(ours).toEqual(encodeProto(TxResult, { height, index, tx, result }));
          expect(TxResult.decode(ours)).toEqual({ height, index, tx, result });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('encode a FinalizeBlock response as the generic encoder does, with updates and params', () => {
    fc.assert(
      fc.property(
        fc.array(event, { maxLength: 3 }),
        fc.array(execTxResult, { maxLength: 4 }),
        fc.array(
          fc.record({
            pubKey: fc.record({ ed25519: fc.uint8Array({ minLength: 32, maxLength: 32 }) }),
            power: fc.bigInt({ min: 0n, max: 1n << 62n }),
          }),
          { maxLength: 2 },
        ),
        fc.option(fc.record({ block: fc.record({ maxBytes: int64, maxGas: int64 }) }), { nil: undefined }),
        fc.uint8Array({ maxLength: 32 }),
        (events, txResults, validatorUpdates, params, appHash) => {
          const resp = ResponseFinalizeBlock.fromPartial({
            events,
            txResults,
            validatorUpdates,
            consensusParamUpdates: params,
            appHash,
          });
          expect(encodeFinalizeBlockResponse(resp)).toEqual(encodeProto(ResponseFinalizeBlock, resp));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('encode a result once: the same object gives the same bytes without encoding again', () => {
    const r = ExecTxResultCodec.fromPartial({
      gasUsed: 1n << 40n,
      events: [{ type: 'transfer', attributes: [] }],
    });
    expect(encodeExecTxResult(r)).toBe(encodeExecTxResult(r));
  });

  it('refuse values the wire cannot carry instead of wrapping them', () => {
    const base = ExecTxResultCodec.fromPartial({});
    expect(() => encodeExecTxResult({ ...base, gasUsed: 1n << 63n })).toThrow(RangeError);
    expect(() => encodeExecTxResult({ ...base, code: -1 })).toThrow(RangeError);
    expect(() => encodeTxResult(-1n << 64n, 0, new Uint8Array(1), base)).toThrow(RangeError);
  });
});
