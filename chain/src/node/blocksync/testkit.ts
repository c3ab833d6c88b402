/**
 * Test helpers for the gossip reactors (mempool, evidence, block sync): an in-process network
 * of fake peers that delivers messages between reactors as the p2p switch would (per channel,
 * bounded queues, a throw in `receive` disconnects and bans the sender), and a generator of
 * a real chain of CometBFT v0.38 blocks with valid commits signed by test validator keys.
 * Used by tests only.
 */
import { createHash } from 'node:crypto';
import { ResponseFinalizeBlock } from 'cosmjs-types/tendermint/abci/types';
import { MemoryDb } from '../../store/db.js';
import { BlockStore } from '../blockstore/index.js';
import type { GenesisDoc } from '../config/genesis.js';
import type { ChannelDescriptor, NodeInfo, Peer, Reactor } from '../p2p/types.js';
import { Ed25519PrivateKey } from '../privval/ed25519.js';
import {
  defaultConsensusParams,
  makeGenesisState,
  type State,
  StateStore,
  updateState,
} from '../state/index.js';
import {
  addressFromPubKey,
  BLOCK_PROTOCOL,
  type Block,
  type BlockId,
  BlockIdFlag,
  type Commit,
  type CommitSig,
  commitHash,
  commitVoteSignBytes,
  consensusParamsHash,
  dataHash,
  type Evidence,
  evidenceHash,
  type Header,
  makeBlockParts,
  PartSet,
  SignedMsgType,
  type Timestamp,
  type Vote,
  voteSignBytes,
} from '../types/index.js';

// ---------------------------------------------------------------------------------------------
// Fake network

interface Delivery {
  to: FakeNode;
  fromId: string;
  channel: number;
  msg: Uint8Array;
  link: FakePeer;
}

/** One end of a connection: the peer `remote` as seen by `local`. */
export class FakePeer implements Peer {
  readonly data = new Map<string, unknown>();
  readonly connectedAt = Date.now();
  readonly nodeInfo: NodeInfo;
  readonly remoteAddr: string;
  /** Messages queued and not yet delivered, per channel. */
  readonly inFlight = new Map<number, number>();
  connected = true;
  /** Every message sent through this end, for assertions. */
  readonly sentLog: { channel: number; msg: Uint8Array }[] = [];

  constructor(
    private readonly net: FakeNetwork,
    readonly local: FakeNode,
    readonly remote: FakeNode,
    readonly isOutbound: boolean,
  ) {
    this.nodeInfo = {
      id: remote.id,
      listenAddr: `tcp://127.0.0.1:${remote.port}`,
      network: net.chainId,
      version: '0.38.17',
      channels: remote.channelIds(),
      moniker: remote.id,
      rpcAddress: '',
    };
    this.remoteAddr = `127.0.0.1:${remote.port}`;
  }

  get id(): string {
    return this.remote.id;
  }

  send(channel: number, msg: Uint8Array): boolean {
    if (!this.connected) return false;
    const desc = this.remote.channel(channel);
    if (desc === undefined) return false;
    const n = this.inFlight.get(channel) ?? 0;
    const cap = this.net.queueCapacity ?? desc.sendQueueCapacity;
    if (n >= cap) return false;
    this.inFlight.set(channel, n + 1);
    this.sentLog.push({ channel, msg });
    this.net.enqueue({ to: this.remote, fromId: this.local.id, channel, msg, link: this });
    return true;
  }
}

export class FakeNode {
  readonly peers = new Map<string, FakePeer>();
  private readonly byChannel = new Map<number, { reactor: Reactor; desc: ChannelDescriptor }>();

  constructor(
    private readonly net: FakeNetwork,
    readonly id: string,
    readonly port: number,
    readonly reactors: Reactor[],
  ) {
    for (const r of reactors) for (const d of r.channels) this.byChannel.set(d.id, { reactor: r, desc: d });
  }

  channelIds(): number[] {
    return [...this.byChannel.keys()].sort((a, b) => a - b);
  }

  channel(id: number): ChannelDescriptor | undefined {
    return this.byChannel.get(id)?.desc;
  }

  reactorFor(channel: number): Reactor | undefined {
    return this.byChannel.get(channel)?.reactor;
  }

  /** What a reactor calls to report an asynchronously detected misbehaving peer. */
  stopPeerForError = (peer: Peer, reason: string): void => {
    this.net.ban(this, peer.id, reason);
  };
}

/** A deterministic in-process network: messages are delivered in FIFO order by `settle()`. */
export class FakeNetwork {
  readonly nodes = new Map<string, FakeNode>();
  readonly bans: { by: string; peer: string; reason: string }[] = [];
  private readonly queue: Delivery[] = [];
  /** Overrides every channel's send queue capacity when set. */
  queueCapacity: number | undefined;
  /** Drops every message a predicate matches (for fault tests). */
  dropIf: ((d: { from: string; to: string; channel: number; msg: Uint8Array }) => boolean) | undefined;
  delivered = 0;

