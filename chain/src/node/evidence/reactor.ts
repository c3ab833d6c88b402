/**
 * Evidence gossip (after CometBFT v0.38 `evidence/reactor.go`) on channel 0x38. Messages are
 * a bare `tendermint.types.EvidenceList`; we send one piece of evidence per message.
 *
 * Each pending piece of evidence is sent to every peer that has not shown it has it (a peer
 * that sent us a piece has it). Sending is retried every `resendIntervalMs` up to `maxSends`
 * times per peer, because a peer that was behind may have been unable to verify it at first.
 * When `peerHeight` is given (the consensus reactor knows each peer's height), evidence is held
 * back from peers that have not reached its height, as CometBFT does.
 *
 * Receiving: malformed bytes or evidence that fails its basic checks throws (the switch
 * disconnects the peer); evidence that fails full verification (bad signature, not a
 * validator, wrong powers or time) is reported through `onPeerError` once verified
 * asynchronously. Expired evidence, evidence for heights we lack, or already committed
 * evidence is dropped without blame.
 */
import type { Logger } from '../../logger.js';
import type { ChannelDescriptor, Peer, Reactor } from '../p2p/types.js';
import {
  decodeEvidenceListFrom,
  type Evidence,
  encodeEvidenceListInto,
  validateDuplicateVoteEvidence,
} from '../types/index.js';
import { decodeWith, encodeWith } from '../types/proto.js';
import { type EvidencePool, evidenceKey } from './pool.js';
import { evidenceHeight, InvalidEvidenceError, UnusableEvidenceError } from './verify.js';

export const EVIDENCE_CHANNEL = 0x38;

/** Largest EvidenceList message accepted (CometBFT: maxMsgSize = 1 MiB). */
export const MAX_EVIDENCE_MSG_BYTES = 1_048_576;

export class EvidenceMessageError extends Error {
  override readonly name = 'EvidenceMessageError';
}

export function encodeEvidenceMessage(list: Evidence[]): Uint8Array {
  return encodeWith(encodeEvidenceListInto, list);
}

/** Decodes an EvidenceList, throwing for malformed bytes or evidence failing ValidateBasic. */
export function decodeEvidenceMessage(bytes: Uint8Array): Evidence[] {
  if (bytes.length > MAX_EVIDENCE_MSG_BYTES) {
    throw new EvidenceMessageError(
      `evidence message of ${bytes.length} bytes exceeds ${MAX_EVIDENCE_MSG_BYTES}`,
    );
  }
  const list = decodeWith('EvidenceList', bytes, decodeEvidenceListFrom);
  for (const [i, ev] of list.entries()) {
    if (ev.kind !== 'duplicateVote') continue;
    try {
      validateDuplicateVoteEvidence(ev.duplicateVote);
    } catch (e) {
      throw new EvidenceMessageError(`evidence #${i}: ${(e as Error).message}`);
    }
  }
  return list;
}

export interface EvidenceReactorOptions {
  pool: EvidencePool;
  logger?: Logger;
  /** Reports a peer whose evidence failed verification (wire to the switch's stopPeerForError). */
  onPeerError?: (peer: Peer, reason: string) => void;
  /** The height a peer has reached, if known; evidence above it is held back. */
  peerHeight?: (peer: Peer) => bigint | undefined;
  /** Interval of the gossip timer in ms (default 10 s). */
  resendIntervalMs?: number;
  /** Times one piece is sent to one peer at most (default 3). */
  maxSends?: number;
}

interface PeerState {
  peer: Peer;
  /** Evidence keys the peer has (it sent them to us). */
  has: Set<string>;
  /** Times each piece was handed to the peer's queue. */
  sends: Map<string, number>;
}

export class EvidenceReactor implements Reactor {
  readonly name = 'evidence';
  readonly channels: readonly ChannelDescriptor[] = [
    {
      id: EVIDENCE_CHANNEL,
      priority: 6,
      sendQueueCapacity: 100,
      recvMessageCapacity: MAX_EVIDENCE_MSG_BYTES,
    },
  ];
  readonly metrics = { received: 0, accepted: 0, invalid: 0, sent: 0 };
  private readonly pool: EvidencePool;
  private readonly opts: EvidenceReactorOptions;
  private readonly peers = new Map<string, PeerState>();
  private readonly maxSends: number;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(opts: EvidenceReactorOptions) {
    this.pool = opts.pool;
    this.opts = opts;
    this.maxSends = opts.maxSends ?? 3;
    this.unsubscribe = this.pool.onNewEvidence((ev) => {
      for (const st of this.peers.values()) this.sendTo(st, [ev]);
    });
  }

  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => this.gossip(), this.opts.resendIntervalMs ?? 10_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  addPeer(peer: Peer): void {
    const st: PeerState = { peer, has: new Set(), sends: new Map() };
    this.peers.set(peer.id, st);
    this.sendTo(st, this.pool.allPending());
  }

  removePeer(peer: Peer, _reason: string): void {
    this.peers.delete(peer.id);
  }

  /** Sends each pending piece to each peer that may still need it (the timer calls this). */
  gossip(): void {
    const pending = this.pool.allPending();
    const live = new Set(pending.map(evidenceKey));
    for (const st of this.peers.values()) {
      for (const k of st.sends.keys()) if (!live.has(k)) st.sends.delete(k);
      this.sendTo(st, pending);
    }
  }

  private sendTo(st: PeerState, list: Evidence[]): void {
    const peerHeight = this.opts.peerHeight?.(st.peer);
    for (const ev of list) {
      const key = evidenceKey(ev);
      if (st.has.has(key)) continue;
      const n = st.sends.get(key) ?? 0;
      if (n >= this.maxSends) continue;
      if (peerHeight !== undefined && peerHeight < evidenceHeight(ev)) continue;
      if (!st.peer.send(EVIDENCE_CHANNEL, encodeEvidenceMessage([ev]))) return;
      st.sends.set(key, n + 1);
      this.metrics.sent++;
    }
  }

  receive(channel: number, peer: Peer, msg: Uint8Array): void {
    if (channel !== EVIDENCE_CHANNEL) throw new EvidenceMessageError(`unexpected channel ${channel}`);
    const list = decodeEvidenceMessage(msg);
    const st = this.peers.get(peer.id);
    for (const ev of list) {
      this.metrics.received++;
      if (ev.kind !== 'duplicateVote') continue;
      st?.has.add(evidenceKey(ev));
      this.pool
        .addEvidence(ev)
        .then((added) => {
          if (added) this.metrics.accepted++;
        })
        .catch((e: unknown) => {
          if (e instanceof InvalidEvidenceError) {
            this.metrics.invalid++;
            this.opts.logger?.warn('peer sent invalid evidence', { peer: peer.id, err: e });
            this.opts.onPeerError?.(peer, `invalid evidence: ${e.message}`);
          } else if (e instanceof UnusableEvidenceError) {
            this.opts.logger?.debug('dropping evidence from peer', { peer: peer.id, reason: e.message });
          } else {
            this.opts.logger?.error('adding evidence from peer failed', { peer: peer.id, err: e as Error });
          }
        });
    }
  }
}
