/**
 * Consensus gossip: announces this node's height and round, and sends each peer the proposals,
 * block parts and votes of its height that it lacks — tracked per peer from what it announced,
 * sent and was sent. A peer one height behind gets the last decision (proposal, parts,
 * precommits), which is all its round machine needs to decide; further behind is block sync's job.
 *
 * Everything received is checked before consensus sees it: strict decoding, `ValidateBasic`,
 * and for votes and proposals the signature of the validator at that height. A peer that sends
 * anything invalid is disconnected and banned (the switch does that when `receive` throws).
 */
import type { Logger } from '../../logger.js';
import { type ChannelDescriptor, ChannelId, type P2PSwitch, type Peer, type Reactor } from '../p2p/types.js';
import {
  BlockIdFlag,
  type Commit,
  commitVote,
  type Part,
  type Proposal,
  SignedMsgType,
  type Vote,
  validateProposal,
  validateVote,
  verifyProposalSignature,
  verifyVoteSignature,
} from '../types/index.js';
import {
  type ConsensusWireMessage,
  decodeConsensusMessage,
  encodeConsensusMessage,
  MAX_CONSENSUS_MESSAGE_BYTES,
} from './messages.js';
import type { ConsensusChain, ConsensusService } from './service.js';

interface PeerRoundState {
  height: bigint;
  round: number;
  /** Keys of messages this peer has (sent to us, or sent by us). */
  has: Set<string>;
  hasHeight: bigint;
}

const KEY = 'consensus';
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const proposalKey = (p: Proposal) => `p/${p.height}/${p.round}/${hex(p.signature)}`;
const partKey = (height: bigint, p: Part) => `b/${height}/${hex(p.proof.leafHash)}/${p.index}`;
const voteKey = (v: Vote) => `v/${v.height}/${v.round}/${v.type}/${v.validatorIndex}/${hex(v.signature)}`;

/** The stored blocks a lagging peer is caught up from. */
export interface CatchUpStore {
  loadBlockCommit(height: bigint): Promise<Commit | undefined>;
  loadBlockPart(height: bigint, index: number): Promise<Part | undefined>;
  loadBlockMeta(height: bigint): Promise<{ blockId: { partSetHeader: { total: number } } } | undefined>;
}

export interface ConsensusReactorOptions {
  service: ConsensusService;
  chain: ConsensusChain;
  /** Without it only a peer one height behind can be caught up (from the last decision). */
  blockStore?: CatchUpStore;
  logger: Logger;
  /** How often peers are checked for missing messages (ms). */
  gossipIntervalMs?: number;
  /** Most messages sent to one peer per gossip round. */
  maxPerPeerPerRound?: number;
}

export class ConsensusReactor implements Reactor {
  readonly name = 'consensus';
  readonly channels: readonly ChannelDescriptor[] = [
    { id: ChannelId.ConsensusState, priority: 6, sendQueueCapacity: 100, recvMessageCapacity: 1024 },
    {
      id: ChannelId.ConsensusData,
      priority: 10,
      sendQueueCapacity: 100,
      recvMessageCapacity: MAX_CONSENSUS_MESSAGE_BYTES,
    },
    { id: ChannelId.ConsensusVote, priority: 7, sendQueueCapacity: 100, recvMessageCapacity: 4096 },
    { id: ChannelId.ConsensusVoteSetBits, priority: 1, sendQueueCapacity: 2, recvMessageCapacity: 4096 },
  ];
  private readonly peers = new Map<string, Peer>();
  private timer: NodeJS.Timeout | undefined;
  private sw: P2PSwitch | undefined;

  constructor(private readonly opts: ConsensusReactorOptions) {}