  constructor(readonly chainId = 'test-chain') {}

  addNode(id: string, reactors: Reactor[]): FakeNode {
    const node = new FakeNode(this, id, 26656 + this.nodes.size * 100, reactors);
    this.nodes.set(id, node);
    return node;
  }

  node(id: string): FakeNode {
    const n = this.nodes.get(id);
    if (n === undefined) throw new Error(`no node ${id}`);
    return n;
  }

  connect(a: string, b: string): void {
    const na = this.node(a);
    const nb = this.node(b);
    const ab = new FakePeer(this, na, nb, true);
    const ba = new FakePeer(this, nb, na, false);
    na.peers.set(b, ab);
    nb.peers.set(a, ba);
    for (const r of na.reactors) r.addPeer(ab);
    for (const r of nb.reactors) r.addPeer(ba);
  }

  disconnect(a: string, b: string, reason: string): void {
    const na = this.node(a);
    const nb = this.node(b);
    const ab = na.peers.get(b);
    const ba = nb.peers.get(a);
    if (ab !== undefined) {
      ab.connected = false;
      na.peers.delete(b);
      for (const r of na.reactors) r.removePeer(ab, reason);
    }
    if (ba !== undefined) {
      ba.connected = false;
      nb.peers.delete(a);
      for (const r of nb.reactors) r.removePeer(ba, reason);
    }
  }

  ban(by: FakeNode, peerId: string, reason: string): void {
    this.bans.push({ by: by.id, peer: peerId, reason });
    this.disconnect(by.id, peerId, reason);
  }

  enqueue(d: Delivery): void {
    this.queue.push(d);
  }

  /** Delivers one queued message; false when the queue is empty. */
  step(): boolean {
    const d = this.queue.shift();
    if (d === undefined) return false;
    d.link.inFlight.set(d.channel, (d.link.inFlight.get(d.channel) ?? 1) - 1);
    if (!d.link.connected) return true;
    const fromPeer = d.to.peers.get(d.fromId);
    if (fromPeer === undefined) return true;
    if (this.dropIf?.({ from: d.fromId, to: d.to.id, channel: d.channel, msg: d.msg })) return true;
    const reactor = d.to.reactorFor(d.channel);
    const desc = d.to.channel(d.channel);
    if (reactor === undefined || desc === undefined) return true;
    this.delivered++;
    if (d.msg.length > desc.recvMessageCapacity) {
      this.ban(d.to, d.fromId, `message of ${d.msg.length} bytes over channel capacity`);
      return true;
    }
    try {
      reactor.receive(d.channel, fromPeer, d.msg);
    } catch (e) {
      this.ban(d.to, d.fromId, (e as Error).message);
    }
    return true;
  }

  /**
   * Delivers messages and lets pending promises run until nothing is queued for `idleTurns`
   * consecutive event-loop turns (async work such as CheckTx or block application may queue more).
   */
  async settle(opts: { idleTurns?: number; maxTurns?: number } = {}): Promise<void> {
    const idleTurns = opts.idleTurns ?? 5;
    const maxTurns = opts.maxTurns ?? 100_000;
    let idle = 0;
    for (let turn = 0; turn < maxTurns; turn++) {
      let any = false;
      while (this.step()) any = true;
      await new Promise<void>((r) => setImmediate(r));
      if (any) idle = 0;
      else if (++idle >= idleTurns) return;
    }
    throw new Error(`network did not settle within ${maxTurns} turns`);
  }
}

/** A single fake peer for direct reactor tests: records what the reactor sends to it. */
export function recordingPeer(
  id: string,
  opts: { capacity?: number } = {},
): Peer & {
  sent: { channel: number; msg: Uint8Array }[];
  accept: boolean;
} {
  const sent: { channel: number; msg: Uint8Array }[] = [];
  const peer = {
    id,
    nodeInfo: {
      id,
      listenAddr: '',
      network: 'test-chain',
      version: '',
      channels: [],
      moniker: id,
      rpcAddress: '',
    },
    isOutbound: true,
    remoteAddr: '127.0.0.1:1',
    data: new Map<string, unknown>(),
    connectedAt: 0,
    sent,
    accept: true,
    send(channel: number, msg: Uint8Array): boolean {
      if (!peer.accept) return false;
      if (opts.capacity !== undefined && sent.length >= opts.capacity) return false;
      sent.push({ channel, msg });
      return true;
    },
  };
  return peer;
}

// ---------------------------------------------------------------------------------------------
// Chain generator

