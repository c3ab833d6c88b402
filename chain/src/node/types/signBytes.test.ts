import { generateKeyPairSync, sign } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import vectors from '../../../test/vectors/cometbft/voteSignBytes.json' with { type: 'json' };
import * as arb from './arbitraries.js';
import { verifySignature } from './crypto.js';
import { ProtoReader } from './proto.js';
import {
  canonicalVoteBytes,
  commitVote,
  proposalSignBytes,
  voteExtensionSignBytes,
  voteSignBytes,
} from './signBytes.js';
import { BlockIdFlag, emptyVote, type Proposal, type Vote } from './types.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const ascii = (s: string) => new TextEncoder().encode(s);

describe('CometBFT types/vote_test.go TestVoteSignBytesTestVectors', () => {
  // The vector file describes each vote in Go syntax; these are the same votes as data.
  const votes: Vote[] = [
    emptyVote(),
    { ...emptyVote(), height: 1n, round: 1, type: 2 },
    { ...emptyVote(), height: 1n, round: 1, type: 1 },
    { ...emptyVote(), height: 1n, round: 1 },
    { ...emptyVote(), height: 1n, round: 1 },
    { ...emptyVote(), height: 1n, round: 1, extension: ascii('extension') },
  ];
  it.each(vectors.cases.map((c, i) => ({ ...c, i })))('#$i $vote', (c) => {
    expect(hex(voteSignBytes(c.chain_id, votes[c.i]!))).toBe(c.want_hex);
  });
});

describe('canonical vote', () => {
  const blockId = {
    hash: new Uint8Array(32).fill(0xab),
    partSetHeader: { total: 3, hash: new Uint8Array(32).fill(0xcd) },
  };

  it('signs height and round as sfixed64 and the block ID in canonical form', () => {
    const v: Vote = {
      ...emptyVote(),
      type: 2,
      height: 2n ** 40n,
      round: 7,
      blockId,
      timestamp: { seconds: 1n, nanos: 2 },
    };
    const bytes = canonicalVoteBytes('c', v);
    expect(hex(bytes)).toBe(
      `0802110000000000010000190700000000000000` +
        `22480a20${'ab'.repeat(32)}122408031220${'cd'.repeat(32)}` +
        `2a0408011002` +
        `320163`,
    );
  });

  it('ignores address, index, signature and extension; depends on everything else', () => {
    fc.assert(
      fc.property(arb.vote(), arb.address(), fc.integer({ min: 0, max: 100 }), (v, addr, idx) => {
        const base = voteSignBytes('chain', v);
        const other = {
          ...v,
          validatorAddress: addr,
          validatorIndex: idx,
          signature: ascii('x'),
          extension: ascii('y'),
        };
        expect(hex(voteSignBytes('chain', other))).toBe(hex(base));
        expect(hex(voteSignBytes('chain2', v))).not.toBe(hex(base));
        expect(hex(voteSignBytes('chain', { ...v, round: v.round === 0 ? 1 : 0 }))).not.toBe(hex(base));
      }),
      { numRuns: 100 },
    );
  });

  it('is length-prefixed with a uvarint and parses back', () => {
    const v: Vote = { ...emptyVote(), type: 1, height: 5n };
    const bytes = voteSignBytes('x'.repeat(200), v);
    expect(bytes[0]).toBe(0xe3); // 227 = 0xe3 0x01
    expect(bytes[1]).toBe(0x01);
    const r = new ProtoReader(bytes.subarray(2), 'CanonicalVote');
    const fields: number[] = [];
    for (let f = r.next(); f !== 0; f = r.next()) {
      fields.push(f);
      r.skip();
    }
    expect(fields).toEqual([1, 2, 5, 6]);
  });
});

describe('vote extension and proposal sign bytes', () => {
  it('CanonicalVoteExtension{extension, height, round, chain_id}', () => {
    const v: Vote = { ...emptyVote(), type: 2, height: 3n, round: 2, extension: ascii('ext') };
    expect(hex(voteExtensionSignBytes('ch', v))).toBe(
      '1b' + '0a03657874' + '110300000000000000' + '190200000000000000' + '22026368',
    );
  });

  it('CanonicalProposal writes pol_round as a varint (-1 takes 10 bytes) and no block ID when zero', () => {
    const p: Proposal = {
      type: 32,
      height: 1n,
      round: 0,
      polRound: -1,
      blockId: emptyVote().blockId,
      timestamp: { seconds: 0n, nanos: 0 },
      signature: ascii('ignored'),
    };
    expect(hex(proposalSignBytes('', p))).toBe(
      '18' + '0820' + '110100000000000000' + '20ffffffffffffffffff01' + '3200',
    );
  });
});

describe('signing a commit vote', () => {
  it('a precommit signed by an ed25519 key verifies through commitVote', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const raw = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(12));
    const blockId = {
      hash: new Uint8Array(32).fill(1),
      partSetHeader: { total: 1, hash: new Uint8Array(32).fill(2) },
    };
    const commit = {
      height: 42n,
      round: 3,
      blockId,
      signatures: [
        {
          blockIdFlag: BlockIdFlag.Commit,
          validatorAddress: new Uint8Array(20),
          timestamp: { seconds: 99n, nanos: 5 },
          signature: new Uint8Array(0),
        },
      ],
    };
    const vote = commitVote(commit, 0);
    const sig = new Uint8Array(sign(null, voteSignBytes('hearth-1', vote), privateKey));
    expect(verifySignature({ type: 'ed25519', key: raw }, voteSignBytes('hearth-1', vote), sig)).toBe(true);
    const nilVote = commitVote(
      { ...commit, signatures: [{ ...commit.signatures[0]!, blockIdFlag: BlockIdFlag.Nil }] },
      0,
    );
    expect(verifySignature({ type: 'ed25519', key: raw }, voteSignBytes('hearth-1', nilVote), sig)).toBe(
      false,
    );
  });
});
