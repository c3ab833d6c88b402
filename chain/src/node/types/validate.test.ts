import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import captures from '../../../test/vectors/cometbft/rpcCaptures.json' with { type: 'json' };
import {
  type Block,
  blockFromJson,
  emptyVote,
  newValidator,
  type Proposal,
  proposalSignBytes,
  ValidationError,
  type Vote,
  validateBlock,
  validateCommit,
  validateHeader,
  validateProposal,
  validateVote,
  verifyProposalSignature,
  verifyVoteExtension,
  verifyVoteSignature,
  voteExtensionSignBytes,
  voteSignBytes,
} from './index.js';

const realBlocks: [string, Block][] = [
  ['block 1', blockFromJson(captures.block1.block)],
  ['block 10', blockFromJson(captures.block10.block)],
  ['evidence block', blockFromJson(captures.evidenceBlock.block)],
  ...captures.blockSearch.map((b, i): [string, Block] => [`block_search #${i}`, blockFromJson(b.block)]),
];

const complete = {
  hash: new Uint8Array(32).fill(1),
  partSetHeader: { total: 1, hash: new Uint8Array(32).fill(2) },
};

function goodVote(): Vote {
  return {
    ...emptyVote(),
    type: 2,
    height: 5n,
    round: 0,
    blockId: complete,
    validatorAddress: new Uint8Array(20),
    signature: new Uint8Array(64),
  };
}

describe('ValidateBasic', () => {
  it.each(realBlocks)('%s from a real chain is valid', (_, block) => {
    validateBlock(block);
  });

  it('catches a block whose header does not match its contents', () => {
    const block = realBlocks[1]![1];
    expect(() => validateBlock({ ...block, data: { txs: [Uint8Array.of(1)] } })).toThrow(
      /wrong Header.DataHash/,
    );
    expect(() => validateBlock({ ...block, evidence: realBlocks[2]![1].evidence })).toThrow(
      /wrong Header.EvidenceHash/,
    );
    const commit = block.lastCommit!;
    expect(() => validateBlock({ ...block, lastCommit: { ...commit, round: 1, signatures: [] } })).toThrow(
      /wrong LastCommit: no signatures/,
    );
    const sig = { ...commit.signatures[0]!, timestamp: { seconds: 1n, nanos: 0 } };
    expect(() => validateBlock({ ...block, lastCommit: { ...commit, signatures: [sig] } })).toThrow(
      /wrong Header.LastCommitHash/,
    );
    const noCommit: Block = { header: block.header, data: block.data, evidence: block.evidence };
    expect(() => validateBlock(noCommit)).toThrow(/nil LastCommit/);
  });

  it('header rules', () => {
    const h = realBlocks[1]![1].header;
    expect(() => validateHeader({ ...h, version: { block: 10n, app: 1n } })).toThrow(/block protocol/);
    expect(() => validateHeader({ ...h, chainId: 'x'.repeat(51) })).toThrow(/too long/);
    expect(() => validateHeader({ ...h, height: 0n })).toThrow(/zero Height/);
    expect(() => validateHeader({ ...h, dataHash: new Uint8Array(31) })).toThrow(/wrong DataHash/);
    expect(() => validateHeader({ ...h, proposerAddress: new Uint8Array(19) })).toThrow(/ProposerAddress/);
    expect(() =>
      validateHeader({ ...h, lastBlockId: { ...h.lastBlockId, hash: new Uint8Array(3) } }),
    ).toThrow(/LastBlockID/);
  });

  it('commit rules', () => {
    const c = realBlocks[1]![1].lastCommit!;
    validateCommit(c);
    expect(() => validateCommit({ ...c, round: -1 })).toThrow(/negative Round/);
    expect(() => validateCommit({ ...c, blockId: emptyVote().blockId })).toThrow(/nil block/);
    const sig = { ...c.signatures[0]!, validatorAddress: new Uint8Array(3) };
    expect(() => validateCommit({ ...c, signatures: [sig] })).toThrow(
      /wrong CommitSig #0: expected ValidatorAddress size/,
    );
  });

  it('vote rules, including where extensions may appear', () => {
    validateVote(goodVote());
    validateVote({ ...goodVote(), extension: Uint8Array.of(1), extensionSignature: new Uint8Array(64) });
    const cases: [Partial<Vote>, RegExp][] = [
      [{ type: 32 }, /invalid Type/],
      [{ height: 0n }, /zero Height/],
      [{ round: -1 }, /negative Round/],
      [{ blockId: { ...complete, hash: new Uint8Array(0) } }, /empty or complete/],
      [{ validatorAddress: new Uint8Array(21) }, /ValidatorAddress size/],
      [{ validatorIndex: -1 }, /negative ValidatorIndex/],
      [{ signature: new Uint8Array(0) }, /signature is missing/],
      [{ signature: new Uint8Array(65) }, /too big/],
      [{ type: 1, extension: Uint8Array.of(1) }, /unexpected vote extension/],
      [
        { blockId: emptyVote().blockId, extensionSignature: Uint8Array.of(1) },
        /unexpected vote extension signature/,
      ],
      [{ extension: Uint8Array.of(1) }, /signature absent on vote with extension/],
    ];
    for (const [patch, err] of cases)
      expect(() => validateVote({ ...goodVote(), ...patch }), String(err)).toThrow(err);
  });

  it('proposal rules', () => {
    const p: Proposal = {
      type: 32,
      height: 3n,
      round: 1,
      polRound: -1,
      blockId: complete,
      timestamp: { seconds: 0n, nanos: 0 },
      signature: new Uint8Array(64),
    };
    validateProposal(p);
    expect(() => validateProposal({ ...p, type: 2 })).toThrow(/invalid Type/);
    expect(() => validateProposal({ ...p, polRound: -2 })).toThrow(/POLRound/);
    expect(() => validateProposal({ ...p, blockId: emptyVote().blockId })).toThrow(/complete/);
  });
});

describe('single vote and proposal signatures', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const pubKey = {
    type: 'ed25519' as const,
    key: new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(12)),
  };
  const address = newValidator(pubKey, 1n).address;

  it('Vote.Verify and VerifyExtension', () => {
    const unsigned: Vote = { ...goodVote(), validatorAddress: address, extension: Uint8Array.of(7) };
    const vote: Vote = {
      ...unsigned,
      signature: new Uint8Array(sign(null, voteSignBytes('c', unsigned), privateKey)),
      extensionSignature: new Uint8Array(sign(null, voteExtensionSignBytes('c', unsigned), privateKey)),
    };
    verifyVoteSignature('c', vote, pubKey);
    verifyVoteExtension('c', vote, pubKey);
    expect(() => verifyVoteSignature('d', vote, pubKey)).toThrow(/invalid signature/);
    expect(() => verifyVoteSignature('c', { ...vote, validatorAddress: new Uint8Array(20) }, pubKey)).toThrow(
      /invalid validator address/,
    );
    expect(() => verifyVoteExtension('c', { ...vote, extension: Uint8Array.of(8) }, pubKey)).toThrow(
      ValidationError,
    );
  });

  it('proposal signature', () => {
    const p: Proposal = {
      type: 32,
      height: 3n,
      round: 1,
      polRound: 0,
      blockId: complete,
      timestamp: { seconds: 9n, nanos: 1 },
      signature: new Uint8Array(0),
    };
    const signed = { ...p, signature: new Uint8Array(sign(null, proposalSignBytes('c', p), privateKey)) };
    verifyProposalSignature('c', signed, pubKey);
    expect(() => verifyProposalSignature('c', { ...signed, polRound: -1 }, pubKey)).toThrow(
      /invalid proposal signature/,
    );
  });
});
