/**
 * Canonical sign bytes (types/canonical.go, proto/tendermint/types/canonical.proto): what a
 * validator signs for a vote, a vote extension and a proposal. Each is the canonical message
 * prefixed with its uvarint length (libs/protoio.MarshalDelimited).
 *
 * CanonicalVote{type=1 enum, height=2 sfixed64, round=3 sfixed64, block_id=4 CanonicalBlockID
 * (absent for a nil vote), timestamp=5 (always), chain_id=6}. The validator address and index,
 * signature and extension are not signed. CanonicalProposal adds pol_round=4 as an int64 varint
 * and shifts block_id/timestamp/chain_id to 5/6/7. CanonicalVoteExtension{extension=1,
 * height=2 sfixed64, round=3 sfixed64, chain_id=4}.
 */
import { encodePartSetHeaderInto, extendedCommitToCommit } from './encoding.js';
import { ValidationError } from './errors.js';
import {
  type BinaryWriter,
  encodeWith,
  lengthDelimited,
  writeBytes,
  writeInt32,
  writeInt64,
  writeMessage,
  writeSfixed64,
  writeString,
} from './proto.js';
import { encodeTimestampInto, goZeroTime } from './time.js';
import {
  type BlockId,
  BlockIdFlag,
  type Commit,
  type ExtendedCommit,
  emptyBlockId,
  isZeroBlockId,
  type Proposal,
  SignedMsgType,
  type Vote,
} from './types.js';

function writeCanonicalBlockId(w: BinaryWriter, field: number, b: BlockId): void {
  // CanonicalizeBlockID returns nil for a zero BlockID, so a nil vote signs no block_id at all.
  if (isZeroBlockId(b)) return;
  writeMessage(w, field, b, (w2, v) => {
    writeBytes(w2, 1, v.hash);
    writeMessage(w2, 2, v.partSetHeader, encodePartSetHeaderInto);
  });
}

/** The CanonicalVote message without its length prefix. */
export function canonicalVoteBytes(chainId: string, vote: Vote): Uint8Array {
  return encodeWith((w: BinaryWriter, v: Vote) => {
    writeInt32(w, 1, v.type, 'Vote.type');
    writeSfixed64(w, 2, v.height, 'Vote.height');
    writeSfixed64(w, 3, BigInt(v.round), 'Vote.round');
    writeCanonicalBlockId(w, 4, v.blockId);
    writeMessage(w, 5, v.timestamp, encodeTimestampInto);
    writeString(w, 6, chainId);
  }, vote);
}

/** VoteSignBytes: what a validator signs for a prevote or precommit. */
export function voteSignBytes(chainId: string, vote: Vote): Uint8Array {
  return lengthDelimited(canonicalVoteBytes(chainId, vote));
}

/** VoteExtensionSignBytes: what a validator signs for its precommit's vote extension. */
export function voteExtensionSignBytes(chainId: string, vote: Vote): Uint8Array {
  return lengthDelimited(
    encodeWith((w: BinaryWriter, v: Vote) => {
      writeBytes(w, 1, v.extension);
      writeSfixed64(w, 2, v.height, 'Vote.height');
      writeSfixed64(w, 3, BigInt(v.round), 'Vote.round');
      writeString(w, 4, chainId);
    }, vote),
  );
}

/** ProposalSignBytes: what the proposer signs for a proposal. */
export function proposalSignBytes(chainId: string, proposal: Proposal): Uint8Array {
  return lengthDelimited(
    encodeWith((w: BinaryWriter, p: Proposal) => {
      writeInt32(w, 1, p.type, 'Proposal.type');
      writeSfixed64(w, 2, p.height, 'Proposal.height');
      writeSfixed64(w, 3, BigInt(p.round), 'Proposal.round');
      writeInt64(w, 4, BigInt(p.polRound), 'Proposal.pol_round');
      writeCanonicalBlockId(w, 5, p.blockId);
      writeMessage(w, 6, p.timestamp, encodeTimestampInto);
      writeString(w, 7, chainId);
    }, proposal),
  );
}

/**
 * Commit.GetVote: rebuilds the precommit that signature `index` of the commit stands for. An
 * absent or nil signature votes for the zero BlockID.
 */
export function commitVote(commit: Commit, index: number): Vote {
  const sig = commit.signatures[index];
  if (sig === undefined) throw new ValidationError(`commit has no signature #${index}`);
  let blockId: BlockId;
  if (sig.blockIdFlag === BlockIdFlag.Commit) blockId = commit.blockId;
  else if (sig.blockIdFlag === BlockIdFlag.Absent || sig.blockIdFlag === BlockIdFlag.Nil)
    blockId = emptyBlockId();
  else throw new ValidationError(`commit signature #${index} has unknown BlockIDFlag ${sig.blockIdFlag}`);
  return {
    type: SignedMsgType.Precommit,
    height: commit.height,
    round: commit.round,
    blockId,
    timestamp: sig.timestamp ?? goZeroTime(),
    validatorAddress: sig.validatorAddress,
    validatorIndex: index,
    signature: sig.signature,
    extension: new Uint8Array(0),
    extensionSignature: new Uint8Array(0),
  };
}

/** Commit.VoteSignBytes: the bytes signature `index` of the commit must verify over. */
export function commitVoteSignBytes(chainId: string, commit: Commit, index: number): Uint8Array {
  return voteSignBytes(chainId, commitVote(commit, index));
}

/** ExtendedCommit.GetExtendedVote: the precommit including its extension. */
export function extendedCommitVote(commit: ExtendedCommit, index: number): Vote {
  const vote = commitVote(extendedCommitToCommit(commit), index);
  const sig = commit.extendedSignatures[index]!;
  return { ...vote, extension: sig.extension, extensionSignature: sig.extensionSignature };
}