  /** Starts the gossip loop; `sw` is used to announce round changes to every peer. */
  start(sw: P2PSwitch): void {
    this.sw = sw;
    this.timer = setInterval(() => this.gossip(), this.opts.gossipIntervalMs ?? 50);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Call when this node enters a new round or height. */
  announce(height: bigint, round: number): void {
    this.sw?.broadcast(ChannelId.ConsensusState, this.roundStep(height, round));
  }

  private roundStep(height: bigint, round: number): Uint8Array {
    return encodeConsensusMessage({ kind: 'newRoundStep', height, round, step: 1, lastCommitRound: 0 });
  }

  private state(peer: Peer): PeerRoundState {
    let s = peer.data.get(KEY) as PeerRoundState | undefined;
    if (!s) {
      s = { height: 0n, round: -1, has: new Set(), hasHeight: 0n };
      peer.data.set(KEY, s);
    }
    return s;
  }

  addPeer(peer: Peer): void {
    this.peers.set(peer.id, peer);
    this.state(peer);
    const svc = this.opts.service;
    peer.send(ChannelId.ConsensusState, this.roundStep(svc.currentHeight, svc.currentRound));
  }

  removePeer(peer: Peer, _reason: string): void {
    this.peers.delete(peer.id);
  }

  receive(channel: number, peer: Peer, bytes: Uint8Array): void {
    const msg = decodeConsensusMessage(bytes);
    const st = this.state(peer);
    const svc = this.opts.service;
    const ours = svc.currentHeight;
    switch (msg.kind) {
      case 'newRoundStep':
        if (channel !== ChannelId.ConsensusState) throw new Error('NewRoundStep on the wrong channel');
        if (msg.height < st.height || (msg.height === st.height && msg.round < st.round)) {
          throw new Error(`peer went back from ${st.height}/${st.round} to ${msg.height}/${msg.round}`);
        }
        if (msg.height !== st.hasHeight) {
          st.has.clear();
          st.hasHeight = msg.height;
        }
        st.height = msg.height;
        st.round = msg.round;
        return;
      case 'hasVote':
        return;
      case 'proposal': {
        if (channel !== ChannelId.ConsensusData) throw new Error('Proposal on the wrong channel');
        const p = msg.proposal;
        validateProposal(p);
        st.has.add(proposalKey(p));
        if (p.height !== ours) return; // old, or too far ahead to judge
        const set = this.opts.chain.validatorsAt(p.height);
        const rotated = p.round > 0 ? set.copyIncrementProposerPriority(p.round) : set;
        const proposer = rotated.getProposer();
        if (!proposer) return;
        verifyProposalSignature(this.opts.chain.chainId, p, proposer.pubKey);
        void svc.receiveProposal(p);
        return;
      }
      case 'blockPart':
        if (channel !== ChannelId.ConsensusData) throw new Error('BlockPart on the wrong channel');
        st.has.add(partKey(msg.height, msg.part));
        if (msg.height !== ours) return;
        void svc.receiveBlockPart(msg.height, msg.round, msg.part);
        return;
      case 'vote': {
        if (channel !== ChannelId.ConsensusVote) throw new Error('Vote on the wrong channel');
        const v = msg.vote;
        validateVote(v);
        if (v.type !== SignedMsgType.Prevote && v.type !== SignedMsgType.Precommit)
          throw new Error('vote of unknown type');
        st.has.add(voteKey(v));
        if (v.height !== ours && v.height !== ours + 1n) return;
        let set: ReturnType<ConsensusChain['validatorsAt']>;
        try {
          set = this.opts.chain.validatorsAt(v.height);
        } catch {
          return;
        }
        const val = set.getByIndex(v.validatorIndex);
        if (!val) throw new Error(`vote from validator index ${v.validatorIndex}, not in the set`);
        if (!Buffer.from(val.address).equals(Buffer.from(v.validatorAddress)))
          throw new Error('vote address does not match its index');
        verifyVoteSignature(this.opts.chain.chainId, v, val.pubKey);
        void svc.receiveVote(v);
        return;
      }
    }
  }

  private readonly catchingUp = new Set<string>();

  /**
   * A peer more than one height behind (block sync already handed it to consensus): send the
   * decided proposal, the block's parts and the commit's precommits for its height, from the
   * block store. Its round machine decides from exactly these, one height at a time.
   */
  private catchUpFromStore(peer: Peer, st: PeerRoundState): void {
    const store = this.opts.blockStore;
    const proposal = this.opts.service.decidedProposal(st.height);
    if (!store || !proposal || this.catchingUp.has(peer.id)) return;
    this.catchingUp.add(peer.id);
    const height = st.height;
    void (async () => {
      const meta = await store.loadBlockMeta(height);
      const commit = await store.loadBlockCommit(height);
      if (!meta || !commit) return;
      const out: [number, string, ConsensusWireMessage][] = [
        [ChannelId.ConsensusData, proposalKey(proposal), { kind: 'proposal', proposal }],
      ];
      for (let i = 0; i < meta.blockId.partSetHeader.total; i++) {
        const part = await store.loadBlockPart(height, i);
        if (part)
          out.push([
            ChannelId.ConsensusData,
            partKey(height, part),
            { kind: 'blockPart', height, round: proposal.round, part },
          ]);
      }
      commit.signatures.forEach((sig, i) => {
        if (sig.blockIdFlag !== BlockIdFlag.Commit) return;
        const v = commitVote(commit, i);
        out.push([ChannelId.ConsensusVote, voteKey(v), { kind: 'vote', vote: v }]);
      });
      for (const [channel, key, msg] of out) {
        if (st.height !== height) return; // it moved on meanwhile
        if (st.has.has(key)) continue;
        if (!peer.send(channel, encodeConsensusMessage(msg))) return;
        st.has.add(key);
      }
    })()
      .catch((e) => this.opts.logger.debug('catch-up failed', { peer: peer.id, err: e as Error }))
      .finally(() => this.catchingUp.delete(peer.id));
  }

  /** One gossip round: every peer gets (some of) what it lacks at its height. */
  private gossip(): void {
    const svc = this.opts.service;
    const ours = svc.currentHeight;
    const limit = this.opts.maxPerPeerPerRound ?? 64;
    let known: ReturnType<ConsensusService['knownMessages']> | undefined;
    let decision: ReturnType<ConsensusService['lastDecision']> | undefined | null = null;
    for (const peer of this.peers.values()) {
      const st = this.state(peer);
      if (st.hasHeight !== st.height) {
        st.has.clear();
        st.hasHeight = st.height;
      }
      const out: [number, string, ConsensusWireMessage][] = [];
      if (st.height === ours) {
        known ??= svc.knownMessages();
        for (const p of known.proposals)
          out.push([ChannelId.ConsensusData, proposalKey(p), { kind: 'proposal', proposal: p }]);
        for (const b of known.parts)
          out.push([ChannelId.ConsensusData, partKey(b.height, b.part), { kind: 'blockPart', ...b }]);
        for (const v of known.votes)
          out.push([ChannelId.ConsensusVote, voteKey(v), { kind: 'vote', vote: v }]);
      } else if (st.height > 0n && st.height < ours) {
        if (decision === null) decision = svc.lastDecision();
        if (!decision || decision.height !== st.height) {
          this.catchUpFromStore(peer, st);
          continue;
        }
        {
          const d = decision;
          out.push([
            ChannelId.ConsensusData,
            proposalKey(d.proposal),
            { kind: 'proposal', proposal: d.proposal },
          ]);
          for (const part of d.parts) {
            out.push([
              ChannelId.ConsensusData,
              partKey(d.height, part),
              { kind: 'blockPart', height: d.height, round: d.proposal.round, part },
            ]);
          }
          for (const v of d.precommits)
            out.push([ChannelId.ConsensusVote, voteKey(v), { kind: 'vote', vote: v }]);
        }
      }
      let sent = 0;
      for (const [channel, key, msg] of out) {
        if (sent >= limit) break;
        if (st.has.has(key)) continue;
        if (!peer.send(channel, encodeConsensusMessage(msg))) break; // queue full: try again next round
        st.has.add(key);
        sent++;
      }
    }
  }
}
