import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryDb, openLevelDb, type StoreDb } from '../../store/db.js';
import {
  addressOfKey,
  chainStores,
  fakeBlockId,
  generateChain,
  saveBlockAndState,
  signVote,
  type TestChain,
  testKeys,
} from '../blocksync/testkit.js';
import type { State } from '../state/index.js';
import {
  blockIdKey,
  bytesEqual,
  type DuplicateVoteEvidence,
  decodeEvidence,
  type Evidence,
  encodeEvidence,
  INT64_MAX,
  SignedMsgType,
  type Vote,
} from '../types/index.js';
import { EvidencePool, evidenceListSize } from './pool.js';
import { InvalidEvidenceError, isEvidenceExpired, UnusableEvidenceError } from './verify.js';

let chain: TestChain;
beforeAll(() => {
  chain = generateChain(8, { validators: 4 });
});

/** The index of `key`'s validator in the set that signs `height`. */
function indexAt(height: number, keyIndex: number): number {
  const set = (chain.states[height - 1] as State).validators;
  return set.getByAddress(addressOfKey(chain.keys[keyIndex]!))!.index;
}

function votePair(
  height: number,
  keyIndex = 0,
  opts: { chainId?: string; type?: number } = {},
): [Vote, Vote] {
  const key = chain.keys[keyIndex]!;
  const idx = indexAt(height, keyIndex);
  const common = { height: BigInt(height), round: 0, type: opts.type ?? SignedMsgType.Prevote };
  const cid = opts.chainId ?? chain.chainId;
  return [
    signVote(cid, key, idx, { ...common, blockId: fakeBlockId(`a${height}`) }),
    signVote(cid, key, idx, { ...common, blockId: fakeBlockId(`b${height}`) }),
  ];
}

/** Evidence as a correct peer would build it for block `height`'s votes. */
function evidenceFor(height: number, pair = votePair(height), keyIndex = 0): Evidence {
  const [v1, v2] = pair;
  const [voteA, voteB] = blockIdKey(v1.blockId) < blockIdKey(v2.blockId) ? [v1, v2] : [v2, v1];
  const set = (chain.states[height - 1] as State).validators;
  const power = set.getByAddress(addressOfKey(chain.keys[keyIndex]!))!.validator.votingPower;
  return {
    kind: 'duplicateVote',
    duplicateVote: {
      voteA,
      voteB,
      totalVotingPower: set.totalVotingPower(),
      validatorPower: power,
      timestamp: chain.blocks[height - 1]!.header.time,
    },
  };
}

function withDve(e: Evidence, patch: Partial<DuplicateVoteEvidence>): Evidence {
  if (e.kind !== 'duplicateVote') throw new Error('not a duplicate vote');
  return { kind: 'duplicateVote', duplicateVote: { ...e.duplicateVote, ...patch } };
}

async function setup(height = 6, db: StoreDb = new MemoryDb()) {
  const stores = await chainStores(chain, height);
  let state = stores.state;
  const pool = await EvidencePool.open({
    db,
    stateStore: stores.stateStore,
    blockStore: stores.blockStore,
    chainState: () => state,
  });
  return {
    ...stores,
    db,
    pool,
    setState: (s: State) => {
      state = s;
    },
    /** Commits block h of the test chain (stores + pool update). */
    commit: async (h: number, evidence: Evidence[] = []) => {
      await saveBlockAndState(chain, h, stores.stateStore, stores.blockStore);
      state = chain.states[h]!;
      await pool.update(state, evidence);
    },
  };
}

describe('EvidencePool.addFromConsensus', () => {
  it('builds CometBFT DuplicateVoteEvidence for a committed height', async () => {
    const { pool } = await setup(6);
    const [v1, v2] = votePair(4, 1);
    // Report them in the "wrong" order: the pool orders by BlockID key.
    const [first, second] = blockIdKey(v1.blockId) < blockIdKey(v2.blockId) ? [v2, v1] : [v1, v2];
    await pool.addFromConsensus(first, second);
    const pending = pool.pendingEvidence(-1);
    expect(pending).toHaveLength(1);
    const ev = pending[0]!;
    if (ev.kind !== 'duplicateVote') throw new Error('unexpected kind');
    expect(blockIdKey(ev.duplicateVote.voteA!.blockId) < blockIdKey(ev.duplicateVote.voteB!.blockId)).toBe(
      true,
    );
    expect(ev.duplicateVote.totalVotingPower).toBe(40n);
    expect(ev.duplicateVote.validatorPower).toBe(10n);
    expect(ev.duplicateVote.timestamp).toEqual(chain.blocks[3]!.header.time);
    expect(ev).toEqual(evidenceFor(4, [v1, v2], 1));
    // A peer sending the same evidence adds nothing.
    expect(await pool.addEvidence(evidenceFor(4, [v1, v2], 1))).toBe(false);
    expect(pool.size()).toBe(1);
  });

  it('waits for the votes height to be committed, then stamps that block time', async () => {
    const { pool, commit } = await setup(5);
    const [a, b] = votePair(6, 2);
    await pool.addFromConsensus(a, b);
    expect(pool.size()).toBe(0);
    await commit(6);
    expect(pool.pendingEvidence(-1)).toEqual([evidenceFor(6, [a, b], 2)]);
  });

  it('drops a pair that is not a real duplicate (same block) without throwing', async () => {
    const { pool } = await setup(6);
    const [a] = votePair(3);
    await pool.addFromConsensus(a, a);
    expect(pool.size()).toBe(0);
  });
});

