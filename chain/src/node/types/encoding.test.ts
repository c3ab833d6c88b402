import { Block as CjBlock } from 'cosmjs-types/tendermint/types/block';
import { ConsensusParams as CjConsensusParams } from 'cosmjs-types/tendermint/types/params';
import {
  Commit as CjCommit,
  Header as CjHeader,
  Part as CjPart,
  Proposal as CjProposal,
  Vote as CjVote,
} from 'cosmjs-types/tendermint/types/types';
import { ValidatorSet as CjValidatorSet } from 'cosmjs-types/tendermint/types/validator';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import privval from '../../../test/vectors/cometbft/privvalProto.json' with { type: 'json' };
import * as arb from './arbitraries.js';
import {
  DecodeError,
  decodeBlock,
  decodeBlockId,
  decodeBlockMeta,
  decodeCommit,
  decodeConsensusParams,
  decodeEvidence,
  decodeExtendedCommit,
  decodeHeader,
  decodePart,
  decodeProof,
  decodeProposal,
  decodePublicKey,
  decodeSignedHeader,
  decodeTimestamp,
  decodeValidator,
  decodeValidatorSetData,
  decodeVote,
  emptyVote,
  encodeBlock,
  encodeBlockId,
  encodeBlockMeta,
  encodeCommit,
  encodeConsensusParams,
  encodeEvidence,
  encodeExtendedCommit,
  encodeHeader,
  encodePart,
  encodeProof,
  encodeProposal,
  encodePublicKey,
  encodeSignedHeader,
  encodeTimestamp,
  encodeValidator,
  encodeValidatorSetData,
  encodeVote,
  INT64_MAX,
  INT64_MIN,
  type Proposal,
  parseRfc3339,
  type Vote,
} from './index.js';
import { sha256 } from './merkle.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
const ascii = (s: string) => new TextEncoder().encode(s);

function roundTrips<T>(
  name: string,
  a: fc.Arbitrary<T>,
  enc: (v: T) => Uint8Array,
  dec: (b: Uint8Array) => T,
) {
  it(`${name}: decode(encode(x)) == x and re-encoding is identical`, () => {
    fc.assert(
      fc.property(a, (v) => {
        const bytes = enc(v);
        const back = dec(bytes);
        expect(back).toEqual(v);
        expect(hex(enc(back))).toBe(hex(bytes));
      }),
      { numRuns: 150 },
    );
  });
}

describe('round trips over every codec, 64-bit extremes included', () => {
  roundTrips('Timestamp', arb.timestamp(), encodeTimestamp, decodeTimestamp);
  roundTrips('BlockID', arb.blockId(), encodeBlockId, decodeBlockId);
  roundTrips('Header', arb.header(), encodeHeader, decodeHeader);
  roundTrips('Vote', arb.vote(), encodeVote, decodeVote);
  roundTrips('Commit', arb.commit(), encodeCommit, decodeCommit);
  roundTrips('ExtendedCommit', arb.extendedCommit(), encodeExtendedCommit, decodeExtendedCommit);
  roundTrips('Proposal', arb.proposal(), encodeProposal, decodeProposal);
  roundTrips('Evidence', arb.evidence(), encodeEvidence, decodeEvidence);
  roundTrips('Block', arb.block(), encodeBlock, decodeBlock);
  roundTrips('PublicKey', arb.publicKey(), encodePublicKey, decodePublicKey);
  roundTrips('Validator', arb.validator(), encodeValidator, decodeValidator);
  roundTrips(
    'ValidatorSet',
    fc.record(
      {
        validators: fc.array(arb.validator(), { maxLength: 3 }),
        proposer: arb.validator(),
        totalVotingPower: arb.int64(),
      },
      { requiredKeys: ['validators', 'totalVotingPower'] },
    ),
    encodeValidatorSetData,
    decodeValidatorSetData,
  );
  roundTrips('Proof', arb.proof(), encodeProof, decodeProof);
  roundTrips('Part', arb.part(), encodePart, decodePart);
  roundTrips('ConsensusParams', arb.consensusParams(), encodeConsensusParams, decodeConsensusParams);
  roundTrips(
    'SignedHeader',
    fc.record({ header: arb.header(), commit: arb.commit() }, { requiredKeys: [] }),
    encodeSignedHeader,
    decodeSignedHeader,
  );
  roundTrips(
    'BlockMeta',
    fc.record({ blockId: arb.blockId(), blockSize: arb.int64(), header: arb.header(), numTxs: arb.int64() }),
    encodeBlockMeta,
    decodeBlockMeta,
  );
});

