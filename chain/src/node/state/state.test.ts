import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResponseFinalizeBlock } from 'cosmjs-types/tendermint/abci/types';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryDb, openLevelDb } from '../../store/db.js';
import type { GenesisDoc } from '../config/genesis.js';
import { Ed25519PrivateKey } from '../privval/ed25519.js';
import {
  addressFromPubKey,
  BLOCK_PROTOCOL,
  type BlockId,
  bytesToHex,
  emptyHeader,
  type Header,
  sha256,
  type ValidatorSet,
} from '../types/index.js';
import { applyInitChainResponse, updateState } from './execution.js';
import { defaultConsensusParams } from './params.js';
import { decodeState, encodeState, makeGenesisState, type State } from './state.js';
import { StateStore } from './store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const keyA = Ed25519PrivateKey.fromSecret('A').pubKey();
const keyB = Ed25519PrivateKey.fromSecret('B').pubKey();
const keyC = Ed25519PrivateKey.fromSecret('C').pubKey();
const hexAddr = (k: typeof keyA) => bytesToHex(addressFromPubKey(k));

function genesis(validators: Array<[typeof keyA, bigint]>, initialHeight = 1n): GenesisDoc {
  return {
    genesisTime: { seconds: 1_700_000_000n, nanos: 0 },
    chainId: 'state-test',
    initialHeight,
    consensusParams: defaultConsensusParams(),
    validators: validators.map(([pubKey, power]) => ({
      address: addressFromPubKey(pubKey),
      pubKey,
      power,
      name: '',
    })),
    appHash: new Uint8Array(0),
  };
}

/** [address hex, power, priority] in set order, and the proposer. */
function summary(set: ValidatorSet) {
  return {
    vals: set.validators.map((v) => [bytesToHex(v.address), v.votingPower, v.proposerPriority]),
    proposer: set.isEmpty() ? undefined : bytesToHex(set.getProposer()!.address),
  };
}

function header(height: bigint): Header {
  return {
    ...emptyHeader(),
    chainId: 'state-test',
    height,
    time: { seconds: 1_700_000_000n + height, nanos: 0 },
  };
}
const blockId = (height: bigint): BlockId => ({
  hash: sha256(Uint8Array.of(Number(height))),
  partSetHeader: { total: 1, hash: sha256(Uint8Array.of(1, Number(height))) },
});
const resp = (p: Partial<ResponseFinalizeBlock> = {}): ResponseFinalizeBlock =>
  ResponseFinalizeBlock.fromPartial({ appHash: Uint8Array.of(0xaa), ...p });
const ed = (pk: typeof keyA, power: bigint) => ({ pubKey: { ed25519: pk.key }, power });

const EMPTY_HASH = 'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855';

describe('genesis state', () => {
  it('is MakeGenesisState: one proposer increment for validators, one more for next validators', () => {
    const s = makeGenesisState(genesis([[keyA, 10n]], 5n));
    expect(s.version.consensus).toEqual({ block: BLOCK_PROTOCOL, app: 0n });
    expect([
      s.lastBlockHeight,
      s.initialHeight,
      s.lastHeightValidatorsChanged,
      s.lastHeightConsensusParamsChanged,
    ]).toEqual([0n, 5n, 5n, 5n]);
    // New validator enters at -(10 + 10>>3) = -11, centred to 0, one round: 0+10-10 = 0.
    expect(summary(s.validators).vals).toEqual([[hexAddr(keyA), 10n, 0n]]);
    expect(summary(s.nextValidators).vals).toEqual([[hexAddr(keyA), 10n, 0n]]);
    expect(s.lastValidators.isEmpty()).toBe(true);
    expect(s.lastBlockTime).toEqual({ seconds: 1_700_000_000n, nanos: 0 });
  });
});