describe('EvidencePool.addEvidence', () => {
  it('accepts a real duplicate vote pair once', async () => {
    const { pool } = await setup(6);
    const seen: Evidence[] = [];
    pool.onNewEvidence((e) => seen.push(e));
    expect(await pool.addEvidence(evidenceFor(3))).toBe(true);
    expect(await pool.addEvidence(evidenceFor(3))).toBe(false);
    expect(seen).toHaveLength(1);
    expect(pool.pendingEvidence(-1)).toEqual([evidenceFor(3)]);
  });

  it('refuses forged signatures, single votes, non-validators, wrong powers, time or chain', async () => {
    const { pool } = await setup(6);
    const good = evidenceFor(3);
    if (good.kind !== 'duplicateVote') throw new Error('kind');
    const { voteA, voteB } = good.duplicateVote;
    const forged = { ...voteB!, signature: voteA!.signature };
    const cases: [string, Evidence, RegExp][] = [
      ['forged signature', withDve(good, { voteB: forged }), /VoteB: invalid signature/],
      ['single vote', withDve(good, { voteB: undefined }), /empty/],
      ['same vote twice', withDve(good, { voteB: voteA }), /invalid order|same/],
      ['wrong validator power', withDve(good, { validatorPower: 11n }), /power/],
      ['wrong total power', withDve(good, { totalVotingPower: 41n }), /total voting power/],
      ['wrong time', withDve(good, { timestamp: chain.blocks[4]!.header.time }), /different time/],
      ['other chain', evidenceFor(3, votePair(3, 0, { chainId: 'other-chain' })), /invalid signature/],
    ];
    // A key outside the validator set signing two votes at height 3.
    const outsider = testKeys(1, 'outsider')[0]!;
    const o1 = signVote(chain.chainId, outsider, 0, { height: 3n, blockId: fakeBlockId('x') });
    const o2 = signVote(chain.chainId, outsider, 0, { height: 3n, blockId: fakeBlockId('y') });
    const [oa, ob] = blockIdKey(o1.blockId) < blockIdKey(o2.blockId) ? [o1, o2] : [o2, o1];
    cases.push(['non-validator', withDve(good, { voteA: oa, voteB: ob }), /was not a validator/]);
    // Votes for different rounds.
    const r1 = signVote(chain.chainId, chain.keys[0]!, indexAt(3, 0), {
      height: 3n,
      round: 1,
      blockId: voteB!.blockId,
    });
    cases.push(['different rounds', withDve(good, { voteB: r1 }), /h\/r\/s does not match/]);
    for (const [name, ev, re] of cases) {
      const err = await pool.addEvidence(ev).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, name).toBeInstanceOf(InvalidEvidenceError);
      expect((err as Error).message, name).toMatch(re);
    }
    expect(pool.size()).toBe(0);
  });

  it('refuses expired evidence and evidence above our height without blaming the peer', async () => {
    const { pool, setState } = await setup(8);
    const s = chain.states[8]!;
    // 3 blocks and 3 s old: expired only when both limits are passed.
    setState({
      ...s,
      consensusParams: {
        ...s.consensusParams,
        evidence: { ...s.consensusParams.evidence, maxAgeNumBlocks: 2n, maxAgeDuration: 2_000_000_000n },
      },
    });
    await expect(pool.addEvidence(evidenceFor(5))).rejects.toThrow(UnusableEvidenceError);
    await expect(pool.addEvidence(evidenceFor(5))).rejects.toThrow(/too old/);
    setState({
      ...s,
      consensusParams: {
        ...s.consensusParams,
        evidence: { ...s.consensusParams.evidence, maxAgeNumBlocks: 2n, maxAgeDuration: 10_000_000_000n },
      },
    });
    expect(await pool.addEvidence(evidenceFor(5))).toBe(true);
    const { pool: behind } = await setup(4);
    await expect(behind.addEvidence(evidenceFor(6))).rejects.toThrow(/ahead of our height/);
  });

  it('isEvidenceExpired follows CometBFT: both the block age and the time age must be exceeded', () => {
    const p = { maxAgeNumBlocks: 10n, maxAgeDuration: 100n };
    const t = (ns: number) => ({ seconds: 0n, nanos: ns });
    expect(isEvidenceExpired(p, 100n, t(500), 89n, t(399))).toBe(true);
    expect(isEvidenceExpired(p, 100n, t(500), 90n, t(399))).toBe(false);
    expect(isEvidenceExpired(p, 100n, t(500), 89n, t(400))).toBe(false);
  });
});

