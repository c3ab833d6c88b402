/**
 * Protobuf encoders and decoders for the CometBFT v0.38 types, byte for byte as CometBFT's
 * gogoproto-generated Go code writes them (proto/tendermint/{types,crypto,version}/*.proto).
 *
 * Field order is ascending field number; proto3 defaults are omitted; gogoproto non-nullable
 * embedded messages (timestamps, block IDs, headers, ...) are always written, pointer fields
 * only when set. Every encoder goes through `@bufbuild/protobuf`'s BinaryWriter so that all
 * 64-bit values survive. Decoders are strict (see proto.ts) and copy the bytes they keep.
 */
import { DecodeError, ValidationError } from './errors.js';
import {
  type BinaryWriter,
  decodeWith,
  encodeWith,
  ProtoReader,
  writeBytes,
  writeInt32,
  writeInt64,
  writeMessage,
  writeOptionalMessage,
  writeRepeatedBytes,
  writeString,
  writeUint32,
  writeUint64,
} from './proto.js';
import {
  decodeDurationFrom,
  decodeTimestampFrom,
  encodeDurationInto,
  encodeTimestampInto,
  goZeroTime,
  type Timestamp,
} from './time.js';
import {
  type Block,
  type BlockId,
  type BlockMeta,
  type Commit,
  type CommitSig,
  type ConsensusParams,
  type ConsensusVersion,
  type Data,
  type DeterministicTxResult,
  type DuplicateVoteEvidence,
  type Evidence,
  type ExtendedCommit,
  type ExtendedCommitSig,
  emptyBlockId,
  emptyPartSetHeader,
  type HashedParams,
  type Header,
  type Part,
  type PartSetHeader,
  type Proof,
  type Proposal,
  type PublicKey,
  type SignedHeader,
  type Validator,
  type ValidatorSetData,
  type Vote,
} from './types.js';

const EMPTY = new Uint8Array(0);

function sub(r: ProtoReader, what: string): ProtoReader {
  return new ProtoReader(r.bytes(), what);
}

function need<T>(v: T | undefined, what: string): T {
  if (v === undefined || v === null) throw new ValidationError(`${what} is required`);
  return v;
}

// ---------------------------------------------------------------------------------------------
// Timestamp (google.protobuf.Timestamp)

export function encodeTimestamp(t: Timestamp): Uint8Array {
  return encodeWith(encodeTimestampInto, t);
}

export function decodeTimestamp(bytes: Uint8Array): Timestamp {
  return decodeWith('Timestamp', bytes, decodeTimestampFrom);
}

// ---------------------------------------------------------------------------------------------
// tendermint.version.Consensus

export function encodeConsensusVersionInto(w: BinaryWriter, v: ConsensusVersion): void {
  writeUint64(w, 1, v.block, 'Consensus.block');
  writeUint64(w, 2, v.app, 'Consensus.app');
}

export function decodeConsensusVersionFrom(r: ProtoReader): ConsensusVersion {
  const v: ConsensusVersion = { block: 0n, app: 0n };
  for (let f = r.next(); f !== 0; f = r.next()) {
    if (f === 1) v.block = r.uint64();
    else if (f === 2) v.app = r.uint64();
    else r.skip();
  }
  return v;
}

export const encodeConsensusVersion = (v: ConsensusVersion) => encodeWith(encodeConsensusVersionInto, v);
export const decodeConsensusVersion = (b: Uint8Array) =>
  decodeWith('Consensus', b, decodeConsensusVersionFrom);

// ---------------------------------------------------------------------------------------------
// PartSetHeader, BlockID

export function encodePartSetHeaderInto(w: BinaryWriter, p: PartSetHeader): void {
  writeUint32(w, 1, p.total, 'PartSetHeader.total');
  writeBytes(w, 2, p.hash);
}

export function decodePartSetHeaderFrom(r: ProtoReader): PartSetHeader {
  const p = emptyPartSetHeader();
  for (let f = r.next(); f !== 0; f = r.next()) {
    if (f === 1) p.total = r.uint32();
    else if (f === 2) p.hash = r.bytesCopy();
    else r.skip();
  }
  return p;
}

export const encodePartSetHeader = (p: PartSetHeader) => encodeWith(encodePartSetHeaderInto, p);
export const decodePartSetHeader = (b: Uint8Array) => decodeWith('PartSetHeader', b, decodePartSetHeaderFrom);

export function encodeBlockIdInto(w: BinaryWriter, b: BlockId): void {
  writeBytes(w, 1, b.hash);
  writeMessage(w, 2, b.partSetHeader, encodePartSetHeaderInto);
}

