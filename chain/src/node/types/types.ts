/**
 * CometBFT v0.38 block data structures as plain data (proto/tendermint/types/*.proto,
 * proto/tendermint/crypto/*.proto, proto/tendermint/version/types.proto).
 *
 * int64/uint64 fields are bigint, int32/uint32 fields are number, hashes and addresses are
 * Uint8Array. Go's non-nullable embedded messages are required properties here; Go pointers are
 * optional properties. Byte encodings and hashes live in `encoding.ts` and `hashes.ts`.
 */
import { goZeroTime, type Timestamp } from './time.js';

export type { Timestamp } from './time.js';

/** Size of SHA-256 hashes used throughout (tmhash.Size). */
export const HASH_SIZE = 32;
/** Size of validator addresses (crypto.AddressSize). */
export const ADDRESS_SIZE = 20;
/** Largest vote/commit signature accepted (types.MaxSignatureSize). */
export const MAX_SIGNATURE_SIZE = 64;
/** Block part size (types.BlockPartSizeBytes). */
export const BLOCK_PART_SIZE_BYTES = 65536;
/** Largest block (types.MaxBlockSizeBytes). */
export const MAX_BLOCK_SIZE_BYTES = 104_857_600;
/** Largest number of parts a block can have (types.MaxBlockPartsCount). */
export const MAX_BLOCK_PARTS_COUNT = MAX_BLOCK_SIZE_BYTES / BLOCK_PART_SIZE_BYTES + 1;
/** Block protocol version of CometBFT v0.38 (version.BlockProtocol). */
export const BLOCK_PROTOCOL = 11n;

/** tendermint.types.SignedMsgType */
export const SignedMsgType = {
  Unknown: 0,
  Prevote: 1,
  Precommit: 2,
  Proposal: 32,
} as const;
export type SignedMsgType = (typeof SignedMsgType)[keyof typeof SignedMsgType];

/** tendermint.types.BlockIDFlag */
export const BlockIdFlag = {
  Unknown: 0,
  Absent: 1,
  Commit: 2,
  Nil: 3,
} as const;
export type BlockIdFlag = (typeof BlockIdFlag)[keyof typeof BlockIdFlag];

/** tendermint.version.Consensus */
export interface ConsensusVersion {
  block: bigint;
  app: bigint;
}

/** tendermint.types.PartSetHeader */
export interface PartSetHeader {
  total: number;
  hash: Uint8Array;
}

/** tendermint.types.BlockID */
export interface BlockId {
  hash: Uint8Array;
  partSetHeader: PartSetHeader;
}

/** tendermint.types.Header: the 14 fields hashed into the block hash. */
export interface Header {
  version: ConsensusVersion;
  chainId: string;
  height: bigint;
  time: Timestamp;
  lastBlockId: BlockId;
  lastCommitHash: Uint8Array;
  dataHash: Uint8Array;
  validatorsHash: Uint8Array;
  nextValidatorsHash: Uint8Array;
  consensusHash: Uint8Array;
  appHash: Uint8Array;
  lastResultsHash: Uint8Array;
  evidenceHash: Uint8Array;
  proposerAddress: Uint8Array;
}

/** tendermint.types.Data */
export interface Data {
  txs: Uint8Array[];
}

/** tendermint.types.Vote */
export interface Vote {
  type: number;
  height: bigint;
  round: number;
  blockId: BlockId;
  timestamp: Timestamp;
  validatorAddress: Uint8Array;
  validatorIndex: number;
  signature: Uint8Array;
  extension: Uint8Array;
  extensionSignature: Uint8Array;
}

/** tendermint.types.CommitSig */
export interface CommitSig {
  blockIdFlag: number;
  validatorAddress: Uint8Array;
  timestamp: Timestamp;
  signature: Uint8Array;
}

/** tendermint.types.Commit */
export interface Commit {
  height: bigint;
  round: number;
  blockId: BlockId;
  signatures: CommitSig[];
}

/** tendermint.types.ExtendedCommitSig */
export interface ExtendedCommitSig extends CommitSig {
  extension: Uint8Array;
  extensionSignature: Uint8Array;
}

/** tendermint.types.ExtendedCommit */
export interface ExtendedCommit {
  height: bigint;
  round: number;
  blockId: BlockId;
  extendedSignatures: ExtendedCommitSig[];
}

/** tendermint.types.Proposal */
export interface Proposal {
  type: number;
  height: bigint;
  round: number;
  polRound: number;
  blockId: BlockId;
  timestamp: Timestamp;
  signature: Uint8Array;
}

/** tendermint.types.DuplicateVoteEvidence */
export interface DuplicateVoteEvidence {
  voteA?: Vote;
  voteB?: Vote;
  totalVotingPower: bigint;
  validatorPower: bigint;
  timestamp: Timestamp;
}

