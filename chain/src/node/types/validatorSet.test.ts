import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import fc from 'fast-check';
import secp256k1 from 'secp256k1';
import { describe, expect, it } from 'vitest';
import priority from '../../../test/vectors/cometbft/proposerPriority.json' with { type: 'json' };
import vsHash from '../../../test/vectors/cometbft/validatorSetHash.json' with { type: 'json' };
import { encodeSimpleValidator } from './encoding.js';
import { InvalidCommitError, NotEnoughVotingPowerError, ValidationError } from './errors.js';
import { sha256 } from './merkle.js';
import { INT64_MAX, INT64_MIN } from './proto.js';
import { commitVoteSignBytes } from './signBytes.js';
import { GO_ZERO_TIME } from './time.js';
import {
  type BlockId,
  BlockIdFlag,
  type Commit,
  type CommitSig,
  type PublicKey,
  type Validator,
} from './types.js';
import { MAX_TOTAL_VOTING_POWER, newValidator, ValidatorSet } from './validatorSet.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const ascii = (s: string) => new TextEncoder().encode(s);
const DUMMY_KEY: PublicKey = { type: 'ed25519', key: new Uint8Array(32) };

/** A validator identified only by address, as CometBFT's proposer tests build them. */
function val(address: Uint8Array | string, power: bigint | number, prio: bigint | number = 0n): Validator {
  return {
    address: typeof address === 'string' ? ascii(address) : address,
    pubKey: DUMMY_KEY,
    votingPower: BigInt(power),
    proposerPriority: BigInt(prio),
  };
}

function addr20(last: number): Uint8Array {
  const a = new Uint8Array(20);
  a[19] = last;
  return a;
}

describe('CometBFT types/validator_set_test.go proposer selection', () => {
  it('TestProposerSelection1: foo/bar/baz sequence of 99 proposers', () => {
    const t = priority.TestProposerSelection1;
    const set = ValidatorSet.create(t.validators.map((v) => val(v.address_ascii, v.power)));
    const seen: string[] = [];
    for (let i = 0; i < 99; i++) {
      seen.push(new TextDecoder().decode(set.getProposer()!.address));
      set.incrementProposerPriority(1);
    }
    expect(seen).toEqual(t.expected_sequence);
  });

  it('TestProposerSelection2: equal powers rotate in address order', () => {
    const set = ValidatorSet.create([val(addr20(0), 100), val(addr20(1), 100), val(addr20(2), 100)]);
    for (let i = 0; i < 15; i++) {
      expect(set.getProposer()!.address[19]).toBe(i % 3);
      set.incrementProposerPriority(1);
    }
  });

  it('TestProposerSelection2: 100/100/400 then 100/100/401', () => {
    const a = ValidatorSet.create([val(addr20(0), 100), val(addr20(1), 100), val(addr20(2), 400)]);
    expect(a.getProposer()!.address[19]).toBe(2);
    a.incrementProposerPriority(1);
    expect(a.getProposer()!.address[19]).toBe(0);
    const b = ValidatorSet.create([val(addr20(0), 100), val(addr20(1), 100), val(addr20(2), 401)]);
    expect(b.getProposer()!.address[19]).toBe(2);
    b.incrementProposerPriority(1);
    expect(b.getProposer()!.address[19]).toBe(2);
    b.incrementProposerPriority(1);
    expect(b.getProposer()!.address[19]).toBe(0);
  });

  it('TestProposerSelection2: powers 4/5/3 propose 40/50/30 times in 120 rounds', () => {
    const set = ValidatorSet.create([val(addr20(0), 4), val(addr20(1), 5), val(addr20(2), 3)]);
    const counts = [0, 0, 0];
    for (let i = 0; i < 120; i++) {
      counts[set.getProposer()!.address[19]!]!++;
      set.incrementProposerPriority(1);
    }
    expect(counts).toEqual([40, 50, 30]);
  });

  const withPower = priority.TestAveragingInIncrementProposerPriorityWithVotingPower;
  it.each(withPower.cases)('TestAveragingInIncrementProposerPriorityWithVotingPower times=$times', (c) => {
    const set = ValidatorSet.fromExisting(
      withPower.validators.map((v) =>
        val(Uint8Array.from(Buffer.from(v.address_hex, 'hex')), v.power, v.prio),
      ),
    );
    const after = set.copyIncrementProposerPriority(c.times);
    expect(hex(after.getProposer()!.address)).toBe(c.proposer_address_hex);
    expect(after.validators.map((v) => Number(v.proposerPriority))).toEqual(c.priorities);
    // the original is untouched
    expect(set.validators.map((v) => v.proposerPriority)).toEqual([0n, 0n, 0n]);
  });

  it.each(priority.TestAveragingInIncrementProposerPriority.cases)(
    'TestAveragingInIncrementProposerPriority $initial x$times',
    (c) => {
      const set = ValidatorSet.fromExisting(['a', 'b', 'c'].map((a, i) => val(a, 0, c.initial[i]!)));
      const after = set.copyIncrementProposerPriority(c.times);
      expect(after.validators.map((v) => Number(v.proposerPriority))).toEqual(c.expected_after);
    },
  );

  it('TestAvgProposerPriority', () => {
    const avg = (prios: bigint[]) =>
      ValidatorSet.fromExisting(prios.map((p, i) => val(addr20(i), 0, p))).computeAvgProposerPriority();
    expect(avg([0n, 0n, 0n])).toBe(0n);
    expect(avg([INT64_MAX, 0n, 0n])).toBe(3074457345618258602n);
    expect(avg([INT64_MAX, 0n])).toBe(4611686018427387903n);
    expect(avg([INT64_MAX, INT64_MAX])).toBe(INT64_MAX);
    expect(avg([INT64_MIN, INT64_MIN])).toBe(INT64_MIN);
    expect(avg([-1n, 0n])).toBe(-1n); // floor, not truncation
  });
});