export function decodeBlockIdFrom(r: ProtoReader): BlockId {
  const b = emptyBlockId();
  for (let f = r.next(); f !== 0; f = r.next()) {
    if (f === 1) b.hash = r.bytesCopy();
    else if (f === 2) b.partSetHeader = decodePartSetHeaderFrom(sub(r, 'BlockID.part_set_header'));
    else r.skip();
  }
  return b;
}

export const encodeBlockId = (b: BlockId) => encodeWith(encodeBlockIdInto, b);
export const decodeBlockId = (b: Uint8Array) => decodeWith('BlockID', b, decodeBlockIdFrom);

// ---------------------------------------------------------------------------------------------
// Header

export function encodeHeaderInto(w: BinaryWriter, h: Header): void {
  writeMessage(w, 1, h.version, encodeConsensusVersionInto);
  writeString(w, 2, h.chainId);
  writeInt64(w, 3, h.height, 'Header.height');
  writeMessage(w, 4, h.time, encodeTimestampInto);
  writeMessage(w, 5, h.lastBlockId, encodeBlockIdInto);
  writeBytes(w, 6, h.lastCommitHash);
  writeBytes(w, 7, h.dataHash);
  writeBytes(w, 8, h.validatorsHash);
  writeBytes(w, 9, h.nextValidatorsHash);
  writeBytes(w, 10, h.consensusHash);
  writeBytes(w, 11, h.appHash);
  writeBytes(w, 12, h.lastResultsHash);
  writeBytes(w, 13, h.evidenceHash);
  writeBytes(w, 14, h.proposerAddress);
}

export function emptyHeader(): Header {
  return {
    version: { block: 0n, app: 0n },
    chainId: '',
    height: 0n,
    time: goZeroTime(),
    lastBlockId: emptyBlockId(),
    lastCommitHash: EMPTY,
    dataHash: EMPTY,
    validatorsHash: EMPTY,
    nextValidatorsHash: EMPTY,
    consensusHash: EMPTY,
    appHash: EMPTY,
    lastResultsHash: EMPTY,
    evidenceHash: EMPTY,
    proposerAddress: EMPTY,
  };
}

export function decodeHeaderFrom(r: ProtoReader): Header {
  const h = emptyHeader();
  for (let f = r.next(); f !== 0; f = r.next()) {
    switch (f) {
      case 1:
        h.version = decodeConsensusVersionFrom(sub(r, 'Header.version'));
        break;
      case 2:
        h.chainId = r.string();
        break;
      case 3:
        h.height = r.int64();
        break;
      case 4:
        h.time = decodeTimestampFrom(sub(r, 'Header.time'));
        break;
      case 5:
        h.lastBlockId = decodeBlockIdFrom(sub(r, 'Header.last_block_id'));
        break;
      case 6:
        h.lastCommitHash = r.bytesCopy();
        break;
      case 7:
        h.dataHash = r.bytesCopy();
        break;
      case 8:
        h.validatorsHash = r.bytesCopy();
        break;
      case 9:
        h.nextValidatorsHash = r.bytesCopy();
        break;
      case 10:
        h.consensusHash = r.bytesCopy();
        break;
      case 11:
        h.appHash = r.bytesCopy();
        break;
      case 12:
        h.lastResultsHash = r.bytesCopy();
        break;
      case 13:
        h.evidenceHash = r.bytesCopy();
        break;
      case 14:
        h.proposerAddress = r.bytesCopy();
        break;
      default:
        r.skip();
    }
  }
  return h;
}

export const encodeHeader = (h: Header) => encodeWith(encodeHeaderInto, h);
export const decodeHeader = (b: Uint8Array) => decodeWith('Header', b, decodeHeaderFrom);

// ---------------------------------------------------------------------------------------------
// Data

export function encodeDataInto(w: BinaryWriter, d: Data): void {
  for (const tx of d.txs) writeRepeatedBytes(w, 1, tx);
}

export function decodeDataFrom(r: ProtoReader): Data {
  const d: Data = { txs: [] };
  for (let f = r.next(); f !== 0; f = r.next()) {
    if (f === 1) d.txs.push(r.bytesCopy());
    else r.skip();
  }
  return d;
}

export const encodeData = (d: Data) => encodeWith(encodeDataInto, d);
export const decodeData = (b: Uint8Array) => decodeWith('Data', b, decodeDataFrom);

// ---------------------------------------------------------------------------------------------
// Vote