describe('EvidencePool blocks: pendingEvidence, checkEvidence, update', () => {
  it('limits pending evidence by EvidenceList bytes, in height order', async () => {
    const { pool } = await setup(6);
    for (const h of [5, 2, 4]) await pool.addEvidence(evidenceFor(h));
    const all = pool.pendingEvidence(-1);
    expect(all.map((e) => (e.kind === 'duplicateVote' ? e.duplicateVote.voteA!.height : 0n))).toEqual([
      2n,
      4n,
      5n,
    ]);
    const one = evidenceListSize([all[0]!]);
    const two = evidenceListSize(all.slice(0, 2));
    expect(pool.pendingEvidence(two)).toEqual(all.slice(0, 2));
    expect(pool.pendingEvidence(two - 1n)).toEqual(all.slice(0, 1));
    expect(pool.pendingEvidence(one - 1n)).toEqual([]);
  });

  it('checkEvidence refuses duplicates, committed and invalid evidence, and adopts valid new evidence', async () => {
    const { pool, commit } = await setup(5);
    const e2 = evidenceFor(2);
    await expect(pool.checkEvidence([e2, e2])).rejects.toThrow(/duplicate evidence/);
    await expect(pool.checkEvidence([withDve(e2, { validatorPower: 1n })])).rejects.toThrow(
      InvalidEvidenceError,
    );
    await pool.checkEvidence([e2]);
    expect(pool.isPending(e2)).toBe(true);
    await commit(6, [e2]);
    expect(pool.isPending(e2)).toBe(false);
    expect(await pool.isCommitted(e2)).toBe(true);
    await expect(pool.checkEvidence([e2])).rejects.toThrow(/already committed/);
    expect(await pool.addEvidence(e2)).toBe(false);
  });

  it('checkEvidence refuses more than evidence.max_bytes', async () => {
    const { pool, setState } = await setup(6);
    const s = chain.states[6]!;
    const list = [evidenceFor(2), evidenceFor(3)];
    setState({
      ...s,
      consensusParams: {
        ...s.consensusParams,
        evidence: { ...s.consensusParams.evidence, maxBytes: evidenceListSize(list) - 1n },
      },
    });
    await expect(pool.checkEvidence(list)).rejects.toThrow(/exceeds evidence.max_bytes/);
  });

  it('keeps pending and committed markers across a restart and prunes expired ones', async () => {
    const db = new MemoryDb();
    const { pool, commit, stateStore, blockStore } = await setup(5, db);
    await pool.addEvidence(evidenceFor(2));
    await pool.addEvidence(evidenceFor(3));
    await commit(6, [evidenceFor(3)]);
    const reopened = await EvidencePool.open({
      db,
      stateStore,
      blockStore,
      chainState: () => chain.states[6]!,
    });
    expect(reopened.pendingEvidence(-1)).toEqual([evidenceFor(2)]);
    expect(await reopened.isCommitted(evidenceFor(3))).toBe(true);
    await expect(reopened.update(chain.states[6]!, [])).rejects.toThrow(/not above/);
    // With tiny limits, block 7 makes both heights 2 and 3 expired: both entries go.
    const s7 = chain.states[7]!;
    const tight = {
      ...s7,
      consensusParams: {
        ...s7.consensusParams,
        evidence: { ...s7.consensusParams.evidence, maxAgeNumBlocks: 1n, maxAgeDuration: 1n },
      },
    };
    await reopened.update(tight, []);
    expect(reopened.size()).toBe(0);
    expect(await reopened.isCommitted(evidenceFor(3))).toBe(false);
    expect([...db.data.keys()]).toEqual([]);
  });

  it('persists in LevelDB across a reopen', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hearth-evidence-'));
    try {
      const db = await openLevelDb(dir);
      const { pool, commit, stateStore, blockStore } = await setup(5, db);
      await pool.addEvidence(evidenceFor(2));
      await pool.addEvidence(evidenceFor(4));
      await commit(6, [evidenceFor(4)]);
      await db.close();
      const db2 = await openLevelDb(dir);
      const again = await EvidencePool.open({
        db: db2,
        stateStore,
        blockStore,
        chainState: () => chain.states[6]!,
      });
      expect(again.pendingEvidence(-1)).toEqual([evidenceFor(2)]);
      expect(await again.isCommitted(evidenceFor(4))).toBe(true);
      await db2.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('round-trips evidence with 64-bit powers above 2^31 up to 2^63-1', () => {
    const ev = withDve(evidenceFor(3), { totalVotingPower: INT64_MAX, validatorPower: 2n ** 31n });
    const back = decodeEvidence(encodeEvidence(ev));
    expect(back).toEqual(ev);
    expect(bytesEqual(encodeEvidence(back), encodeEvidence(ev))).toBe(true);
  });
});
