/**
 * The contract between the p2p layer (transport, secret connection, multiplexed connection,
 * switch) and the reactors that use it (consensus gossip, mempool gossip, evidence, block
 * sync). Reactors never see sockets: they get peers and byte messages on channels.
 *
 * Channel IDs are CometBFT's, so logs and metrics read the same.
 */

export const ChannelId = {
  /** consensus: round-step announcements */
  ConsensusState: 0x20,
  /** consensus: proposals and block parts */
  ConsensusData: 0x21,
  /** consensus: votes */
  ConsensusVote: 0x22,
  /** consensus: vote-set bits */
  ConsensusVoteSetBits: 0x23,
  Mempool: 0x30,
  Evidence: 0x38,
  BlockSync: 0x40,
} as const;
export type ChannelId = (typeof ChannelId)[keyof typeof ChannelId];

export interface ChannelDescriptor {
  id: number;
  /** Higher sends first when several channels have data queued (CometBFT priorities). */
  priority: number;
  /** Messages queued per peer before `send` reports the queue full. */
  sendQueueCapacity: number;
  /** Largest message accepted on this channel; a larger one gets the peer disconnected. */
  recvMessageCapacity: number;
}

/** What a node tells its peers about itself in the handshake (CometBFT DefaultNodeInfo). */
export interface NodeInfo {
  /** Hex of the first 20 bytes of SHA-256 of the node's ed25519 key. */
  id: string;
  listenAddr: string;
  /** The chain id: peers on another network are refused. */
  network: string;
  version: string;
  channels: number[];
  moniker: string;
  rpcAddress: string;
}

export interface Peer {
  readonly id: string;
  readonly nodeInfo: NodeInfo;
  readonly isOutbound: boolean;
  /** `ip:port` of the remote end of the connection. */
  readonly remoteAddr: string;
  /** Queues `msg` on `channel`; false if the queue is full or the peer is gone (never throws). */
  send(channel: number, msg: Uint8Array): boolean;
  /** Per-peer scratch space for reactors (e.g. the peer's announced round state). */
  readonly data: Map<string, unknown>;
  readonly connectedAt: number;
}

export interface Reactor {
  readonly name: string;
  readonly channels: readonly ChannelDescriptor[];
  /** A peer completed the handshake; it may be sent to at once. */
  addPeer(peer: Peer): void;
  removePeer(peer: Peer, reason: string): void;
  /**
   * A message arrived on one of this reactor's channels. Throwing (for a malformed, invalid
   * or badly signed message) gets the peer disconnected and banned for a while.
   */
  receive(channel: number, peer: Peer, msg: Uint8Array): void;
}

export interface P2PSwitch {
  addReactor(reactor: Reactor): void;
  peers(): Peer[];
  /** Sends to every connected peer; returns how many accepted it into their queue. */
  broadcast(channel: number, msg: Uint8Array): number;
  /** Disconnects a peer for misbehaviour and bans its id for the ban period. */
  stopPeerForError(peer: Peer, reason: string): void;
  readonly nodeInfo: NodeInfo;
  /** The address actually listened on (port 0 resolved). */
  listenAddress(): string;
  start(): Promise<void>;
  stop(): Promise<void>;
}