export interface TestChain {
  chainId: string;
  genesis: GenesisDoc;
  keys: Ed25519PrivateKey[];
  /** blocks[i] is the block at height i+1. */
  blocks: Block[];
  blockIds: BlockId[];
  /** seenCommits[i] commits blocks[i] (what block i+2 carries as LastCommit). */
  seenCommits: Commit[];
  /** states[0] is the genesis state, states[h] the state after height h. */
  states: State[];
  /** Validator updates returned by FinalizeBlock, by height. */
  updates: Map<number, TestValidatorUpdate[]>;
}

export function addSeconds(t: Timestamp, s: number): Timestamp {
  return { seconds: t.seconds + BigInt(s), nanos: t.nanos };
}

export function testKeys(n: number, tag = 'val'): Ed25519PrivateKey[] {
  return Array.from({ length: n }, (_, i) => Ed25519PrivateKey.fromSecret(`${tag}-${i}`));
}

export function testGenesis(
  keys: Ed25519PrivateKey[],
  opts: { chainId?: string; powers?: bigint[]; time?: Timestamp } = {},
): GenesisDoc {
  return {
    genesisTime: opts.time ?? { seconds: 1_700_000_000n, nanos: 0 },
    chainId: opts.chainId ?? 'test-chain',
    initialHeight: 1n,
    consensusParams: defaultConsensusParams(),
    validators: keys.map((k, i) => ({
      address: new Uint8Array(20),
      pubKey: k.pubKey(),
      power: opts.powers?.[i] ?? 10n,
      name: `v${i}`,
    })),
    appHash: new Uint8Array(0),
  };
}

/** Signs a commit for `blockId` at `height` by every validator of `state.validators` whose key is given. */
export function signCommit(
  chainId: string,
  state: State,
  keys: readonly Ed25519PrivateKey[],
  height: bigint,
  blockId: BlockId,
  time: Timestamp,
): Commit {
  const byAddress = new Map(keys.map((k) => [Buffer.from(k.pubKey().key).toString('hex'), k]));
  const sigs: CommitSig[] = state.validators.validators.map((v) => ({
    blockIdFlag: BlockIdFlag.Commit,
    validatorAddress: v.address,
    timestamp: time,
    signature: new Uint8Array(0),
  }));
  const commit: Commit = { height, round: 0, blockId, signatures: sigs };
  state.validators.validators.forEach((v, i) => {
    const key = byAddress.get(Buffer.from(v.pubKey.key).toString('hex'));
    const sig = sigs[i] as CommitSig;
    if (key === undefined) {
      sigs[i] = {
        blockIdFlag: BlockIdFlag.Absent,
        validatorAddress: new Uint8Array(0),
        timestamp: { seconds: -62135596800n, nanos: 0 },
        signature: new Uint8Array(0),
      };
      return;
    }
    sig.signature = key.sign(commitVoteSignBytes(chainId, commit, i));
  });
  return commit;
}

/** Builds the next block on `state` with the given txs, evidence and last commit. */
export function buildBlock(
  state: State,
  lastCommit: Commit | undefined,
  txs: Uint8Array[] = [],
  evidence: Evidence[] = [],
): Block {
  const height = state.lastBlockHeight + 1n;
  const commit: Commit = lastCommit ?? {
    height: 0n,
    round: 0,
    blockId: { hash: new Uint8Array(0), partSetHeader: { total: 0, hash: new Uint8Array(0) } },
    signatures: [],
  };
  const time =
    lastCommit === undefined ? state.lastBlockTime : (commit.signatures[0]?.timestamp ?? state.lastBlockTime);
  const proposer = state.validators.getProposer();
  if (proposer === undefined) throw new Error('empty validator set');
  const header: Header = {
    version: { block: BLOCK_PROTOCOL, app: state.version.consensus.app },
    chainId: state.chainId,
    height,
    time,
    lastBlockId: state.lastBlockId,
    lastCommitHash: commitHash(commit),
    dataHash: dataHash(txs),
    validatorsHash: state.validators.hash(),
    nextValidatorsHash: state.nextValidators.hash(),
    consensusHash: consensusParamsHash(state.consensusParams),
    appHash: state.appHash,
    lastResultsHash: state.lastResultsHash,
    evidenceHash: evidenceHash(evidence),
    proposerAddress: proposer.address,
  };
  return { header, data: { txs }, evidence, lastCommit: commit };
}

/** A validator update as FinalizeBlock returns it. */
export interface TestValidatorUpdate {
  key: Ed25519PrivateKey;
  power: bigint;
}

/** The state after `block` (with an app that accepts every tx, hashes the height and applies `updates`). */
export function nextState(
  state: State,
  block: Block,
  blockId: BlockId,
  updates: readonly TestValidatorUpdate[] = [],
): State {
  const res = ResponseFinalizeBlock.fromPartial({
    txResults: block.data.txs.map(() => ({ code: 0 })),
    appHash: Uint8Array.of(Number(block.header.height % 256n), 0xaa),
    validatorUpdates: updates.map((u) => ({ pubKey: { ed25519: u.key.publicKey }, power: u.power })),
  });
  return updateState(state, blockId, block.header, res);
}