describe('updateState (hand-computed)', () => {
  const s0 = makeGenesisState(genesis([[keyA, 10n]]));

  it('a validator added at H=1 is in next_validators for H+1 and signs from H+2', () => {
    const before = bytesToHex(encodeState(s0));
    const s1 = updateState(s0, blockId(1n), header(1n), resp({ validatorUpdates: [ed(keyB, 30n)] }));
    expect(bytesToHex(encodeState(s0))).toBe(before); // input untouched
    expect(s1.lastBlockHeight).toBe(1n);
    expect(s1.lastBlockId).toEqual(blockId(1n));
    expect(s1.lastBlockTime).toEqual(header(1n).time);
    expect(s1.lastHeightValidatorsChanged).toBe(3n);
    // Validators for block 2 are still A alone.
    expect(summary(s1.validators).vals).toEqual([[hexAddr(keyA), 10n, 0n]]);
    expect(summary(s1.lastValidators).vals).toEqual([[hexAddr(keyA), 10n, 0n]]);
    // B enters at -(40 + 5) = -45; centring by floor(-45/2) = -23 gives A 23, B -22;
    // one round: A 33, B 8, A proposes and pays 40 -> A -7.
    expect(summary(s1.nextValidators)).toEqual({
      vals: [
        [hexAddr(keyB), 30n, 8n],
        [hexAddr(keyA), 10n, -7n],
      ],
      proposer: hexAddr(keyA),
    });
    expect(bytesToHex(s1.appHash)).toBe('AA');
    expect(bytesToHex(s1.lastResultsHash)).toBe(EMPTY_HASH);

    const s2 = updateState(s1, blockId(2n), header(2n), resp());
    expect(s2.lastHeightValidatorsChanged).toBe(3n);
    // Block 3 is signed by A and B.
    expect(summary(s2.validators).vals).toEqual(summary(s1.nextValidators).vals);
    expect(summary(s2.lastValidators).vals).toEqual([[hexAddr(keyA), 10n, 0n]]);
    // Next round: B 38, A 3 -> B proposes: B -2.
    expect(summary(s2.nextValidators)).toEqual({
      vals: [
        [hexAddr(keyB), 30n, -2n],
        [hexAddr(keyA), 10n, 3n],
      ],
      proposer: hexAddr(keyB),
    });

    // Removing A at H=3 leaves B alone from H=5.
    const s3 = updateState(s2, blockId(3n), header(3n), resp({ validatorUpdates: [ed(keyA, 0n)] }));
    expect(s3.lastHeightValidatorsChanged).toBe(5n);
    expect(s3.validators.size).toBe(2);
    expect(summary(s3.nextValidators).vals.map((v) => v[0])).toEqual([hexAddr(keyB)]);
  });

  it('refuses bad validator updates with clear errors', () => {
    expect(() =>
      updateState(s0, blockId(1n), header(1n), resp({ validatorUpdates: [ed(keyB, -1n)] })),
    ).toThrow(/can't be negative/);
    expect(() =>
      updateState(
        s0,
        blockId(1n),
        header(1n),
        resp({ validatorUpdates: [{ pubKey: { secp256k1: new Uint8Array(33).fill(2) }, power: 5n }] }),
      ),
    ).toThrow(/using pubkey secp256k1, which is unsupported for consensus/);
    expect(() =>
      updateState(s0, blockId(1n), header(1n), resp({ validatorUpdates: [ed(keyB, 5n), ed(keyC, 0n)] })),
    ).toThrow(/changing validator set: failed to find validator/);
    expect(() =>
      updateState(s0, blockId(1n), header(1n), resp({ validatorUpdates: [ed(keyA, 0n)] })),
    ).toThrow(/empty set/);
    expect(() =>
      updateState(s0, blockId(1n), header(1n), resp({ validatorUpdates: [{ pubKey: {}, power: 1n }] })),
    ).toThrow(/no public key/);
    expect(() =>
      updateState(s0, blockId(1n), header(1n), resp({ validatorUpdates: [ed(keyB, 1n), ed(keyB, 2n)] })),
    ).toThrow(/duplicate entry/);
  });

  it('applies consensus param updates from the next height and records the app version', () => {
    const s10 = { ...s0, lastBlockHeight: 9n };
    const s = updateState(
      s10,
      blockId(10n),
      header(10n),
      resp({
        consensusParamUpdates: {
          block: { maxBytes: 2n ** 26n, maxGas: 2n ** 40n },
          version: { app: 7n },
          abci: { voteExtensionsEnableHeight: 12n },
        },
      }),
    );
    expect(s.lastHeightConsensusParamsChanged).toBe(11n);
    expect(s.consensusParams.block).toEqual({ maxBytes: 2n ** 26n, maxGas: 2n ** 40n });
    expect(s.consensusParams.evidence).toEqual(defaultConsensusParams().evidence); // untouched sections stay
    expect(s.consensusParams.abci.voteExtensionsEnableHeight).toBe(12n);
    expect(s.version.consensus.app).toBe(7n);
    expect(s0.version.consensus.app).toBe(0n);

    const evidenceDuration = updateState(
      s10,
      blockId(10n),
      header(10n),
      resp({
        consensusParamUpdates: {
          evidence: { maxAgeNumBlocks: 5n, maxAgeDuration: { seconds: 3n, nanos: 4 }, maxBytes: 0n },
        },
      }),
    );
    expect(evidenceDuration.consensusParams.evidence.maxAgeDuration).toBe(3_000_000_004n);

    expect(() =>
      updateState(
        s10,
        blockId(10n),
        header(10n),
        resp({ consensusParamUpdates: { block: { maxBytes: 0n, maxGas: -1n } } }),
      ),
    ).toThrow(/validating new consensus params: block.MaxBytes cannot be 0/);
    expect(() =>
      updateState(
        s10,
        blockId(10n),
        header(10n),
        resp({ consensusParamUpdates: { abci: { voteExtensionsEnableHeight: 10n } } }),
      ),
    ).toThrow(/cannot be updated to a past or current height/);
    const enabled = {
      ...s10,
      consensusParams: { ...s10.consensusParams, abci: { voteExtensionsEnableHeight: 5n } },
    };
    expect(() =>
      updateState(
        enabled,
        blockId(10n),
        header(10n),
        resp({ consensusParamUpdates: { abci: { voteExtensionsEnableHeight: 0n } } }),
      ),
    ).toThrow(/cannot be disabled once enabled/);
  });

  it('last results hash covers code, data and gas only (not log, info or events)', () => {
    const tx = (p: object) => ({
      code: 0,
      data: new Uint8Array(0),
      log: '',
      info: '',
      gasWanted: 0n,
      gasUsed: 0n,
      events: [],
      codespace: '',
      ...p,
    });
    const h = (txs: object[]) =>
      bytesToHex(updateState(s0, blockId(1n), header(1n), resp({ txResults: txs as never })).lastResultsHash);
    const base = h([tx({ code: 1, gasWanted: 2n ** 63n - 1n, gasUsed: 2n ** 31n })]);
    expect(base).not.toBe(EMPTY_HASH);
    expect(
      h([
        tx({ code: 1, gasWanted: 2n ** 63n - 1n, gasUsed: 2n ** 31n, log: 'x', info: 'y', codespace: 'z' }),
      ]),
    ).toBe(base);
    expect(h([tx({ code: 2, gasWanted: 2n ** 63n - 1n, gasUsed: 2n ** 31n })])).not.toBe(base);
    expect(h([tx({ code: 1, gasWanted: 2n ** 63n - 1n, gasUsed: 2n ** 31n + 1n })])).not.toBe(base);
    expect(
      h([tx({ code: 1, gasWanted: 2n ** 63n - 1n, gasUsed: 2n ** 31n, data: Uint8Array.of(1) })]),
    ).not.toBe(base);
  });
});

describe('InitChain results', () => {
  it('take the app validators, params and app hash', () => {
    const g = genesis([]);
    const s = applyInitChainResponse(makeGenesisState(g), g, {
      validators: [ed(keyA, 10n), ed(keyB, 30n)],
      consensusParams: { version: { app: 3n } },
      appHash: Uint8Array.of(1, 2),
    });
    expect(summary(s.validators).vals.map((v) => v[0])).toEqual([hexAddr(keyB), hexAddr(keyA)]);
    expect(s.nextValidators.size).toBe(2);
    expect(s.version.consensus.app).toBe(3n);
    expect(bytesToHex(s.appHash)).toBe('0102');
    expect(bytesToHex(s.lastResultsHash)).toBe(EMPTY_HASH);
  });
  it('refuse a chain with no validators anywhere', () => {
    const g = genesis([]);
    expect(() =>
      applyInitChainResponse(makeGenesisState(g), g, { validators: [], appHash: new Uint8Array(0) }),
    ).toThrow(/validator set is nil in genesis and still empty after InitChain/);
  });
});

describe('State encoding', () => {
  it('round-trips, including 64-bit extremes and an empty last validator set', () => {
    const s0 = makeGenesisState(
      genesis(
        [
          [keyA, 2n ** 40n],
          [keyB, 1n],
        ],
        2n ** 62n,
      ),
    );
    const s = updateState(
      s0,
      blockId(200n),
      { ...header(2n ** 63n - 1n), time: { seconds: 253402300799n, nanos: 999_999_999 } },
      resp(),
    );
    for (const st of [s0, s]) {
      const back = decodeState(encodeState(st));
      expect(bytesToHex(encodeState(back))).toBe(bytesToHex(encodeState(st)));
      expect(summary(back.validators)).toEqual(summary(st.validators));
      expect(summary(back.nextValidators)).toEqual(summary(st.nextValidators));
      expect(back.lastBlockHeight).toBe(st.lastBlockHeight);
      expect(back.initialHeight).toBe(2n ** 62n);
      expect(back.consensusParams).toEqual(st.consensusParams);
    }
    expect(decodeState(encodeState(s0)).lastValidators.isEmpty()).toBe(true);
  });
  it('refuses garbage with a DecodeError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          decodeState(bytes);
        } catch (e) {
          expect((e as Error).name).toBe('DecodeError');
        }
      }),
    );
  });
});

