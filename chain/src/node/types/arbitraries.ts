/**
 * fast-check arbitraries for the CometBFT types, for this module's property tests (and for
 * other node subsystems' tests). Integers lean on the edges: 0, ±1, 2^31, 2^32, 2^53 and the
 * int64/uint64 limits; timestamps on year 1, 2038 and year 9999.
 */
import fc from 'fast-check';
import { INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN, UINT32_MAX, UINT64_MAX } from './proto.js';
import { MAX_TIMESTAMP_SECONDS, MIN_TIMESTAMP_SECONDS, type Timestamp } from './time.js';
import type {
  Block,
  BlockId,
  Commit,
  CommitSig,
  ConsensusParams,
  Data,
  DuplicateVoteEvidence,
  Evidence,
  ExtendedCommit,
  Header,
  Part,
  Proof,
  Proposal,
  PublicKey,
  Validator,
  Vote,
} from './types.js';

const EDGE_INT64 = [
  0n,
  1n,
  -1n,
  2n ** 31n - 1n,
  2n ** 31n,
  2n ** 32n,
  2n ** 53n + 1n,
  -(2n ** 31n),
  INT64_MAX,
  INT64_MIN,
];

export const int64 = (): fc.Arbitrary<bigint> =>
  fc.oneof(fc.constantFrom(...EDGE_INT64), fc.bigInt({ min: INT64_MIN, max: INT64_MAX }));

export const nonNegativeInt64 = (): fc.Arbitrary<bigint> =>
  fc.oneof(fc.constantFrom(0n, 1n, 2n ** 31n, 2n ** 32n, INT64_MAX), fc.bigInt({ min: 0n, max: INT64_MAX }));

export const uint64 = (): fc.Arbitrary<bigint> =>
  fc.oneof(
    fc.constantFrom(0n, 1n, 2n ** 31n, 2n ** 63n, UINT64_MAX),
    fc.bigInt({ min: 0n, max: UINT64_MAX }),
  );

export const int32 = (): fc.Arbitrary<number> =>
  fc.oneof(fc.constantFrom(0, -1, INT32_MAX, INT32_MIN), fc.integer({ min: INT32_MIN, max: INT32_MAX }));

export const uint32 = (): fc.Arbitrary<number> =>
  fc.oneof(fc.constantFrom(0, 1, 2 ** 31, UINT32_MAX), fc.integer({ min: 0, max: UINT32_MAX }));

export const bytes = (maxLength = 40): fc.Arbitrary<Uint8Array> => fc.uint8Array({ maxLength });

export const hash = (): fc.Arbitrary<Uint8Array> =>
  fc.oneof(fc.constant(new Uint8Array(0)), fc.uint8Array({ minLength: 32, maxLength: 32 }));

export const address = (): fc.Arbitrary<Uint8Array> => fc.uint8Array({ minLength: 20, maxLength: 20 });

export const timestamp = (): fc.Arbitrary<Timestamp> =>
  fc.record({
    seconds: fc.oneof(
      fc.constantFrom(
        MIN_TIMESTAMP_SECONDS,
        0n,
        2n ** 31n - 1n, // 2038-01-19T03:14:07Z
        2n ** 31n,
        2n ** 32n,
        MAX_TIMESTAMP_SECONDS,
      ),
      fc.bigInt({ min: MIN_TIMESTAMP_SECONDS, max: MAX_TIMESTAMP_SECONDS }),
    ),
    nanos: fc.oneof(
      fc.constantFrom(0, 1, 999_999_999, 100_000_000),
      fc.integer({ min: 0, max: 999_999_999 }),
    ),
  });

export const blockId = (): fc.Arbitrary<BlockId> =>
  fc.record({ hash: hash(), partSetHeader: fc.record({ total: uint32(), hash: hash() }) });

export const header = (): fc.Arbitrary<Header> =>
  fc.record({
    version: fc.record({ block: uint64(), app: uint64() }),
    chainId: fc.string({ maxLength: 50 }),
    height: int64(),
    time: timestamp(),
    lastBlockId: blockId(),
    lastCommitHash: hash(),
    dataHash: hash(),
    validatorsHash: hash(),
    nextValidatorsHash: hash(),
    consensusHash: hash(),
    appHash: bytes(),
    lastResultsHash: hash(),
    evidenceHash: hash(),
    proposerAddress: bytes(20),
  });

