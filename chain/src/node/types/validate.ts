/**
 * The `ValidateBasic` checks of CometBFT v0.38 (types/block.go, vote.go, proposal.go,
 * evidence.go) and signature checks of single votes and proposals (Vote.Verify,
 * Vote.VerifyExtension). Each validator throws a ValidationError with CometBFT's reason.
 */
import { addressFromPubKey, verifySignature } from './crypto.js';
import { ValidationError } from './errors.js';
import { blockIdKey, commitHash, dataHash, evidenceHash } from './hashes.js';
import { partSetHeaderProblem } from './partSet.js';
import { proposalSignBytes, voteExtensionSignBytes, voteSignBytes } from './signBytes.js';
import { timestampProblem } from './time.js';
import {
  ADDRESS_SIZE,
  BLOCK_PROTOCOL,
  type Block,
  type BlockId,
  bytesEqual,
  type Commit,
  type DuplicateVoteEvidence,
  HASH_SIZE,
  type Header,
  isCompleteBlockId,
  isZeroBlockId,
  MAX_SIGNATURE_SIZE,
  type Proposal,
  type PublicKey,
  SignedMsgType,
  type Vote,
} from './types.js';
import { commitSigProblem } from './validatorSet.js';

/** types.MaxChainIDLen */
export const MAX_CHAIN_ID_LEN = 50;

function fail(message: string): never {
  throw new ValidationError(message);
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex').toUpperCase();
}

/** ValidateHash: empty or exactly 32 bytes. */
function checkHash(h: Uint8Array, what: string): void {
  if (h.length > 0 && h.length !== HASH_SIZE) {
    fail(`wrong ${what}: expected size to be ${HASH_SIZE} bytes, got ${h.length} bytes`);
  }
}

export function validateBlockId(b: BlockId, what = 'BlockID'): void {
  checkHash(b.hash, `${what}.Hash`);
  const problem = partSetHeaderProblem(b.partSetHeader);
  if (problem !== undefined) fail(`wrong ${what}.PartSetHeader: ${problem}`);
}

export function validateHeader(h: Header): void {
  if (h.version.block !== BLOCK_PROTOCOL) {
    fail(`block protocol is incorrect: got: ${h.version.block}, want: ${BLOCK_PROTOCOL}`);
  }
  if (h.chainId.length > MAX_CHAIN_ID_LEN) {
    fail(`chainID is too long; got: ${h.chainId.length}, max: ${MAX_CHAIN_ID_LEN}`);
  }
  if (h.height < 0n) fail('negative Height');
  if (h.height === 0n) fail('zero Height');
  const tp = timestampProblem(h.time);
  if (tp !== undefined) fail(`wrong Time: ${tp}`);
  validateBlockId(h.lastBlockId, 'LastBlockID');
  checkHash(h.lastCommitHash, 'LastCommitHash');
  checkHash(h.dataHash, 'DataHash');
  checkHash(h.evidenceHash, 'EvidenceHash');
  if (h.proposerAddress.length !== ADDRESS_SIZE) {
    fail(`invalid ProposerAddress length; got: ${h.proposerAddress.length}, expected: ${ADDRESS_SIZE}`);
  }
  checkHash(h.validatorsHash, 'ValidatorsHash');
  checkHash(h.nextValidatorsHash, 'NextValidatorsHash');
  checkHash(h.consensusHash, 'ConsensusHash');
  checkHash(h.lastResultsHash, 'LastResultsHash');
}

export function validateCommit(c: Commit): void {
  if (c.height < 0n) fail('negative Height');
  if (c.round < 0) fail('negative Round');
  if (c.height >= 1n) {
    if (isZeroBlockId(c.blockId)) fail('commit cannot be for nil block');
    if (c.signatures.length === 0) fail('no signatures in commit');
    for (const [i, s] of c.signatures.entries()) {
      const problem = commitSigProblem(s);
      if (problem !== undefined) fail(`wrong CommitSig #${i}: ${problem}`);
    }
  }
}

export function validateVote(v: Vote): void {
  if (v.type !== SignedMsgType.Prevote && v.type !== SignedMsgType.Precommit) fail('invalid Type');
  if (v.height <= 0n) fail('negative or zero Height');
  if (v.round < 0) fail('negative Round');
  validateBlockId(v.blockId);
  if (!isZeroBlockId(v.blockId) && !isCompleteBlockId(v.blockId)) {
    fail('blockID must be either empty or complete');
  }
  if (v.validatorAddress.length !== ADDRESS_SIZE) {
    fail(
      `expected ValidatorAddress size to be ${ADDRESS_SIZE} bytes, got ${v.validatorAddress.length} bytes`,
    );
  }
  if (v.validatorIndex < 0) fail('negative ValidatorIndex');
  if (v.signature.length === 0) fail('signature is missing');
  if (v.signature.length > MAX_SIGNATURE_SIZE) fail(`signature is too big (max: ${MAX_SIGNATURE_SIZE})`);
  const nonNilPrecommit = v.type === SignedMsgType.Precommit && !isZeroBlockId(v.blockId);
  if (!nonNilPrecommit) {
    if (v.extension.length > 0)
      fail(`unexpected vote extension; vote type ${v.type}, isNil ${isZeroBlockId(v.blockId)}`);
    if (v.extensionSignature.length > 0) fail('unexpected vote extension signature');
  } else {
    if (v.extensionSignature.length > MAX_SIGNATURE_SIZE) {
      fail(`vote extension signature is too big (max: ${MAX_SIGNATURE_SIZE})`);
    }
    if (v.extensionSignature.length === 0 && v.extension.length !== 0) {
      fail('vote extension signature absent on vote with extension');
    }
  }
}