describe('agreement with an independent decoder (cosmjs-types readers, which are correct)', () => {
  it('Vote, Header, Commit, Proposal, Part decode to the same values', () => {
    fc.assert(
      fc.property(arb.vote(), arb.header(), arb.commit(), arb.proposal(), arb.part(), (v, h, c, p, part) => {
        expect(CjVote.decode(encodeVote(v))).toEqual(v);
        expect(CjHeader.decode(encodeHeader(h))).toEqual(h);
        expect(CjCommit.decode(encodeCommit(c))).toEqual(c);
        expect(CjProposal.decode(encodeProposal(p))).toEqual(p);
        expect(CjPart.decode(encodePart(part))).toEqual(part);
      }),
      { numRuns: 100 },
    );
  });

  it('Block, ValidatorSet and ConsensusParams fields survive', () => {
    fc.assert(
      fc.property(arb.block(), arb.validator(), arb.consensusParams(), (b0, v, params) => {
        // cosmjs-types would parse the opaque light-client evidence bytes; keep duplicate votes only
        const b = { ...b0, evidence: b0.evidence.filter((e) => e.kind === 'duplicateVote') };
        const cj = CjBlock.decode(encodeBlock(b));
        expect(cj.header).toEqual(b.header);
        expect(cj.data.txs).toEqual(b.data.txs);
        expect(cj.evidence.evidence).toHaveLength(b.evidence.length);
        for (const [i, e] of b.evidence.entries()) {
          if (e.kind === 'duplicateVote')
            expect(cj.evidence.evidence[i]?.duplicateVoteEvidence).toEqual(e.duplicateVote);
        }
        if (b.lastCommit) expect(cj.lastCommit).toEqual(b.lastCommit);
        const set = CjValidatorSet.decode(encodeValidatorSetData({ validators: [v], totalVotingPower: 0n }));
        expect(set.validators[0]?.votingPower).toBe(v.votingPower);
        expect(set.validators[0]?.proposerPriority).toBe(v.proposerPriority);
        const cp = CjConsensusParams.decode(encodeConsensusParams(params));
        if (params.block) expect(cp.block).toEqual(params.block);
        if (params.version) expect(cp.version).toEqual(params.version);
        if (params.abci) expect(cp.abci).toEqual(params.abci);
      }),
      { numRuns: 100 },
    );
  });

  it('values from 2^31 to 2^63-1 survive (the cosmjs-types writer trap)', () => {
    for (const height of [2n ** 31n, 2n ** 32n + 5n, 2n ** 53n + 1n, INT64_MAX]) {
      const v: Vote = { ...emptyVote(), height, type: 2 };
      expect(decodeVote(encodeVote(v)).height).toBe(height);
      expect(CjVote.decode(encodeVote(v)).height).toBe(height);
    }
    const neg: Vote = { ...emptyVote(), height: INT64_MIN };
    expect(decodeVote(encodeVote(neg)).height).toBe(INT64_MIN);
  });
});

describe('privval vectors (CometBFT privval/msgs_test.go TestPrivvalVectors)', () => {
  const cases = Object.fromEntries(privval.cases.map((c) => [c.name, c.hex]));
  const blockId = {
    hash: sha256(ascii('blockID_hash')),
    partSetHeader: { total: 1000000, hash: sha256(ascii('blockID_part_set_header_hash')) },
  };
  const ts = parseRfc3339('2019-10-13T16:14:44Z');

  it('SignVoteRequest carries the exact bytes of exampleVote', () => {
    const vote: Vote = {
      ...emptyVote(),
      type: 2,
      height: 3n,
      round: 2,
      blockId,
      timestamp: ts,
      validatorAddress: sha256(ascii('validator_address')).subarray(0, 20),
      validatorIndex: 56789,
      extension: ascii('extension'),
    };
    const voteHex = hex(encodeVote(vote));
    // SignVoteRequest{vote = 1} inside Message{sign_vote_request = 3}: 1a 81 01 | 0a 7f | vote
    expect(cases['Vote Request (SignVoteRequest{Vote: exampleVote})']).toBe(`1a81010a7f${voteHex}`);
    expect(decodeVote(unhex(voteHex))).toEqual(vote);
  });

  it('SignProposalRequest carries the exact bytes of exampleProposal', () => {
    const proposal: Proposal = {
      type: 32,
      height: 3n,
      round: 2,
      polRound: 2,
      blockId,
      timestamp: ts,
      signature: ascii("it's a signature"),
    };
    // the vector's proposal uses type 1 (as the Go test does), not ProposalType
    const p = { ...proposal, type: 1 };
    const pHex = hex(encodeProposal(p));
    expect(cases['Proposal Request']).toBe(`2a700a6e${pHex}`);
    expect(decodeProposal(unhex(pHex))).toEqual(p);
  });

  it('an empty Vote still writes its block ID and Go zero-time timestamp', () => {
    const emptyHex = hex(encodeVote(emptyVote()));
    expect(emptyHex).toBe('220212002a0b088092b8c398feffffff01');
    // SignedVoteResponse{vote = 1 (non-nullable), error = 2}
    expect(cases['Vote Response with error (empty Vote)']).toBe(
      `22250a11${emptyHex}12100801120c697427732061206572726f72`,
    );
    const emptyProposal: Proposal = {
      type: 0,
      height: 0n,
      round: 0,
      polRound: 0,
      blockId: emptyVote().blockId,
      timestamp: emptyVote().timestamp,
      signature: new Uint8Array(0),
    };
    expect(hex(encodeProposal(emptyProposal))).toBe('2a021200320b088092b8c398feffffff01');
    expect(cases['Proposal Response with error (empty Proposal)']).toBe(
      `32250a11${hex(encodeProposal(emptyProposal))}12100801120c697427732061206572726f72`,
    );
  });

  it('public key response holds the ed25519 PublicKey bytes', () => {
    const pk = encodePublicKey({
      type: 'ed25519',
      key: unhex('556a436f1218d30942efe798420f51dc9b6a311b929c578257457d05c5fcf230'),
    });
    expect(cases['pubKey response']).toBe(`12240a22${hex(pk)}`);
  });
});