/**
 * tendermint.types.Evidence (a oneof). Light-client-attack evidence is kept as its encoded
 * `LightClientAttackEvidence` bytes: Hearth never produces it, but must carry and hash it.
 */
export type Evidence =
  | { kind: 'duplicateVote'; duplicateVote: DuplicateVoteEvidence }
  | { kind: 'lightClientAttack'; encoded: Uint8Array };

/** tendermint.types.Block (evidence is the EvidenceList's items) */
export interface Block {
  header: Header;
  data: Data;
  evidence: Evidence[];
  lastCommit?: Commit;
}

/** tendermint.types.SignedHeader */
export interface SignedHeader {
  header?: Header;
  commit?: Commit;
}

/** tendermint.types.BlockMeta */
export interface BlockMeta {
  blockId: BlockId;
  blockSize: bigint;
  header: Header;
  numTxs: bigint;
}

/** tendermint.crypto.PublicKey (oneof ed25519 = 1, secp256k1 = 2) */
export interface PublicKey {
  type: 'ed25519' | 'secp256k1';
  key: Uint8Array;
}

/** tendermint.types.Validator */
export interface Validator {
  address: Uint8Array;
  pubKey: PublicKey;
  votingPower: bigint;
  proposerPriority: bigint;
}

/** tendermint.types.ValidatorSet (the wire form; see validatorSet.ts for the behaviour) */
export interface ValidatorSetData {
  validators: Validator[];
  proposer?: Validator;
  totalVotingPower: bigint;
}

/** tendermint.crypto.Proof */
export interface Proof {
  total: bigint;
  index: bigint;
  leafHash: Uint8Array;
  aunts: Uint8Array[];
}

/** tendermint.types.Part */
export interface Part {
  index: number;
  bytes: Uint8Array;
  proof: Proof;
}

/** tendermint.types.BlockParams */
export interface BlockParams {
  maxBytes: bigint;
  maxGas: bigint;
}

/** tendermint.types.EvidenceParams; `maxAgeDuration` in nanoseconds (Go time.Duration). */
export interface EvidenceParams {
  maxAgeNumBlocks: bigint;
  maxAgeDuration: bigint;
  maxBytes: bigint;
}

/** tendermint.types.ValidatorParams */
export interface ValidatorParams {
  pubKeyTypes: string[];
}

/** tendermint.types.VersionParams */
export interface VersionParams {
  app: bigint;
}

/** tendermint.types.ABCIParams */
export interface AbciParams {
  voteExtensionsEnableHeight: bigint;
}

/** tendermint.types.ConsensusParams */
export interface ConsensusParams {
  block?: BlockParams;
  evidence?: EvidenceParams;
  validator?: ValidatorParams;
  version?: VersionParams;
  abci?: AbciParams;
}

/** tendermint.types.HashedParams: the part of the consensus params the header commits to. */
export interface HashedParams {
  blockMaxBytes: bigint;
  blockMaxGas: bigint;
}

/**
 * The deterministic part of tendermint.abci.ExecTxResult that the last-results hash covers
 * (abci/types.deterministicExecTxResult keeps code, data, gas_wanted, gas_used).
 */
export interface DeterministicTxResult {
  code: number;
  data: Uint8Array;
  gasWanted: bigint;
  gasUsed: bigint;
}

const EMPTY = new Uint8Array(0);

export function emptyPartSetHeader(): PartSetHeader {
  return { total: 0, hash: EMPTY };
}

/** The zero BlockID (what a nil vote carries). */
export function emptyBlockId(): BlockId {
  return { hash: EMPTY, partSetHeader: emptyPartSetHeader() };
}

/** BlockID.IsZero: no hash and a zero part-set header. */
export function isZeroBlockId(b: BlockId): boolean {
  return b.hash.length === 0 && b.partSetHeader.total === 0 && b.partSetHeader.hash.length === 0;
}

/** BlockID.IsComplete: a 32-byte hash and a part-set header with parts and a 32-byte hash. */
export function isCompleteBlockId(b: BlockId): boolean {
  return (
    b.hash.length === HASH_SIZE && b.partSetHeader.total > 0 && b.partSetHeader.hash.length === HASH_SIZE
  );
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Lexicographic byte comparison (Go's bytes.Compare). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

export function blockIdEquals(a: BlockId, b: BlockId): boolean {
  return (
    bytesEqual(a.hash, b.hash) &&
    a.partSetHeader.total === b.partSetHeader.total &&
    bytesEqual(a.partSetHeader.hash, b.partSetHeader.hash)
  );
}

/** An all-defaults vote (Go's `Vote{}`), handy as a base for spreading. */
export function emptyVote(): Vote {
  return {
    type: 0,
    height: 0n,
    round: 0,
    blockId: emptyBlockId(),
    timestamp: goZeroTime(),
    validatorAddress: EMPTY,
    validatorIndex: 0,
    signature: EMPTY,
    extension: EMPTY,
    extensionSignature: EMPTY,
  };
}
