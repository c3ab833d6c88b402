import { ExecTxResult, ResponseFinalizeBlock, ResponseInfo } from 'cosmjs-types/tendermint/abci/types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex, dataHash, headerFromJson, isValidProof, txHash } from '../types/index.js';
import {
  abciInfoToJson,
  blockResultsToJson,
  eventDataToJson,
  txProofToJson,
  txResultOmitEmptyToJson,
  validatorUpdateToJson,
} from './encode.js';
import { RawJson, stringifyJson } from './jsonText.js';
import { capture } from './testdata/fakeBackend.js';

const MAX = 2n ** 63n - 1n;

describe('ABCI JSON forms', () => {
  it('64-bit values >= 2^31 up to 2^63-1 print as exact decimal strings and read back', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MAX }), fc.bigInt({ min: 2n ** 31n, max: MAX }), (w, u) => {
        const r = ResponseFinalizeBlock.fromPartial({
          txResults: [ExecTxResult.fromPartial({ gasWanted: w, gasUsed: u })],
          validatorUpdates: [{ pubKey: { ed25519: new Uint8Array(32) }, power: u }],
          consensusParamUpdates: { block: { maxBytes: u, maxGas: -1n } },
        });
        const json = JSON.parse(stringifyJson(blockResultsToJson(MAX, r)));
        return (
          json.height === MAX.toString() &&
          BigInt(json.txs_results[0].gas_wanted) === w &&
          BigInt(json.txs_results[0].gas_used) === u &&
          BigInt(json.validator_updates[0].power) === u &&
          BigInt(json.consensus_param_updates.block.max_bytes) === u
        );
      }),
    );
  });

  it('validator updates print their key as the protobuf oneof CosmJS decodes', () => {
    const key = new Uint8Array(33).fill(2);
    expect(validatorUpdateToJson({ pubKey: { secp256k1: key }, power: 5n })).toEqual({
      pub_key: {
        Sum: {
          type: 'tendermint.crypto.PublicKey_Secp256K1',
          value: { secp256k1: Buffer.from(key).toString('base64') },
        },
      },
      power: '5',
    });
  });

  it('event-payload results leave zero fields out; abci_info too', () => {
    expect(txResultOmitEmptyToJson(ExecTxResult.fromPartial({}))).toEqual({});
    expect(
      txResultOmitEmptyToJson(
        ExecTxResult.fromPartial({ code: 3, log: 'bad', gasWanted: 10n, codespace: 'sdk' }),
      ),
    ).toEqual({ code: 3, log: 'bad', gas_wanted: '10', codespace: 'sdk' });
    expect(abciInfoToJson(ResponseInfo.fromPartial({}))).toEqual({ response: {} });
  });

  it('tx proofs are CometBFT’s Txs.Proof (leaves are tx hashes)', () => {
    const captured = capture('tx_search_with_prove').response.result.txs[0];
    const tx = Buffer.from(captured.tx, 'base64');
    expect(txProofToJson([tx], 0)).toEqual(captured.proof);
    const txs = [1, 2, 3, 4, 5].map((i) => Uint8Array.of(i));
    const p = txProofToJson(txs, 3);
    expect(p.proof).toMatchObject({ total: '5', index: '3' });
    expect(p.proof.aunts).toHaveLength(3);
    expect(p.data).toBe('BA==');
    expect(p.root_hash).toBe(bytesToHex(dataHash(txs)));
    const proof = {
      total: BigInt(p.proof.total),
      index: BigInt(p.proof.index),
      leafHash: Buffer.from(p.proof.leaf_hash, 'base64'),
      aunts: p.proof.aunts.map((a: string) => Buffer.from(a, 'base64')),
    };
    expect(isValidProof(proof, dataHash(txs), txHash(txs[3]!))).toBe(true);
    expect(isValidProof(proof, dataHash(txs), txHash(txs[2]!))).toBe(false);
    expect(() => txProofToJson(txs, 5)).toThrow(/out of range/);
  });

  it('NewBlockHeader and NewBlockEvents payloads', () => {
    const header = capture('block_at_height_10').response.result.block.header;
    expect(eventDataToJson({ type: 'NewBlockHeader', value: { header: headerFromJson(header) } })).toEqual({
      type: 'tendermint/event/NewBlockHeader',
      value: { header },
    });
    const events = [{ type: 'transfer', attributes: [{ key: 'amount', value: '5uhth', index: true }] }];
    expect(
      eventDataToJson({ type: 'NewBlockEvents', value: { height: 2n ** 40n, events, numTxs: 3n } }),
    ).toEqual({
      type: 'tendermint/event/NewBlockEvents',
      value: { height: '1099511627776', events, num_txs: '3' },
    });
  });

  it('consensus-internal events keep their payload', () => {
    expect(eventDataToJson({ type: 'NewRound', value: { height: 5n } })).toEqual({
      type: 'tendermint/event/NewRound',
      value: { height: 5n },
    });
  });
});

describe('stringifyJson', () => {
  it('matches JSON.stringify on plain JSON values', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => stringifyJson(v) === JSON.stringify(v)));
  });

  it('splices raw JSON verbatim and prints bigints and bytes as strings', () => {
    const raw = '{"app_state":{"big":123456789012345678901234567890}}';
    expect(
      stringifyJson({
        genesis: new RawJson(raw),
        n: 2n ** 63n - 1n,
        b: Uint8Array.of(1, 2, 3),
        u: undefined,
      }),
    ).toBe(`{"genesis":${raw},"n":"9223372036854775807","b":"AQID"}`);
  });

  it('prints Buffers and views as base64, raw JSON anywhere, and nothing else is taken for raw JSON', () => {
    const view = Uint8Array.of(9, 1, 2, 3, 9).subarray(1, 4);
    const lookalike = 'raw-json-00000000000000000000000000000000-0';
    expect(
      stringifyJson([
        Buffer.from([1, 2, 3]),
        view,
        [new RawJson('[1]'), { r: new RawJson('{"x":2}') }],
        lookalike,
      ]),
    ).toBe(`["AQID","AQID",[[1],{"r":{"x":2}}],"${lookalike}"]`);
    expect(stringifyJson(undefined)).toBe('null');
    expect(stringifyJson({ f: () => 1, a: [undefined, Number.NaN] })).toBe('{"a":[null,null]}');
  });
});