describe('strict decoding', () => {
  it('rejects truncated input', () => {
    const bytes = encodeVote({ ...emptyVote(), height: 5n, signature: new Uint8Array(64).fill(7) });
    for (let cut = bytes.length - 64; cut < bytes.length; cut++) {
      expect(() => decodeVote(bytes.subarray(0, cut))).toThrow(DecodeError);
    }
    expect(() => decodeVote(unhex('10'))).toThrow(/truncated varint/);
    expect(() => decodeVote(unhex('10ffffff'))).toThrow(DecodeError);
    expect(() => decodeCommit(unhex('1a0a0a20'))).toThrow(DecodeError);
  });

  it('rejects a wrong wire type for a known field', () => {
    expect(() => decodeVote(unhex('120100'))).toThrow(/wire type length-delimited, expected varint/);
    expect(() => decodeHeader(unhex('3001'))).toThrow(/expected length-delimited/);
    expect(() => decodeBlock(unhex('0801'))).toThrow(DecodeError);
  });

  it('rejects lengths beyond the input and integers outside their type', () => {
    expect(() => decodeVote(unhex('4205010203'))).toThrow(/claims 5 bytes but only 3 remain/);
    expect(() => decodeVote(unhex('42ffffffffffffffffff01'))).toThrow(DecodeError);
    expect(() => decodeVote(unhex('188080808010'))).toThrow(/not an int32/);
    expect(() => decodeBlockId(unhex('12060880808080100'))).toThrow(DecodeError);
    expect(() => decodeVote(unhex('10ffffffffffffffffff7f'))).toThrow(/overflows 64 bits/);
    expect(() => decodeVote(unhex('1080808080808080808080'))).toThrow(/longer than 10 bytes/);
  });

  it('rejects invalid timestamps, invalid UTF-8 and empty oneofs', () => {
    // seconds = 253402300800 (year 10000)
    expect(() => decodeTimestamp(unhex('088083d1ffaf07'))).toThrow(/outside years/);
    expect(() => decodeTimestamp(unhex('10ffffffffffffffffff01'))).toThrow(/nanos/);
    expect(() => decodeHeader(unhex('1202c328'))).toThrow(/UTF-8/);
    expect(() => decodeEvidence(new Uint8Array(0))).toThrow(/no known evidence/);
    expect(() => decodePublicKey(new Uint8Array(0))).toThrow(/no key type/);
  });

  it('skips unknown fields like any protobuf decoder', () => {
    const bytes = encodeVote({ ...emptyVote(), height: 9n });
    const withUnknown = new Uint8Array([...bytes, ...unhex('f8070a'), ...unhex('fa070100')]);
    expect(decodeVote(withUnknown).height).toBe(9n);
  });

  it('turns arbitrary garbage into a value or a DecodeError, never anything else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (garbage) => {
        for (const dec of [
          decodeBlock,
          decodeVote,
          decodeCommit,
          decodePart,
          decodeHeader,
          decodeValidatorSetData,
        ]) {
          try {
            dec(garbage);
          } catch (e) {
            expect(e).toBeInstanceOf(DecodeError);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('encoders refuse values outside their protobuf type', () => {
    expect(() => encodeVote({ ...emptyVote(), height: INT64_MAX + 1n })).toThrow(/not an int64/);
    expect(() => encodeVote({ ...emptyVote(), round: 2 ** 31 })).toThrow(/not an int32/);
    expect(() => encodeVote({ ...emptyVote(), timestamp: { seconds: 0n, nanos: 1e9 } })).toThrow(/nanos/);
    expect(() =>
      encodeBlockId({ hash: new Uint8Array(0), partSetHeader: { total: -1, hash: new Uint8Array(0) } }),
    ).toThrow(/not a uint32/);
  });
});