export const data = (): fc.Arbitrary<Data> => fc.record({ txs: fc.array(bytes(100), { maxLength: 5 }) });

export const vote = (): fc.Arbitrary<Vote> =>
  fc.record({
    type: fc.constantFrom(0, 1, 2, 32),
    height: int64(),
    round: int32(),
    blockId: blockId(),
    timestamp: timestamp(),
    validatorAddress: bytes(20),
    validatorIndex: int32(),
    signature: bytes(64),
    extension: bytes(),
    extensionSignature: bytes(64),
  });

export const commitSig = (): fc.Arbitrary<CommitSig> =>
  fc.record({
    blockIdFlag: fc.constantFrom(0, 1, 2, 3),
    validatorAddress: bytes(20),
    timestamp: timestamp(),
    signature: bytes(64),
  });

export const commit = (): fc.Arbitrary<Commit> =>
  fc.record({
    height: int64(),
    round: int32(),
    blockId: blockId(),
    signatures: fc.array(commitSig(), { maxLength: 4 }),
  });

export const extendedCommit = (): fc.Arbitrary<ExtendedCommit> =>
  fc.record({
    height: int64(),
    round: int32(),
    blockId: blockId(),
    extendedSignatures: fc.array(
      fc.record({
        blockIdFlag: fc.constantFrom(0, 1, 2, 3),
        validatorAddress: bytes(20),
        timestamp: timestamp(),
        signature: bytes(64),
        extension: bytes(),
        extensionSignature: bytes(64),
      }),
      { maxLength: 4 },
    ),
  });

export const proposal = (): fc.Arbitrary<Proposal> =>
  fc.record({
    type: fc.constantFrom(0, 32),
    height: int64(),
    round: int32(),
    polRound: int32(),
    blockId: blockId(),
    timestamp: timestamp(),
    signature: bytes(64),
  });

export const duplicateVoteEvidence = (): fc.Arbitrary<DuplicateVoteEvidence> =>
  fc.record(
    {
      voteA: vote(),
      voteB: vote(),
      totalVotingPower: int64(),
      validatorPower: int64(),
      timestamp: timestamp(),
    },
    { requiredKeys: ['totalVotingPower', 'validatorPower', 'timestamp'] },
  );

export const evidence = (): fc.Arbitrary<Evidence> =>
  fc.oneof(
    duplicateVoteEvidence().map((d): Evidence => ({ kind: 'duplicateVote', duplicateVote: d })),
    bytes(80).map((encoded): Evidence => ({ kind: 'lightClientAttack', encoded })),
  );

export const block = (): fc.Arbitrary<Block> =>
  fc.record(
    {
      header: header(),
      data: data(),
      evidence: fc.array(evidence(), { maxLength: 2 }),
      lastCommit: commit(),
    },
    { requiredKeys: ['header', 'data', 'evidence'] },
  );

export const publicKey = (): fc.Arbitrary<PublicKey> =>
  fc.oneof(
    fc.uint8Array({ minLength: 32, maxLength: 32 }).map((key): PublicKey => ({ type: 'ed25519', key })),
    fc.uint8Array({ minLength: 33, maxLength: 33 }).map((key): PublicKey => ({ type: 'secp256k1', key })),
  );

export const validator = (): fc.Arbitrary<Validator> =>
  fc.record({ address: bytes(20), pubKey: publicKey(), votingPower: int64(), proposerPriority: int64() });

export const proof = (): fc.Arbitrary<Proof> =>
  fc.record({ total: int64(), index: int64(), leafHash: hash(), aunts: fc.array(hash(), { maxLength: 5 }) });

export const part = (): fc.Arbitrary<Part> =>
  fc.record({ index: uint32(), bytes: bytes(200), proof: proof() });

export const consensusParams = (): fc.Arbitrary<ConsensusParams> =>
  fc.record(
    {
      block: fc.record({ maxBytes: int64(), maxGas: int64() }),
      evidence: fc.record({ maxAgeNumBlocks: int64(), maxAgeDuration: int64(), maxBytes: int64() }),
      validator: fc.record({
        pubKeyTypes: fc.array(fc.constantFrom('ed25519', 'secp256k1'), { maxLength: 2 }),
      }),
      version: fc.record({ app: uint64() }),
      abci: fc.record({ voteExtensionsEnableHeight: int64() }),
    },
    { requiredKeys: [] },
  );