describe('validator-set hash (tendermint-rs test_validator_set, generated by Go)', () => {
  it('sorts by power then address and hashes SimpleValidator leaves', () => {
    const set = ValidatorSet.create(
      vsHash.validators_input_order.map((v) =>
        newValidator(
          { type: 'ed25519', key: Uint8Array.from(Buffer.from(v.ed25519_pubkey_hex, 'hex')) },
          BigInt(v.voting_power),
        ),
      ),
    );
    expect(set.validators.map((v) => hex(v.address).toUpperCase())).toEqual(
      vsHash.derived_sorted.map((d) => d.address),
    );
    expect(set.validators.map((v) => hex(encodeSimpleValidator(v.pubKey, v.votingPower)))).toEqual(
      vsHash.derived_sorted.map((d) => d.leaf_hex),
    );
    expect(hex(set.hash())).toBe(vsHash.expected_hash_hex);
  });

  it('an empty set hashes to SHA-256 of nothing', () => {
    expect(hex(ValidatorSet.create([]).hash())).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });
});

describe('proposer rotation properties', () => {
  it('over one cycle of total-power rounds every validator proposes exactly its power', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 6 }), (powers) => {
        const set = ValidatorSet.create(powers.map((p, i) => val(addr20(i), p)));
        const total = powers.reduce((a, b) => a + b, 0);
        const counts = powers.map(() => 0);
        for (let r = 0; r < total; r++) {
          counts[set.getProposer()!.address[19]!]!++;
          set.incrementProposerPriority(1);
        }
        expect(counts).toEqual(powers);
      }),
      { numRuns: 100 },
    );
  });

  it('priorities stay centred and within the 2x total-power window under random changes', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            who: fc.integer({ min: 0, max: 7 }),
            power: fc.bigInt({ min: 0n, max: 1000n }),
            rounds: fc.integer({ min: 1, max: 5 }),
          }),
          { minLength: 1, maxLength: 30 },
        ),
        (steps) => {
          const set = ValidatorSet.create([val(addr20(0), 10), val(addr20(1), 20)]);
          for (const s of steps) {
            try {
              set.updateWithChangeSet([val(addr20(s.who), s.power)]);
            } catch (e) {
              expect(e).toBeInstanceOf(ValidationError); // removing the last or a missing validator
            }
            set.incrementProposerPriority(s.rounds);
            const prios = set.validators.map((v) => v.proposerPriority);
            const sorted = [...prios].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
            const total = set.totalVotingPower();
            expect(sorted[sorted.length - 1]! - sorted[0]!).toBeLessThanOrEqual(3n * total);
            // centring leaves a sum in [0, n); each round adds and removes exactly the total power
            const sum = prios.reduce((a, b) => a + b, 0n);
            expect(sum >= 0n && sum < BigInt(prios.length)).toBe(true);
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('UpdateWithChangeSet', () => {
  it('new validators enter at -1.125 x total power, then the set is rescaled and centred', () => {
    const set = ValidatorSet.create([val('v1', 10), val('v2', 10)]);
    expect(set.validators.map((v) => v.proposerPriority)).toEqual([-10n, 10n]);
    set.updateWithChangeSet([val('v3', 20)]);
    // v3 enters at -(40 + 40>>3) = -45; the average of [-10, 10, -45] is floor(-15) = -15
    expect(set.validators.map((v) => [new TextDecoder().decode(v.address), v.proposerPriority])).toEqual([
      ['v3', -30n],
      ['v1', 5n],
      ['v2', 25n],
    ]);
    expect(set.totalVotingPower()).toBe(40n);
  });

  it('power 0 removes; updates keep priority; results are ordered by power then address', () => {
    const set = ValidatorSet.create([val('a', 5), val('b', 5), val('c', 5)]);
    set.updateWithChangeSet([val('b', 0), val('c', 50)]);
    expect(set.validators.map((v) => new TextDecoder().decode(v.address))).toEqual(['c', 'a']);
    expect(set.totalVotingPower()).toBe(55n);
  });

  it('refuses bad change sets and leaves the set unchanged', () => {
    const set = ValidatorSet.create([val('a', 5), val('b', 5)]);
    const before = set.validators;
    const cases: [Validator[], RegExp][] = [
      [[val('x', 1), val('x', 2)], /duplicate entry/],
      [[val('x', -1)], /can't be negative/],
      [[val('x', MAX_TOTAL_VOTING_POWER + 1n)], /can't be higher/],
      [[val('a', 0), val('b', 0)], /empty set/],
      [[val('zz', 0)], /failed to find validator/],
      [[val('x', MAX_TOTAL_VOTING_POWER - 5n)], /exceeds max/],
    ];
    for (const [changes, err] of cases) {
      expect(() => set.updateWithChangeSet(changes)).toThrow(err);
      expect(set.validators).toEqual(before);
    }
    expect(() => ValidatorSet.create([val('a', 0)])).toThrow(/voting power 0/);
  });

  it('accepts voting power right at the cap and refuses the set one above', () => {
    const set = ValidatorSet.create([val('a', MAX_TOTAL_VOTING_POWER - 1n), val('b', 1n)]);
    expect(set.totalVotingPower()).toBe(MAX_TOTAL_VOTING_POWER);
    set.incrementProposerPriority(10);
    expect(() => ValidatorSet.create([val('a', MAX_TOTAL_VOTING_POWER), val('b', 1n)])).toThrow(
      /exceeds max/,
    );
  });
});

// ---------------------------------------------------------------------------------------------

interface Signer {
  pubKey: PublicKey;
  sign(msg: Uint8Array): Uint8Array;
}

function ed25519Signer(): Signer {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(12));
  return {
    pubKey: { type: 'ed25519', key: raw },
    sign: (m) => new Uint8Array(sign(null, m, privateKey as KeyObject)),
  };
}

function secp256k1Signer(seed: number): Signer {
  const priv = sha256(Uint8Array.of(seed, 1, 2, 3));
  return {
    pubKey: { type: 'secp256k1', key: secp256k1.publicKeyCreate(priv, true) },
    sign: (m) => secp256k1.ecdsaSign(sha256(m), priv).signature,
  };
}

const CHAIN = 'hearth-test-1';
const BLOCK: BlockId = {
  hash: sha256(ascii('block')),
  partSetHeader: { total: 1, hash: sha256(ascii('parts')) },
};

/** Builds a commit where validator i votes flags[i] ('c' commit, 'n' nil, 'a' absent). */
function makeCommit(
  set: ValidatorSet,
  signers: Map<string, Signer>,
  flags: string,
  height = 7n,
  round = 1,
): Commit {
  const sigs: CommitSig[] = set.validators.map((v, i) => {
    const f = flags[i];
    if (f === 'a') {
      return {
        blockIdFlag: BlockIdFlag.Absent,
        validatorAddress: new Uint8Array(0),
        timestamp: GO_ZERO_TIME,
        signature: new Uint8Array(0),
      };
    }
    return {
      blockIdFlag: f === 'n' ? BlockIdFlag.Nil : BlockIdFlag.Commit,
      validatorAddress: v.address,
      timestamp: { seconds: 1700000000n + BigInt(i), nanos: 5 },
      signature: new Uint8Array(0),
    };
  });
  const commit: Commit = { height, round, blockId: BLOCK, signatures: sigs };
  for (const [i, v] of set.validators.entries()) {
    if (flags[i] === 'a') continue;
    const signer = signers.get(hex(v.address))!;
    commit.signatures[i] = {
      ...commit.signatures[i]!,
      signature: signer.sign(commitVoteSignBytes(CHAIN, commit, i)),
    };
  }
  return commit;
}

describe('VerifyCommit', () => {
  const signerList = [ed25519Signer(), ed25519Signer(), ed25519Signer(), ed25519Signer()];
  const signers = new Map(signerList.map((s) => [hex(newValidator(s.pubKey, 1n).address), s]));
  const set = ValidatorSet.create(signerList.map((s) => newValidator(s.pubKey, 10n)));

  it('accepts 3 of 4 equal validators, absent or nil for the rest', () => {
    set.verifyCommit(CHAIN, BLOCK, 7n, makeCommit(set, signers, 'ccca'));
    set.verifyCommit(CHAIN, BLOCK, 7n, makeCommit(set, signers, 'cncc'));
    set.verifyCommitLight(CHAIN, BLOCK, 7n, makeCommit(set, signers, 'accc'));
  });

  it('refuses exactly 2/3 of the power: more than 2/3 is needed', () => {
    const six = ValidatorSet.create(signerList.slice(0, 3).map((s) => newValidator(s.pubKey, 10n)));
    try {
      six.verifyCommit(CHAIN, BLOCK, 7n, makeCommit(six, signers, 'cca'));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(NotEnoughVotingPowerError);
      expect((e as NotEnoughVotingPowerError).got).toBe(20n);
      expect((e as NotEnoughVotingPowerError).needed).toBe(20n);
    }
    expect(() => set.verifyCommit(CHAIN, BLOCK, 7n, makeCommit(set, signers, 'ccnn'))).toThrow(
      NotEnoughVotingPowerError,
    );
  });

  it('checks every non-absent signature, nil votes included; light mode stops at +2/3', () => {
    const commit = makeCommit(set, signers, 'cccn');
    const bad = Uint8Array.from(commit.signatures[3]!.signature);
    bad[0]! ^= 1;
    commit.signatures[3] = { ...commit.signatures[3]!, signature: bad };
    expect(() => set.verifyCommit(CHAIN, BLOCK, 7n, commit)).toThrow(/wrong signature \(#3\)/);
    set.verifyCommitLight(CHAIN, BLOCK, 7n, commit); // the nil vote is ignored by light verification
  });

  it('refuses structural mismatches with clear errors', () => {
    const commit = makeCommit(set, signers, 'cccc');
    expect(() => set.verifyCommit(CHAIN, BLOCK, 8n, commit)).toThrow(/wrong height/);
    expect(() => set.verifyCommit(CHAIN, { ...BLOCK, hash: sha256(BLOCK.hash) }, 7n, commit)).toThrow(
      /wrong block ID/,
    );
    expect(() =>
      set.verifyCommit(CHAIN, BLOCK, 7n, { ...commit, signatures: commit.signatures.slice(1) }),
    ).toThrow(/wrong set size/);
    const absentWithSig = { ...commit.signatures[0]!, blockIdFlag: BlockIdFlag.Absent };
    expect(() =>
      set.verifyCommit(CHAIN, BLOCK, 7n, {
        ...commit,
        signatures: [absentWithSig, ...commit.signatures.slice(1)],
      }),
    ).not.toThrow(); // absent slots are skipped before validation, as CometBFT's VerifyCommit does
    const unknownFlag = { ...commit.signatures[0]!, blockIdFlag: 9 };
    expect(() =>
      set.verifyCommit(CHAIN, BLOCK, 7n, {
        ...commit,
        signatures: [unknownFlag, ...commit.signatures.slice(1)],
      }),
    ).toThrow(/unknown BlockIDFlag/);
    expect(() => set.verifyCommit('other-chain', BLOCK, 7n, commit)).toThrow(InvalidCommitError);
  });

  it('trusting verification matches by address, tolerates strangers and catches double votes', () => {
    const commit = makeCommit(set, signers, 'cccc');
    const subset = ValidatorSet.create(signerList.slice(0, 2).map((s) => newValidator(s.pubKey, 10n)));
    subset.verifyCommitLightTrusting(CHAIN, commit, { numerator: 1n, denominator: 3n });
    const doubled = { ...commit, signatures: [...commit.signatures, commit.signatures[0]!] };
    expect(() =>
      set.verifyCommitLightTrusting(CHAIN, doubled, { numerator: 1n, denominator: 3n }, true),
    ).toThrow(/double vote/);
    expect(() => set.verifyCommitLightTrusting(CHAIN, commit, { numerator: 1n, denominator: 0n })).toThrow(
      /zero Denominator/,
    );
  });

  it('verifies secp256k1 validators too', () => {
    const ks = [secp256k1Signer(1), secp256k1Signer(2)];
    const m = new Map(ks.map((s) => [hex(newValidator(s.pubKey, 1n).address), s]));
    const kset = ValidatorSet.create(ks.map((s) => newValidator(s.pubKey, 5n)));
    kset.verifyCommit(CHAIN, BLOCK, 7n, makeCommit(kset, m, 'cc'));
    expect(() => kset.verifyCommit(CHAIN, BLOCK, 7n, makeCommit(kset, m, 'ca'))).toThrow(
      NotEnoughVotingPowerError,
    );
  });
});

describe('wire form and validation', () => {
  it('toData/fromData round-trips and keeps the proposer', () => {
    const s = ed25519Signer();
    const t = ed25519Signer();
    const set = ValidatorSet.create([newValidator(s.pubKey, 3n), newValidator(t.pubKey, 4n)]);
    set.incrementProposerPriority(3);
    const data = set.toData();
    expect(data.totalVotingPower).toBe(0n);
    const back = ValidatorSet.fromData(data);
    expect(back.validators).toEqual(set.validators);
    expect(back.getProposer()).toEqual(set.getProposer());
    expect(hex(back.hash())).toBe(hex(set.hash()));
  });

  it('fromData refuses a validator whose address does not match its key, or a foreign proposer', () => {
    const s = ed25519Signer();
    const v = newValidator(s.pubKey, 3n);
    expect(() =>
      ValidatorSet.fromData({
        validators: [{ ...v, address: new Uint8Array(20) }],
        proposer: v,
        totalVotingPower: 0n,
      }),
    ).toThrow(/incorrectly derived/);
    const other = newValidator(ed25519Signer().pubKey, 1n);
    expect(() => ValidatorSet.fromData({ validators: [v], proposer: other, totalVotingPower: 0n })).toThrow(
      /proposer not in validator set/,
    );
    expect(() => ValidatorSet.fromData({ validators: [], totalVotingPower: 0n })).toThrow(/nil or empty/);
  });
});
