import { ExecTxResult } from 'cosmjs-types/tendermint/abci/types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import txVectors from '../../../test/vectors/cometbft/txAndDataHash.json' with { type: 'json' };
import * as arb from './arbitraries.js';
import { encodeDeterministicTxResult, encodeHeader } from './encoding.js';
import {
  blockIdKey,
  consensusParamsHash,
  dataHash,
  headerHash,
  headerHashLeaves,
  lastResultsHash,
  txHash,
} from './hashes.js';
import { hashFromByteSlices, sha256 } from './merkle.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex').toUpperCase();
const b64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

describe('tx hash and data hash', () => {
  it('tx hash = SHA-256 of the tx (CosmJS hasher.spec vector)', () => {
    expect(hex(txHash(b64(txVectors.cosmjs_vector.tx_b64)))).toBe(txVectors.cosmjs_vector.hash_hex);
  });

  const kv = txVectors['kvstore_v0.38_tx_search_with_prove (tendermint-rs fixture; verified)'];
  it.each(kv)('kvstore tx $tx_ascii at height $height', (c) => {
    const tx = b64(c.tx_b64);
    expect(new TextDecoder().decode(tx)).toBe(c.tx_ascii);
    expect(hex(txHash(tx))).toBe(c.hash);
    // a one-tx block: data hash = merkle root over [sha256(tx)] = the TxProof's root and leaf hash
    expect(hex(dataHash([tx]))).toBe(c.proof_root_hash);
    expect(hex(dataHash([tx]))).toBe(hex(b64(c.proof_leaf_hash_b64)));
  });

  it('leaves are tx hashes, not raw txs', () => {
    const txs = kv.map((c) => b64(c.tx_b64));
    expect(hex(dataHash(txs))).toBe(hex(hashFromByteSlices(txs.map((t) => sha256(t)))));
    expect(hex(dataHash(txs))).not.toBe(hex(hashFromByteSlices(txs)));
    expect(hex(dataHash([]))).toBe('E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855');
  });
});

describe('last-results hash', () => {
  it('hashes ExecTxResult{code, data, gas_wanted, gas_used} only, as the ABCI proto encodes it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.uint8Array({ maxLength: 30 }),
        fc.bigInt({ min: 0n, max: 2n ** 31n - 1n }),
        fc.bigInt({ min: -(2n ** 31n), max: 2n ** 31n - 1n }),
        (code, data, gasWanted, gasUsed) => {
          // cosmjs-types' writer is correct below 2^31, which makes it an independent check here
          const theirs = ExecTxResult.encode(
            ExecTxResult.fromPartial({ code, data, gasWanted, gasUsed }),
          ).finish();
          expect(hex(encodeDeterministicTxResult({ code, data, gasWanted, gasUsed }))).toBe(hex(theirs));
        },
      ),
    );
  });

  it('64-bit gas values survive into the leaf', () => {
    const leaf = encodeDeterministicTxResult({
      code: 1,
      data: new Uint8Array(0),
      gasWanted: 2n ** 62n,
      gasUsed: 2n ** 63n - 1n,
    });
    const back = ExecTxResult.decode(leaf);
    expect(back.gasWanted).toBe(2n ** 62n);
    expect(back.gasUsed).toBe(2n ** 63n - 1n);
  });

  it('empty results hash to SHA-256 of nothing; a zero result is an empty leaf', () => {
    expect(hex(lastResultsHash([]))).toBe('E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855');
    const zero = { code: 0, data: new Uint8Array(0), gasWanted: 0n, gasUsed: 0n };
    expect(encodeDeterministicTxResult(zero)).toEqual(new Uint8Array(0));
    expect(hex(lastResultsHash([zero]))).toBe(hex(sha256(Uint8Array.of(0))));
  });
});

describe('header hash', () => {
  it('is the merkle root of 14 cdc-encoded fields and changes with each of them', () => {
    fc.assert(
      fc.property(arb.header(), fc.integer({ min: 0, max: 13 }), (h0, field) => {
        const h = { ...h0, validatorsHash: new Uint8Array(32).fill(9) };
        const leaves = headerHashLeaves(h);
        expect(leaves).toHaveLength(14);
        expect(hex(headerHash(h))).toBe(hex(hashFromByteSlices(leaves)));
        const mutated = headerHashLeaves(h).map((l, i) => (i === field ? Uint8Array.of(...l, 0) : l));
        expect(hex(hashFromByteSlices(mutated))).not.toBe(hex(headerHash(h)));
      }),
      { numRuns: 100 },
    );
  });

  it('wraps scalars as StringValue / Int64Value / BytesValue', () => {
    const h = {
      chainId: 'ab',
      height: 2n ** 40n,
      appHash: Uint8Array.of(1, 2),
      proposerAddress: new Uint8Array(0),
    };
    const base = { ...arbHeaderBase(), ...h };
    const leaves = headerHashLeaves(base).map((l) => Buffer.from(l).toString('hex'));
    expect(leaves[1]).toBe('0a026162');
    expect(leaves[2]).toBe('08808080808020');
    expect(leaves[10]).toBe('0a020102');
    expect(leaves[13]).toBe('');
  });

  it('is empty for a header without a validators hash (CometBFT returns nil)', () => {
    expect(headerHash({ ...arbHeaderBase(), validatorsHash: new Uint8Array(0) })).toHaveLength(0);
    expect(encodeHeader(arbHeaderBase()).length).toBeGreaterThan(0);
  });
});

describe('consensus params hash and BlockID key', () => {
  it('hashes only block.max_bytes and block.max_gas', () => {
    const p = { block: { maxBytes: 22020096n, maxGas: -1n } };
    expect(hex(consensusParamsHash(p))).toBe(
      '048091BC7DDC283F77BFBF91D73C44DA58C3DF8A9CBC867405D8B7F3DAADA22F',
    );
    const withMore = {
      ...p,
      evidence: { maxAgeNumBlocks: 1n, maxAgeDuration: 5n, maxBytes: 7n },
      version: { app: 3n },
    };
    expect(hex(consensusParamsHash(withMore))).toBe(hex(consensusParamsHash(p)));
    expect(hex(consensusParamsHash({ block: { maxBytes: 22020096n, maxGas: 0n } }))).not.toBe(
      hex(consensusParamsHash(p)),
    );
  });

  it('BlockID keys order by hash bytes then part-set header bytes', () => {
    const a = { hash: Uint8Array.of(1), partSetHeader: { total: 1, hash: Uint8Array.of(9) } };
    const b = { hash: Uint8Array.of(2), partSetHeader: { total: 0, hash: new Uint8Array(0) } };
    expect(blockIdKey(a) < blockIdKey(b)).toBe(true);
    expect(blockIdKey(a)).toBe('01' + '08011201' + '09');
  });
});

function arbHeaderBase() {
  return fc.sample(arb.header(), { numRuns: 1, seed: 7 })[0]!;
}