/**
 * `n` blocks, each committed by every validator, 1 s apart. With `rotate`, block `atHeight`'s
 * FinalizeBlock adds a new validator and removes validator 0 (effective two heights later).
 */
export function generateChain(
  n: number,
  opts: { validators?: number; chainId?: string; txsPerBlock?: number; rotate?: { atHeight: number } } = {},
): TestChain {
  const count = opts.validators ?? 4;
  const allKeys = testKeys(count + 1);
  const keys = allKeys.slice(0, count);
  const genesis = testGenesis(keys, { chainId: opts.chainId ?? 'test-chain' });
  const chainId = genesis.chainId;
  const states: State[] = [makeGenesisState(genesis)];
  const blocks: Block[] = [];
  const blockIds: BlockId[] = [];
  const seenCommits: Commit[] = [];
  const updates = new Map<number, TestValidatorUpdate[]>();
  if (opts.rotate !== undefined) {
    updates.set(opts.rotate.atHeight, [
      { key: allKeys[count] as Ed25519PrivateKey, power: 15n },
      { key: allKeys[0] as Ed25519PrivateKey, power: 0n },
    ]);
  }
  for (let i = 0; i < n; i++) {
    const s = states[i] as State;
    const txs = Array.from({ length: opts.txsPerBlock ?? 1 }, (_, j) =>
      new TextEncoder().encode(`tx-${i + 1}-${j}`),
    );
    const block = buildBlock(s, seenCommits[i - 1], txs);
    const blockId = makeBlockParts(block).blockId;
    const commit = signCommit(
      chainId,
      s,
      allKeys,
      block.header.height,
      blockId,
      addSeconds(block.header.time, 1),
    );
    blocks.push(block);
    blockIds.push(blockId);
    seenCommits.push(commit);
    states.push(nextState(s, block, blockId, updates.get(i + 1)));
  }
  return { chainId, genesis, keys: allKeys, blocks, blockIds, seenCommits, states, updates };
}

/** A signed vote by `key` (index `index` in the set) for `blockId`, or nil if blockId is undefined. */
export function signVote(
  chainId: string,
  key: Ed25519PrivateKey,
  index: number,
  v: { height: bigint; round?: number; type?: number; blockId?: BlockId; time?: Timestamp },
): Vote {
  const vote: Vote = {
    type: v.type ?? SignedMsgType.Prevote,
    height: v.height,
    round: v.round ?? 0,
    blockId: v.blockId ?? { hash: new Uint8Array(0), partSetHeader: { total: 0, hash: new Uint8Array(0) } },
    timestamp: v.time ?? { seconds: 1_700_000_000n, nanos: 0 },
    validatorAddress: addressOfKey(key),
    validatorIndex: index,
    signature: new Uint8Array(0),
    extension: new Uint8Array(0),
    extensionSignature: new Uint8Array(0),
  };
  vote.signature = key.sign(voteSignBytes(chainId, vote));
  return vote;
}

export function addressOfKey(key: Ed25519PrivateKey): Uint8Array {
  return addressFromPubKey(key.pubKey());
}

/** A random-looking complete BlockID derived from a label. */
export function fakeBlockId(label: string): BlockId {
  const h = (s: string) => new Uint8Array(createHash('sha256').update(s).digest());
  return { hash: h(`block-${label}`), partSetHeader: { total: 1, hash: h(`parts-${label}`) } };
}

/** A block store and a state store holding `chain` up to height `upTo` (the genesis state when 0). */
export async function chainStores(
  chain: TestChain,
  upTo: number,
): Promise<{ stateStore: StateStore; blockStore: BlockStore; state: State }> {
  const stateStore = await StateStore.open(new MemoryDb());
  const blockStore = await BlockStore.open(new MemoryDb());
  await stateStore.save(chain.states[0] as State);
  for (let i = 0; i < upTo; i++) await saveBlockAndState(chain, i + 1, stateStore, blockStore);
  return { stateStore, blockStore, state: chain.states[upTo] as State };
}

/** Stores block `height` of `chain` with its seen commit, and the state after it. */
export async function saveBlockAndState(
  chain: TestChain,
  height: number,
  stateStore: StateStore,
  blockStore: BlockStore,
): Promise<void> {
  const block = chain.blocks[height - 1] as Block;
  const parts = makeBlockParts(block);
  const ps = new PartSet(parts.header);
  for (const p of parts.parts) ps.addPart(p);
  await blockStore.saveBlock(block, ps, chain.seenCommits[height - 1] as Commit);
  await stateStore.save(chain.states[height] as State);
}