export function validateProposal(p: Proposal): void {
  if (p.type !== SignedMsgType.Proposal) fail('invalid Type');
  if (p.height < 0n) fail('negative Height');
  if (p.round < 0) fail('negative Round');
  if (p.polRound < -1) fail('negative POLRound (exception: -1)');
  validateBlockId(p.blockId);
  if (!isCompleteBlockId(p.blockId)) fail('expected a complete, non-empty BlockID');
  if (p.signature.length === 0) fail('signature is missing');
  if (p.signature.length > MAX_SIGNATURE_SIZE) fail(`signature is too big (max: ${MAX_SIGNATURE_SIZE})`);
}

export function validateDuplicateVoteEvidence(e: DuplicateVoteEvidence): void {
  if (e.voteA === undefined || e.voteB === undefined) fail('one or both of the votes are empty');
  try {
    validateVote(e.voteA);
  } catch (err) {
    fail(`invalid VoteA: ${(err as Error).message}`);
  }
  try {
    validateVote(e.voteB);
  } catch (err) {
    fail(`invalid VoteB: ${(err as Error).message}`);
  }
  if (blockIdKey(e.voteA.blockId) >= blockIdKey(e.voteB.blockId)) fail('duplicate votes in invalid order');
}

/** Block.ValidateBasic: the header, the last commit and the three content hashes. */
export function validateBlock(b: Block): void {
  try {
    validateHeader(b.header);
  } catch (err) {
    fail(`invalid header: ${(err as Error).message}`);
  }
  if (b.lastCommit === undefined) fail('nil LastCommit');
  try {
    validateCommit(b.lastCommit);
  } catch (err) {
    fail(`wrong LastCommit: ${(err as Error).message}`);
  }
  const lch = commitHash(b.lastCommit);
  if (!bytesEqual(b.header.lastCommitHash, lch)) {
    fail(`wrong Header.LastCommitHash. Expected ${hex(lch)}, got ${hex(b.header.lastCommitHash)}`);
  }
  const dh = dataHash(b.data.txs);
  if (!bytesEqual(b.header.dataHash, dh)) {
    fail(`wrong Header.DataHash. Expected ${hex(dh)}, got ${hex(b.header.dataHash)}`);
  }
  for (const [i, ev] of b.evidence.entries()) {
    if (ev.kind === 'duplicateVote') {
      try {
        validateDuplicateVoteEvidence(ev.duplicateVote);
      } catch (err) {
        fail(`invalid evidence (#${i}): ${(err as Error).message}`);
      }
    }
  }
  const eh = evidenceHash(b.evidence);
  if (!bytesEqual(b.header.evidenceHash, eh)) {
    fail(`wrong Header.EvidenceHash. Expected ${hex(eh)}, got ${hex(b.header.evidenceHash)}`);
  }
}

/** Vote.Verify: the vote comes from `pubKey` and its signature covers the canonical bytes. */
export function verifyVoteSignature(chainId: string, vote: Vote, pubKey: PublicKey): void {
  if (!bytesEqual(addressFromPubKey(pubKey), vote.validatorAddress)) fail('invalid validator address');
  if (!verifySignature(pubKey, voteSignBytes(chainId, vote), vote.signature)) fail('invalid signature');
}

/** Vote.VerifyExtension: a non-nil precommit's extension signature (other votes pass). */
export function verifyVoteExtension(chainId: string, vote: Vote, pubKey: PublicKey): void {
  if (vote.type !== SignedMsgType.Precommit || isZeroBlockId(vote.blockId)) return;
  if (!verifySignature(pubKey, voteExtensionSignBytes(chainId, vote), vote.extensionSignature)) {
    fail('invalid vote extension signature');
  }
}

/** The proposer's signature over the canonical proposal. */
export function verifyProposalSignature(chainId: string, proposal: Proposal, pubKey: PublicKey): void {
  if (!verifySignature(pubKey, proposalSignBytes(chainId, proposal), proposal.signature)) {
    fail('invalid proposal signature');
  }
}