export function encodeVoteInto(w: BinaryWriter, v: Vote): void {
  writeInt32(w, 1, v.type, 'Vote.type');
  writeInt64(w, 2, v.height, 'Vote.height');
  writeInt32(w, 3, v.round, 'Vote.round');
  writeMessage(w, 4, v.blockId, encodeBlockIdInto);
  writeMessage(w, 5, v.timestamp, encodeTimestampInto);
  writeBytes(w, 6, v.validatorAddress);
  writeInt32(w, 7, v.validatorIndex, 'Vote.validator_index');
  writeBytes(w, 8, v.signature);
  writeBytes(w, 9, v.extension);
  writeBytes(w, 10, v.extensionSignature);
}

export function decodeVoteFrom(r: ProtoReader): Vote {
  const v: Vote = {
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
  for (let f = r.next(); f !== 0; f = r.next()) {
    switch (f) {
      case 1:
        v.type = r.int32();
        break;
      case 2:
        v.height = r.int64();
        break;
      case 3:
        v.round = r.int32();
        break;
      case 4:
        v.blockId = decodeBlockIdFrom(sub(r, 'Vote.block_id'));
        break;
      case 5:
        v.timestamp = decodeTimestampFrom(sub(r, 'Vote.timestamp'));
        break;
      case 6:
        v.validatorAddress = r.bytesCopy();
        break;
      case 7:
        v.validatorIndex = r.int32();
        break;
      case 8:
        v.signature = r.bytesCopy();
        break;
      case 9:
        v.extension = r.bytesCopy();
        break;
      case 10:
        v.extensionSignature = r.bytesCopy();
        break;
      default:
        r.skip();
    }
  }
  return v;
}

export const encodeVote = (v: Vote) => encodeWith(encodeVoteInto, v);
export const decodeVote = (b: Uint8Array) => decodeWith('Vote', b, decodeVoteFrom);

// ---------------------------------------------------------------------------------------------
// CommitSig, Commit, ExtendedCommitSig, ExtendedCommit

export function encodeCommitSigInto(w: BinaryWriter, s: CommitSig): void {
  writeInt32(w, 1, s.blockIdFlag, 'CommitSig.block_id_flag');
  writeBytes(w, 2, s.validatorAddress);
  writeMessage(w, 3, s.timestamp, encodeTimestampInto);
  writeBytes(w, 4, s.signature);
}

export function decodeCommitSigFrom(r: ProtoReader): CommitSig {
  const s: CommitSig = { blockIdFlag: 0, validatorAddress: EMPTY, timestamp: goZeroTime(), signature: EMPTY };
  for (let f = r.next(); f !== 0; f = r.next()) {
    if (f === 1) s.blockIdFlag = r.int32();
    else if (f === 2) s.validatorAddress = r.bytesCopy();
    else if (f === 3) s.timestamp = decodeTimestampFrom(sub(r, 'CommitSig.timestamp'));
    else if (f === 4) s.signature = r.bytesCopy();
    else r.skip();
  }
  return s;
}

export const encodeCommitSig = (s: CommitSig) => encodeWith(encodeCommitSigInto, s);
export const decodeCommitSig = (b: Uint8Array) => decodeWith('CommitSig', b, decodeCommitSigFrom);

export function encodeCommitInto(w: BinaryWriter, c: Commit): void {
  writeInt64(w, 1, c.height, 'Commit.height');
  writeInt32(w, 2, c.round, 'Commit.round');
  writeMessage(w, 3, c.blockId, encodeBlockIdInto);
  for (const s of c.signatures) writeMessage(w, 4, s, encodeCommitSigInto);
}

export function decodeCommitFrom(r: ProtoReader): Commit {
  const c: Commit = { height: 0n, round: 0, blockId: emptyBlockId(), signatures: [] };
  for (let f = r.next(); f !== 0; f = r.next()) {
    if (f === 1) c.height = r.int64();
    else if (f === 2) c.round = r.int32();
    else if (f === 3) c.blockId = decodeBlockIdFrom(sub(r, 'Commit.block_id'));
    else if (f === 4) c.signatures.push(decodeCommitSigFrom(sub(r, 'Commit.signatures')));
    else r.skip();
  }
  return c;
}

export const encodeCommit = (c: Commit) => encodeWith(encodeCommitInto, c);
export const decodeCommit = (b: Uint8Array) => decodeWith('Commit', b, decodeCommitFrom);

export function encodeExtendedCommitSigInto(w: BinaryWriter, s: ExtendedCommitSig): void {
  encodeCommitSigInto(w, s);
  writeBytes(w, 5, s.extension);
  writeBytes(w, 6, s.extensionSignature);
}

export function decodeExtendedCommitSigFrom(r: ProtoReader): ExtendedCommitSig {
  const s: ExtendedCommitSig = {
    blockIdFlag: 0,
    validatorAddress: EMPTY,
    timestamp: goZeroTime(),
    signature: EMPTY,
    extension: EMPTY,
    extensionSignature: EMPTY,
  };
  for (let f = r.next(); f !== 0; f = r.next()) {
    if (f === 1) s.blockIdFlag = r.int32();
    else if (f === 2) s.validatorAddress = r.bytesCopy();
    else if (f === 3) s.timestamp = decodeTimestampFrom(sub(r, 'ExtendedCommitSig.timestamp'));
    else if (f === 4) s.signature = r.bytesCopy();
    else if (f === 5) s.extension = r.bytesCopy();
    else if (f === 6) s.extensionSignature = r.bytesCopy();
    else r.skip();
  }
  return s;
}

export function encodeExtendedCommitInto(w: BinaryWriter, c: ExtendedCommit): void {
  writeInt64(w, 1, c.height, 'ExtendedCommit.height');
  writeInt32(w, 2, c.round, 'ExtendedCommit.round');
  writeMessage(w, 3, c.blockId, encodeBlockIdInto);
  for (const s of c.extendedSignatures) writeMessage(w, 4, s, encodeExtendedCommitSigInto);
}

export function decodeExtendedCommitFrom(r: ProtoReader): ExtendedCommit {
  const c: ExtendedCommit = { height: 0n, round: 0, blockId: emptyBlockId(), extendedSignatures: [] };
  for (let f = r.next(); f !== 0; f = r.next()) {
    if (f === 1) c.height = r.int64();
    else if (f === 2) c.round = r.int32();
    else if (f === 3) c.blockId = decodeBlockIdFrom(sub(r, 'ExtendedCommit.block_id'));
    else if (f === 4) c.extendedSignatures.push(decodeExtendedCommitSigFrom(sub(r, 'ExtendedCommit.sigs')));
    else r.skip();
  }
  return c;
}

export const encodeExtendedCommit = (c: ExtendedCommit) => encodeWith(encodeExtendedCommitInto, c);
export const decodeExtendedCommit = (b: Uint8Array) =>
  decodeWith('ExtendedCommit', b, decodeExtendedCommitFrom);

/** ExtendedCommit.ToCommit: drops the extensions. */
export function extendedCommitToCommit(c: ExtendedCommit): Commit {
  return {
    height: c.height,
    round: c.round,
    blockId: c.blockId,
    signatures: c.extendedSignatures.map((s) => ({
      blockIdFlag: s.blockIdFlag,
      validatorAddress: s.validatorAddress,
      timestamp: s.timestamp,
      signature: s.signature,
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// Proposal

export function encodeProposalInto(w: BinaryWriter, p: Proposal): void {
  writeInt32(w, 1, p.type, 'Proposal.type');
  writeInt64(w, 2, p.height, 'Proposal.height');
  writeInt32(w, 3, p.round, 'Proposal.round');
  writeInt32(w, 4, p.polRound, 'Proposal.pol_round');
  writeMessage(w, 5, p.blockId, encodeBlockIdInto);
  writeMessage(w, 6, p.timestamp, encodeTimestampInto);
  writeBytes(w, 7, p.signature);
}

export function decodeProposalFrom(r: ProtoReader): Proposal {
  const p: Proposal = {
    type: 0,
    height: 0n,
    round: 0,
    polRound: 0,
    blockId: emptyBlockId(),
    timestamp: goZeroTime(),
    signature: EMPTY,
  };
  for (let f = r.next(); f !== 0; f = r.next()) {
    switch (f) {
      case 1:
        p.type = r.int32();
        break;
      case 2:
        p.height = r.int64();
        break;
      case 3:
        p.round = r.int32();
        break;
      case 4:
        p.polRound = r.int32();
        break;
      case 5:
        p.blockId = decodeBlockIdFrom(sub(r, 'Proposal.block_id'));
        break;
      case 6:
        p.timestamp = decodeTimestampFrom(sub(r, 'Proposal.timestamp'));
        break;
      case 7:
        p.signature = r.bytesCopy();
        break;
      default:
        r.skip();
    }
  }
  return p;
}

export const encodeProposal = (p: Proposal) => encodeWith(encodeProposalInto, p);
export const decodeProposal = (b: Uint8Array) => decodeWith('Proposal', b, decodeProposalFrom);

// ---------------------------------------------------------------------------------------------
// Evidence

export function encodeDuplicateVoteEvidenceInto(w: BinaryWriter, e: DuplicateVoteEvidence): void {
  writeOptionalMessage(w, 1, e.voteA, encodeVoteInto);
  writeOptionalMessage(w, 2, e.voteB, encodeVoteInto);
  writeInt64(w, 3, e.totalVotingPower, 'DuplicateVoteEvidence.total_voting_power');
  writeInt64(w, 4, e.validatorPower, 'DuplicateVoteEvidence.validator_power');
  writeMessage(w, 5, e.timestamp, encodeTimestampInto);
}

export function decodeDuplicateVoteEvidenceFrom(r: ProtoReader): DuplicateVoteEvidence {
  const e: DuplicateVoteEvidence = { totalVotingPower: 0n, validatorPower: 0n, timestamp: goZeroTime() };
  for (let f = r.next(); f !== 0; f = r.next()) {
    if (f === 1) e.voteA = decodeVoteFrom(sub(r, 'DuplicateVoteEvidence.vote_a'));
    else if (f === 2) e.voteB = decodeVoteFrom(sub(r, 'DuplicateVoteEvidence.vote_b'));
    else if (f === 3) e.totalVotingPower = r.int64();
    else if (f === 4) e.validatorPower = r.int64();
    else if (f === 5) e.timestamp = decodeTimestampFrom(sub(r, 'DuplicateVoteEvidence.timestamp'));
    else r.skip();
  }
  return e;
}

export const encodeDuplicateVoteEvidence = (e: DuplicateVoteEvidence) =>
  encodeWith(encodeDuplicateVoteEvidenceInto, e);
export const decodeDuplicateVoteEvidence = (b: Uint8Array) =>
  decodeWith('DuplicateVoteEvidence', b, decodeDuplicateVoteEvidenceFrom);

/** Writes the `tendermint.types.Evidence` oneof wrapper. */
export function encodeEvidenceInto(w: BinaryWriter, e: Evidence): void {
  if (e.kind === 'duplicateVote') writeMessage(w, 1, e.duplicateVote, encodeDuplicateVoteEvidenceInto);
  else if (e.kind === 'lightClientAttack') writeRepeatedBytes(w, 2, e.encoded);
  else throw new ValidationError(`Evidence: unknown kind ${String((e as { kind: unknown }).kind)}`);
}

export function decodeEvidenceFrom(r: ProtoReader): Evidence {
  let e: Evidence | undefined;
  for (let f = r.next(); f !== 0; f = r.next()) {
    if (f === 1) {
      e = {
        kind: 'duplicateVote',
        duplicateVote: decodeDuplicateVoteEvidenceFrom(sub(r, 'Evidence.duplicate')),
      };
    } else if (f === 2) e = { kind: 'lightClientAttack', encoded: r.bytesCopy() };
    else r.skip();
  }
  if (e === undefined) throw new DecodeError('Evidence: no known evidence type is set');
  return e;
}

export const encodeEvidence = (e: Evidence) => encodeWith(encodeEvidenceInto, e);
export const decodeEvidence = (b: Uint8Array) => decodeWith('Evidence', b, decodeEvidenceFrom);

/** The bytes CometBFT's `Evidence.Bytes()` returns (the inner message, without the oneof wrapper). */
export function evidenceBytes(e: Evidence): Uint8Array {
  if (e.kind === 'duplicateVote') return encodeDuplicateVoteEvidence(e.duplicateVote);
  return e.encoded;
}

export function encodeEvidenceListInto(w: BinaryWriter, list: Evidence[]): void {
  for (const e of list) writeMessage(w, 1, e, encodeEvidenceInto);
}

export function decodeEvidenceListFrom(r: ProtoReader): Evidence[] {
  const list: Evidence[] = [];
  for (let f = r.next(); f !== 0; f = r.next()) {
    if (f === 1) list.push(decodeEvidenceFrom(sub(r, 'EvidenceList.evidence')));
    else r.skip();
  }
  return list;
}

// ---------------------------------------------------------------------------------------------
// Block, SignedHeader, BlockMeta

export function encodeBlockInto(w: BinaryWriter, b: Block): void {
  writeMessage(w, 1, need(b.header, 'Block.header'), encodeHeaderInto);
  writeMessage(w, 2, need(b.data, 'Block.data'), encodeDataInto);
  writeMessage(w, 3, need(b.evidence, 'Block.evidence'), encodeEvidenceListInto);
  writeOptionalMessage(w, 4, b.lastCommit, encodeCommitInto);
}

export function decodeBlockFrom(r: ProtoReader): Block {
  const b: Block = { header: emptyHeader(), data: { txs: [] }, evidence: [] };
  for (let f = r.next(); f !== 0; f = r.next()) {
    if (f === 1) b.header = decodeHeaderFrom(sub(r, 'Block.header'));
    else if (f === 2) b.data = decodeDataFrom(sub(r, 'Block.data'));
    else if (f === 3) b.evidence = decodeEvidenceListFrom(sub(r, 'Block.evidence'));
    else if (f === 4) b.lastCommit = decodeCommitFrom(sub(r, 'Block.last_commit'));
    else r.skip();
  }
  return b;
}

export const encodeBlock = (b: Block) => encodeWith(encodeBlockInto, b);
export const decodeBlock = (b: Uint8Array) => decodeWith('Block', b, decodeBlockFrom);

export function encodeSignedHeaderInto(w: BinaryWriter, s: SignedHeader): void {
  writeOptionalMessage(w, 1, s.header, encodeHeaderInto);
  writeOptionalMessage(w, 2, s.commit, encodeCommitInto);
}

export function decodeSignedHeaderFrom(r: ProtoReader): SignedHeader {
  const s: SignedHeader = {};
  for (let f = r.next(); f !== 0; f = r.next()) {
    if (f === 1) s.header = decodeHeaderFrom(sub(r, 'SignedHeader.header'));
    else if (f === 2) s.commit = decodeCommitFrom(sub(r, 'SignedHeader.commit'));
    else r.skip();
  }
  return s;
}

export const encodeSignedHeader = (s: SignedHeader) => encodeWith(encodeSignedHeaderInto, s);
export const decodeSignedHeader = (b: Uint8Array) => decodeWith('SignedHeader', b, decodeSignedHeaderFrom);

export function encodeBlockMetaInto(w: BinaryWriter, m: BlockMeta): void {
  writeMessage(w, 1, m.blockId, encodeBlockIdInto);
  writeInt64(w, 2, m.blockSize, 'BlockMeta.block_size');
  writeMessage(w, 3, m.header, encodeHeaderInto);
  writeInt64(w, 4, m.numTxs, 'BlockMeta.num_txs');
}

export function decodeBlockMetaFrom(r: ProtoReader): BlockMeta {
  const m: BlockMeta = { blockId: emptyBlockId(), blockSize: 0n, header: emptyHeader(), numTxs: 0n };
  for (let f = r.next(); f !== 0; f = r.next()) {
    if (f === 1) m.blockId = decodeBlockIdFrom(sub(r, 'BlockMeta.block_id'));
    else if (f === 2) m.blockSize = r.int64();
    else if (f === 3) m.header = decodeHeaderFrom(sub(r, 'BlockMeta.header'));
    else if (f === 4) m.numTxs = r.int64();
    else r.skip();
  }
  return m;
}

export const encodeBlockMeta = (m: BlockMeta) => encodeWith(encodeBlockMetaInto, m);
export const decodeBlockMeta = (b: Uint8Array) => decodeWith('BlockMeta', b, decodeBlockMetaFrom);

// ---------------------------------------------------------------------------------------------
// PublicKey, Validator, SimpleValidator, ValidatorSet

export function encodePublicKeyInto(w: BinaryWriter, k: PublicKey): void {
  if (k.type === 'ed25519') writeRepeatedBytes(w, 1, k.key);
  else if (k.type === 'secp256k1') writeRepeatedBytes(w, 2, k.key);
  else throw new ValidationError(`PublicKey: unknown type ${String((k as { type: unknown }).type)}`);
}

export function decodePublicKeyFrom(r: ProtoReader): PublicKey {
  let k: PublicKey | undefined;
  for (let f = r.next(); f !== 0; f = r.next()) {
    if (f === 1) k = { type: 'ed25519', key: r.bytesCopy(1024) };
    else if (f === 2) k = { type: 'secp256k1', key: r.bytesCopy(1024) };
    else r.skip();
  }
  if (k === undefined) throw new DecodeError('PublicKey: no key type is set');
  return k;
}

export const encodePublicKey = (k: PublicKey) => encodeWith(encodePublicKeyInto, k);
export const decodePublicKey = (b: Uint8Array) => decodeWith('PublicKey', b, decodePublicKeyFrom);

export function encodeValidatorInto(w: BinaryWriter, v: Validator): void {
  writeBytes(w, 1, v.address);
  writeMessage(w, 2, need(v.pubKey, 'Validator.pub_key'), encodePublicKeyInto);
  writeInt64(w, 3, v.votingPower, 'Validator.voting_power');
  writeInt64(w, 4, v.proposerPriority, 'Validator.proposer_priority');
}

export function decodeValidatorFrom(r: ProtoReader): Validator {
  let address: Uint8Array = EMPTY;
  let pubKey: PublicKey | undefined;
  let votingPower = 0n;
  let proposerPriority = 0n;
  for (let f = r.next(); f !== 0; f = r.next()) {
    if (f === 1) address = r.bytesCopy();
    else if (f === 2) pubKey = decodePublicKeyFrom(sub(r, 'Validator.pub_key'));
    else if (f === 3) votingPower = r.int64();
    else if (f === 4) proposerPriority = r.int64();
    else r.skip();
  }
  if (pubKey === undefined) throw new DecodeError('Validator: pub_key is missing');
  return { address, pubKey, votingPower, proposerPriority };
}

export const encodeValidator = (v: Validator) => encodeWith(encodeValidatorInto, v);
export const decodeValidator = (b: Uint8Array) => decodeWith('Validator', b, decodeValidatorFrom);

/** SimpleValidator{pub_key, voting_power}: a validator's leaf in the validator-set hash. */
export function encodeSimpleValidator(pubKey: PublicKey, votingPower: bigint): Uint8Array {
  return encodeWith((w: BinaryWriter, _: null) => {
    writeMessage(w, 1, pubKey, encodePublicKeyInto);
    writeInt64(w, 2, votingPower, 'SimpleValidator.voting_power');
  }, null);
}

export function encodeValidatorSetInto(w: BinaryWriter, s: ValidatorSetData): void {
  for (const v of s.validators) writeMessage(w, 1, v, encodeValidatorInto);
  writeOptionalMessage(w, 2, s.proposer, encodeValidatorInto);
  writeInt64(w, 3, s.totalVotingPower, 'ValidatorSet.total_voting_power');
}

export function decodeValidatorSetFrom(r: ProtoReader): ValidatorSetData {
  const s: ValidatorSetData = { validators: [], totalVotingPower: 0n };
  for (let f = r.next(); f !== 0; f = r.next()) {
    if (f === 1) s.validators.push(decodeValidatorFrom(sub(r, 'ValidatorSet.validators')));
    else if (f === 2) s.proposer = decodeValidatorFrom(sub(r, 'ValidatorSet.proposer'));
    else if (f === 3) s.totalVotingPower = r.int64();
    else r.skip();
  }
  return s;
}

export const encodeValidatorSetData = (s: ValidatorSetData) => encodeWith(encodeValidatorSetInto, s);
export const decodeValidatorSetData = (b: Uint8Array) =>
  decodeWith('ValidatorSet', b, decodeValidatorSetFrom);

// ---------------------------------------------------------------------------------------------
// Proof, Part

/** CometBFT's merkle.MaxAunts: a proof deeper than this is refused. */
export const MAX_AUNTS = 100;

export function encodeProofInto(w: BinaryWriter, p: Proof): void {
  writeInt64(w, 1, p.total, 'Proof.total');
  writeInt64(w, 2, p.index, 'Proof.index');
  writeBytes(w, 3, p.leafHash);
  for (const a of p.aunts) writeRepeatedBytes(w, 4, a);
}

export function decodeProofFrom(r: ProtoReader): Proof {
  const p: Proof = { total: 0n, index: 0n, leafHash: EMPTY, aunts: [] };
  for (let f = r.next(); f !== 0; f = r.next()) {
    if (f === 1) p.total = r.int64();
    else if (f === 2) p.index = r.int64();
    else if (f === 3) p.leafHash = r.bytesCopy(64);
    else if (f === 4) {
      if (p.aunts.length >= MAX_AUNTS) throw new DecodeError(`Proof: more than ${MAX_AUNTS} aunts`);
      p.aunts.push(r.bytesCopy(64));
    } else r.skip();
  }
  return p;
}

export const encodeProof = (p: Proof) => encodeWith(encodeProofInto, p);
export const decodeProof = (b: Uint8Array) => decodeWith('Proof', b, decodeProofFrom);

export function encodePartInto(w: BinaryWriter, p: Part): void {
  writeUint32(w, 1, p.index, 'Part.index');
  writeBytes(w, 2, p.bytes);
  writeMessage(w, 3, p.proof, encodeProofInto);
}

export function decodePartFrom(r: ProtoReader): Part {
  const p: Part = { index: 0, bytes: EMPTY, proof: { total: 0n, index: 0n, leafHash: EMPTY, aunts: [] } };
  for (let f = r.next(); f !== 0; f = r.next()) {
    if (f === 1) p.index = r.uint32();
    else if (f === 2) p.bytes = r.bytesCopy();
    else if (f === 3) p.proof = decodeProofFrom(sub(r, 'Part.proof'));
    else r.skip();
  }
  return p;
}

export const encodePart = (p: Part) => encodeWith(encodePartInto, p);
export const decodePart = (b: Uint8Array) => decodeWith('Part', b, decodePartFrom);

// ---------------------------------------------------------------------------------------------
// ConsensusParams, HashedParams

export function encodeConsensusParamsInto(w: BinaryWriter, p: ConsensusParams): void {
  writeOptionalMessage(w, 1, p.block, (w2, b) => {
    writeInt64(w2, 1, b.maxBytes, 'BlockParams.max_bytes');
    writeInt64(w2, 2, b.maxGas, 'BlockParams.max_gas');
  });
  writeOptionalMessage(w, 2, p.evidence, (w2, e) => {
    writeInt64(w2, 1, e.maxAgeNumBlocks, 'EvidenceParams.max_age_num_blocks');
    writeMessage(w2, 2, e.maxAgeDuration, encodeDurationInto);
    writeInt64(w2, 3, e.maxBytes, 'EvidenceParams.max_bytes');
  });
  writeOptionalMessage(w, 3, p.validator, (w2, v) => {
    for (const t of v.pubKeyTypes) w2.tag(1, 2).string(t);
  });
  writeOptionalMessage(w, 4, p.version, (w2, v) => writeUint64(w2, 1, v.app, 'VersionParams.app'));
  writeOptionalMessage(w, 5, p.abci, (w2, a) =>
    writeInt64(w2, 1, a.voteExtensionsEnableHeight, 'ABCIParams.vote_extensions_enable_height'),
  );
}

export function decodeConsensusParamsFrom(r: ProtoReader): ConsensusParams {
  const p: ConsensusParams = {};
  for (let f = r.next(); f !== 0; f = r.next()) {
    if (f === 1) {
      const s = sub(r, 'BlockParams');
      const b = { maxBytes: 0n, maxGas: 0n };
      for (let g = s.next(); g !== 0; g = s.next()) {
        if (g === 1) b.maxBytes = s.int64();
        else if (g === 2) b.maxGas = s.int64();
        else s.skip();
      }
      p.block = b;
    } else if (f === 2) {
      const s = sub(r, 'EvidenceParams');
      const e = { maxAgeNumBlocks: 0n, maxAgeDuration: 0n, maxBytes: 0n };
      for (let g = s.next(); g !== 0; g = s.next()) {
        if (g === 1) e.maxAgeNumBlocks = s.int64();
        else if (g === 2) e.maxAgeDuration = decodeDurationFrom(sub(s, 'EvidenceParams.max_age_duration'));
        else if (g === 3) e.maxBytes = s.int64();
        else s.skip();
      }
      p.evidence = e;
    } else if (f === 3) {
      const s = sub(r, 'ValidatorParams');
      const v: { pubKeyTypes: string[] } = { pubKeyTypes: [] };
      for (let g = s.next(); g !== 0; g = s.next()) {
        if (g === 1) v.pubKeyTypes.push(s.string());
        else s.skip();
      }
      p.validator = v;
    } else if (f === 4) {
      const s = sub(r, 'VersionParams');
      const v = { app: 0n };
      for (let g = s.next(); g !== 0; g = s.next()) {
        if (g === 1) v.app = s.uint64();
        else s.skip();
      }
      p.version = v;
    } else if (f === 5) {
      const s = sub(r, 'ABCIParams');
      const a = { voteExtensionsEnableHeight: 0n };
      for (let g = s.next(); g !== 0; g = s.next()) {
        if (g === 1) a.voteExtensionsEnableHeight = s.int64();
        else s.skip();
      }
      p.abci = a;
    } else r.skip();
  }
  return p;
}

export const encodeConsensusParams = (p: ConsensusParams) => encodeWith(encodeConsensusParamsInto, p);
export const decodeConsensusParams = (b: Uint8Array) =>
  decodeWith('ConsensusParams', b, decodeConsensusParamsFrom);

export function encodeHashedParams(p: HashedParams): Uint8Array {
  return encodeWith((w: BinaryWriter, v: HashedParams) => {
    writeInt64(w, 1, v.blockMaxBytes, 'HashedParams.block_max_bytes');
    writeInt64(w, 2, v.blockMaxGas, 'HashedParams.block_max_gas');
  }, p);
}

// ---------------------------------------------------------------------------------------------
// ExecTxResult (deterministic subset)

/** ExecTxResult{code, data, gas_wanted, gas_used} as the last-results hash leaf. */
export function encodeDeterministicTxResult(t: DeterministicTxResult): Uint8Array {
  return encodeWith((w: BinaryWriter, v: DeterministicTxResult) => {
    writeUint32(w, 1, v.code, 'ExecTxResult.code');
    writeBytes(w, 2, v.data);
    writeInt64(w, 5, v.gasWanted, 'ExecTxResult.gas_wanted');
    writeInt64(w, 6, v.gasUsed, 'ExecTxResult.gas_used');
  }, t);
}
