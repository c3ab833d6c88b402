/**
 * Consensus gossip messages, encoded as CometBFT v0.38's `tendermint.consensus.Message` oneof
 * (new_round_step = 1, proposal = 3, block_part = 5, vote = 6, has_vote = 7) with the block
 * types from `node/types`. Decoding is strict: anything malformed throws, and the reactor
 * disconnects the peer that sent it.
 */
import { BinaryWriter } from '@bufbuild/protobuf/wire';
import {
  decodePartFrom,
  decodeProposalFrom,
  decodeVoteFrom,
  encodePartInto,
  encodeProposalInto,
  encodeVoteInto,
  type Part,
  type Proposal,
  ProtoReader,
  type Vote,
} from '../types/index.js';
import { writeInt32, writeInt64, writeMessage, writeUint32 } from '../types/proto.js';

export type ConsensusWireMessage =
  | { kind: 'newRoundStep'; height: bigint; round: number; step: number; lastCommitRound: number }
  | { kind: 'proposal'; proposal: Proposal }
  | { kind: 'blockPart'; height: bigint; round: number; part: Part }
  | { kind: 'vote'; vote: Vote }
  | { kind: 'hasVote'; height: bigint; round: number; type: number; index: number };

/** Largest consensus message: a block part (64 KiB) plus its proof and framing. */
export const MAX_CONSENSUS_MESSAGE_BYTES = 1_048_576;

export function encodeConsensusMessage(m: ConsensusWireMessage): Uint8Array {
  const w = new BinaryWriter();
  switch (m.kind) {
    case 'newRoundStep':
      writeMessage(w, 1, m, (w2, v) => {
        writeInt64(w2, 1, v.height);
        writeInt32(w2, 2, v.round);
        writeUint32(w2, 3, v.step);
        writeInt32(w2, 5, v.lastCommitRound);
      });
      break;
    case 'proposal':
      writeMessage(w, 3, m.proposal, (w2, p) => writeMessage(w2, 1, p, encodeProposalInto));
      break;
    case 'blockPart':
      writeMessage(w, 5, m, (w2, v) => {
        writeInt64(w2, 1, v.height);
        writeInt32(w2, 2, v.round);
        writeMessage(w2, 3, v.part, encodePartInto);
      });
      break;
    case 'vote':
      writeMessage(w, 6, m.vote, (w2, v) => writeMessage(w2, 1, v, encodeVoteInto));
      break;
    case 'hasVote':
      writeMessage(w, 7, m, (w2, v) => {
        writeInt64(w2, 1, v.height);
        writeInt32(w2, 2, v.round);
        writeInt32(w2, 3, v.type);
        writeInt32(w2, 4, v.index);
      });
      break;
  }
  return w.finish();
}

function one<T>(r: ProtoReader, field: number, what: string, read: (sub: ProtoReader) => T): T {
  let out: T | undefined;
  for (let f = r.next(); f !== 0; f = r.next()) {
    if (f === field) out = read(new ProtoReader(r.bytes(), what));
    else r.skip();
  }
  if (out === undefined) throw new Error(`${what}: missing`);
  return out;
}

export function decodeConsensusMessage(bytes: Uint8Array): ConsensusWireMessage {
  if (bytes.length > MAX_CONSENSUS_MESSAGE_BYTES)
    throw new Error(`consensus message of ${bytes.length} bytes is too large`);
  const r = new ProtoReader(bytes, 'consensus.Message');
  const f = r.next();
  if (f === 0) throw new Error('empty consensus message');
  const body = new ProtoReader(r.bytes(), 'consensus.Message');
  if (r.next() !== 0) throw new Error('consensus message with more than one field');
  switch (f) {
    case 1: {
      const m = { kind: 'newRoundStep' as const, height: 0n, round: 0, step: 0, lastCommitRound: 0 };
      for (let g = body.next(); g !== 0; g = body.next()) {
        if (g === 1) m.height = body.int64();
        else if (g === 2) m.round = body.int32();
        else if (g === 3) m.step = body.uint32();
        else if (g === 5) m.lastCommitRound = body.int32();
        else body.skip();
      }
      return m;
    }
    case 3:
      return { kind: 'proposal', proposal: one(body, 1, 'Proposal', decodeProposalFrom) };
    case 5: {
      const m: { kind: 'blockPart'; height: bigint; round: number; part?: Part } = {
        kind: 'blockPart',
        height: 0n,
        round: 0,
      };
      for (let g = body.next(); g !== 0; g = body.next()) {
        if (g === 1) m.height = body.int64();
        else if (g === 2) m.round = body.int32();
        else if (g === 3) m.part = decodePartFrom(new ProtoReader(body.bytes(), 'BlockPart.part'));
        else body.skip();
      }
      if (!m.part) throw new Error('BlockPart without a part');
      return { kind: 'blockPart', height: m.height, round: m.round, part: m.part };
    }
    case 6:
      return { kind: 'vote', vote: one(body, 1, 'Vote', decodeVoteFrom) };
    case 7: {
      const m = { kind: 'hasVote' as const, height: 0n, round: 0, type: 0, index: 0 };
      for (let g = body.next(); g !== 0; g = body.next()) {
        if (g === 1) m.height = body.int64();
        else if (g === 2) m.round = body.int32();
        else if (g === 3) m.type = body.int32();
        else if (g === 4) m.index = body.int32();
        else body.skip();
      }
      return m;
    }
    default:
      throw new Error(`unknown consensus message field ${f}`);
  }
}