describe('StateStore', () => {
  it('saves the state with validators and params per height, and FinalizeBlock responses', async () => {
    const store = await StateStore.open(new MemoryDb());
    const g = genesis([[keyA, 10n]]);
    expect(await store.load()).toBeUndefined();
    const s0 = await store.loadFromGenesis(g);
    await store.save(s0);
    expect(summary((await store.loadValidators(1n))!)).toEqual(summary(s0.validators));
    expect(summary((await store.loadValidators(2n))!)).toEqual(summary(s0.nextValidators));
    expect(await store.loadValidators(3n)).toBeUndefined();
    expect(await store.loadConsensusParams(1n)).toEqual(defaultConsensusParams());

    const r1 = resp({
      validatorUpdates: [ed(keyB, 30n)],
      txResults: [
        {
          code: 0,
          data: new Uint8Array(0),
          log: 'ok',
          info: '',
          gasWanted: 2n ** 63n - 1n,
          gasUsed: 2n ** 31n,
          events: [],
          codespace: '',
        },
      ],
    });
    await store.saveFinalizeBlockResponse(1n, r1);
    const s1 = updateState(s0, blockId(1n), header(1n), r1);
    await store.save(s1);
    const back = (await store.loadFinalizeBlockResponse(1n))!;
    expect(back.txResults[0]!.gasWanted).toBe(2n ** 63n - 1n);
    expect(back.txResults[0]!.gasUsed).toBe(2n ** 31n);
    expect(back.validatorUpdates[0]!.power).toBe(30n);
    expect(await store.loadFinalizeBlockResponse(2n)).toBeUndefined();
    // Block 3 is the first signed by A and B.
    expect((await store.loadValidators(2n))!.size).toBe(1);
    expect((await store.loadValidators(3n))!.size).toBe(2);
    expect(bytesToHex(encodeState((await store.load())!))).toBe(bytesToHex(encodeState(s1)));
    expect(bytesToHex(encodeState(await store.loadFromGenesis(g)))).toBe(bytesToHex(encodeState(s1)));
    await expect(store.loadFromGenesis({ ...g, chainId: 'other' })).rejects.toThrow(
      /for chain "state-test", genesis is for "other"/,
    );
    await expect(store.loadValidators(0n)).rejects.toThrow(/positive int64/);

    expect(await store.pruneStates(1n, 2n)).toBe(3); // validators, params and response of height 1
    expect(await store.loadValidators(1n)).toBeUndefined();
    expect(await store.loadValidators(2n)).toBeDefined();
    await expect(store.pruneStates(2n, 2n)).rejects.toThrow(/empty/);
  });

  it('persists in LevelDB across reopen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hearth-state-'));
    dirs.push(dir);
    let store = await StateStore.open(await openLevelDb(dir));
    let s: State = makeGenesisState(
      genesis([
        [keyA, 10n],
        [keyC, 5n],
      ]),
    );
    await store.save(s);
    for (let h = 1n; h <= 5n; h++) {
      const r = resp({ validatorUpdates: h === 2n ? [ed(keyB, 7n)] : [] });
      await store.saveFinalizeBlockResponse(h, r);
      s = updateState(s, blockId(h), header(h), r);
      await store.save(s);
    }
    await store.close();
    store = await StateStore.open(await openLevelDb(dir));
    expect(bytesToHex(encodeState((await store.load())!))).toBe(bytesToHex(encodeState(s)));
    expect((await store.loadValidators(4n))!.size).toBe(3);
    expect((await store.loadValidators(3n))!.size).toBe(2);
    await store.close();
  });
});
