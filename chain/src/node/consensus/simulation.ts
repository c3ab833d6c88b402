/**
 * A deterministic in-process network for the consensus driver: N validators, a virtual clock,
 * seeded message delays, drops, duplication and reordering, a partition and lossy period that end
 * at GST, silent validators, and byzantine validators that equivocate (different proposals and
 * votes to different peers). Everything random comes from one seeded PRNG and events are ordered
 * by (time, sequence number), so a scenario replays exactly.
 *
 * The hosts here play the roles the real node's subsystems play: a "privval" that signs (and
 * checks that an honest node never signs two different votes for one height/round/type), an
 * "app" whose FinalizeBlock may return validator updates (applied at H+2, as ABCI specifies),
 * and a gossip layer. Gossip matters for liveness: the paper assumes that a message received by
 * one correct process reaches every correct process after GST. Here a node that made no progress
 * since its last gossip tick re-sends everything it holds for its height, and a node that hears
 * from a peer at a lower height sends that peer the height's decision (proposal + precommits),
 * like CometBFT's catch-up gossip (as a `commitCertificate` input).
 *
 * Checks: `checkRun` (safety: one value per height among honest deciders, no honest double-sign;
 * liveness: every live node decides every height before `livenessBoundMs`). That the checks can
 * fail is itself tested: equivocators with 1/3+ of the power fork the honest nodes, and disabling
 * the lock check of line 23 in the round machine makes some of the 1000 first seeds fork.
 */
import { Driver, type DriverInput, type Effect } from './driver.js';
import { Prng } from './prng.js';
import type {
  ConsensusMessage,
  DuplicateVoteEvidence,
  SignedProposal,
  SignedVote,
  TimeoutConfig,
  UnsignedMessage,
  ValueId,
} from './types.js';

export type Behavior =
  | { readonly kind: 'honest' }
  /** Sends nothing and processes nothing from `fromHeight` on (default: from the start). */
  | { readonly kind: 'silent'; readonly fromHeight?: number }
  /**
   * Runs the protocol but sends conflicting proposals and votes to two groups of honest peers
   * (colluding with other equivocators on the split), and also prevotes and precommits every
   * proposal it receives. Honest nodes survive this only through their locks.
   */
  | { readonly kind: 'equivocate' };

export interface NetworkConfig {
  readonly minDelayMs: number;
  /** Delay bound after GST (the paper's Delta). */
  readonly maxDelayMs: number;
  /** Delay bound before GST. */
  readonly preGstMaxDelayMs: number;
  /** Probability that a message sent before GST is lost. */
  readonly dropRate: number;
  /** Probability that a message is delivered twice (before and after GST). */
  readonly duplicateRate: number;
  /** Global stabilisation time: from here on no drops, no partition, delays <= maxDelayMs. */
  readonly gstMs: number;
  /** Groups of node indices that cannot talk to each other before GST; null = no partition. */
  readonly partition: readonly (readonly number[])[] | null;
}

export interface Scenario {
  readonly seed: number;
  readonly powers: readonly bigint[];
  readonly behaviors: readonly Behavior[];
  /** Heights 1..heights must be decided by every live honest node. */
  readonly heights: number;
  readonly network: NetworkConfig;
  /** Validator updates FinalizeBlock returns at a height: they apply from height + 2. */
  readonly validatorUpdates?: Readonly<Record<number, readonly { index: number; power: bigint }[]>>;
  readonly timeouts?: Partial<TimeoutConfig>;
  readonly gossipIntervalMs?: number;
  /** The run stops here even if not every height is decided. */
  readonly maxTimeMs: number;
}

export interface Decision {
  readonly valueId: ValueId;
  readonly round: number;
  readonly atMs: number;
  readonly signers: readonly number[];
}

export interface SimulationResult {
  readonly scenario: Scenario;
  /** Per node: height -> decision. */
  readonly decisions: readonly ReadonlyMap<number, Decision>[];
  /** Two different values decided at one height by nodes that were honest when deciding. */
  readonly safetyViolations: readonly string[];
  /** An honest node signed two different votes (or proposals) for one (height, round, type). */
  readonly doubleSigns: readonly string[];
  /** Nodes expected to decide every height (honest and never silenced). */
  readonly liveNodes: readonly number[];
  /** Every live node decided heights 1..heights. */
  readonly allDecided: boolean;
  /** Virtual time at which the last live node decided the last height, or null. */
  readonly allDecidedAtMs: number | null;
  readonly evidence: readonly DuplicateVoteEvidence[];
  /** Validator powers each node used per height (node 0's view of the first live node). */
  readonly powersByHeight: ReadonlyMap<number, readonly bigint[]>;
  readonly stats: { events: number; messagesSent: number; maxRound: number; endMs: number };
}

const TWIN_SUFFIX = '~twin';

/** The byzantines' conflicting value for `valueId` (an involution, so twins of twins are the original). */
function twinOf(valueId: ValueId): ValueId {
  return valueId.endsWith(TWIN_SUFFIX) ? valueId.slice(0, -TWIN_SUFFIX.length) : valueId + TWIN_SUFFIX;
}

function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Deterministic stand-in for a signature: FNV-1a of the signer and the canonical message. */
function fakeSignature(signer: number, message: UnsignedMessage): Uint8Array {
  const text =
    message.kind === 'vote'
      ? `v|${message.vote.type}|${message.vote.height}|${message.vote.round}|${message.vote.valueId ?? '-'}|${signer}`
      : `p|${message.proposal.height}|${message.proposal.round}|${message.proposal.valueId}|${message.proposal.polRound}|${signer}`;
  const h = hash32(text);
  return new Uint8Array([h >>> 24, (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff]);
}

function verifyFake(message: ConsensusMessage): boolean {
  const signer = message.kind === 'vote' ? message.vote.validatorIndex : message.proposal.proposerIndex;
  const unsigned: UnsignedMessage =
    message.kind === 'vote'
      ? { kind: 'vote', vote: message.vote }
      : { kind: 'proposal', proposal: message.proposal };
  const expected = fakeSignature(signer, unsigned);
  const got = message.kind === 'vote' ? message.vote.signature : message.proposal.signature;
  return got.length === 4 && got.every((b, i) => b === expected[i]);
}

function signMessage(signer: number, message: UnsignedMessage): ConsensusMessage {
  const signature = fakeSignature(signer, message);
  return message.kind === 'vote'
    ? { kind: 'vote', vote: { ...message.vote, signature } }
    : { kind: 'proposal', proposal: { ...message.proposal, signature } };
}

/** Values whose id starts with this are rejected by the simulated ProcessProposal. */
export const INVALID_VALUE_PREFIX = 'bad:';

/** Proposer rotation for the simulation: round-robin over validators with power at the height. */
export function simProposer(powers: readonly bigint[], height: number, round: number): number {
  const active: number[] = [];
  for (let i = 0; i < powers.length; i++) if ((powers[i] ?? 0n) > 0n) active.push(i);
  return active[(height + round) % active.length]!;
}

type SimMessage =
  | ConsensusMessage
  | {
      readonly kind: 'commit';
      readonly proposal: SignedProposal;
      readonly precommits: readonly SignedVote[];
    };

interface Envelope {
  readonly from: number;
  readonly fromHeight: number;
  readonly message: SimMessage;
}

type Event =
  | { readonly kind: 'deliver'; readonly to: number; readonly envelope: Envelope }
  | { readonly kind: 'input'; readonly node: number; readonly run: (node: SimNode) => void }
  | { readonly kind: 'gossip'; readonly node: number };

interface Scheduled {
  readonly at: number;
  readonly seq: number;
  readonly event: Event;
}

/** Binary min-heap of events by (time, seq). */
class EventQueue {
  private readonly heap: Scheduled[] = [];
  get size(): number {
    return this.heap.length;
  }
  push(item: Scheduled): void {
    const h = this.heap;
    h.push(item);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!EventQueue.less(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }
  pop(): Scheduled | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (top === undefined || last === undefined || h.length === 0) return top;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && EventQueue.less(h[l]!, h[m]!)) m = l;
      if (r < h.length && EventQueue.less(h[r]!, h[m]!)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
    return top;
  }
  private static less(a: Scheduled, b: Scheduled): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }
}

class SimNode {
  readonly index: number;
  readonly behavior: Behavior;
  readonly driver: Driver;
  readonly decisions = new Map<number, Decision>();
  /** height -> powers, as this node's "app" knows them. */
  readonly valsets = new Map<number, bigint[]>();
  /** Decided heights' certificates for catch-up gossip. */
  readonly certificates = new Map<number, { proposal: SignedProposal; commit: readonly SignedVote[] }>();
  private readonly signed = new Map<string, string>();
  private readonly lastCertSent = new Map<number, { height: number; atMs: number }>();
  private lastProgress = '';
  private readonly sim: Simulation;

  constructor(sim: Simulation, index: number, behavior: Behavior, powers: readonly bigint[]) {
    this.sim = sim;
    this.index = index;
    this.behavior = behavior;
    this.valsets.set(1, [...powers]);
    this.valsets.set(2, [...powers]);
    this.driver = new Driver({
      validators: (height) => {
        const powersAt = this.valsets.get(height);
        if (powersAt === undefined)
          throw new Error(`node ${index} has no validator set for height ${height}`);
        return { powers: powersAt, selfIndex: index };
      },
      proposer: (height, round) => simProposer(this.valsets.get(height) ?? [], height, round),
      verify: verifyFake,
      timeouts: sim.scenario.timeouts,
    });
  }

  get honest(): boolean {
    return this.behavior.kind === 'honest';
  }

  /** Silent nodes neither send nor process anything. */
  get silenced(): boolean {
    if (this.behavior.kind !== 'silent') return false;
    const from = this.behavior.fromHeight ?? 0;
    return this.driver.height >= from;
  }

  input(run: (driver: Driver) => Effect[]): void {
    if (this.silenced) return;
    this.execute(run(this.driver));
  }

  deliver(env: Envelope): void {
    if (this.silenced) return;
    const myHeight = this.driver.height;
    if (env.fromHeight < myHeight) this.maybeSendCertificate(env.from, env.fromHeight);
    const m = env.message;
    if (this.behavior.kind === 'equivocate' && m.kind === 'proposal')
      this.sim.supportAnything(this, m.proposal);
    const input: DriverInput =
      m.kind === 'vote'
        ? { type: 'vote', vote: m.vote }
        : m.kind === 'proposal'
          ? { type: 'proposal', proposal: m.proposal }
          : { type: 'commitCertificate', proposal: m.proposal, precommits: m.precommits };
    this.execute(this.driver.handle(input));
  }

  private maybeSendCertificate(peer: number, height: number): void {
    const cert = this.certificates.get(height);
    if (cert === undefined) return;
    const last = this.lastCertSent.get(peer);
    if (last !== undefined && last.height === height && this.sim.now - last.atMs < 1000) return;
    this.lastCertSent.set(peer, { height, atMs: this.sim.now });
    this.sim.send(this, peer, { kind: 'commit', proposal: cert.proposal, precommits: cert.commit });
  }

  gossipTick(): void {
    if (this.silenced) return;
    const progress = `${this.driver.height}/${this.driver.round}/${this.driver.step}`;
    if (progress === this.lastProgress && this.driver.step !== 'commit') {
      for (const m of this.driver.knownMessages()) this.sim.broadcast(this, m);
    }
    this.lastProgress = progress;
  }

  private execute(effects: Effect[]): void {
    const queue = effects;
    while (queue.length > 0) {
      const e = queue.shift()!;
      switch (e.type) {
        case 'persistWal':
          break;
        case 'sign': {
          this.checkPrivval(e.message);
          const signed = signMessage(this.index, e.message);
          queue.unshift(...this.driver.handle({ type: 'signed', message: signed }));
          break;
        }
        case 'broadcast':
          if (this.behavior.kind === 'equivocate') this.sim.equivocate(this, e.message);
          else this.sim.broadcast(this, e.message);
          break;
        case 'scheduleTimeout': {
          const { height, round, step } = e;
          this.sim.schedule(e.durationMs, {
            kind: 'input',
            node: this.index,
            run: (n) => n.input((d) => d.handle({ type: 'timeout', height, round, step })),
          });
          break;
        }
        case 'requestProposal': {
          const bad = this.behavior.kind === 'equivocate' && this.sim.rng.chance(0.3);
          const valueId = `${bad ? INVALID_VALUE_PREFIX : 'v:'}${e.height}:${e.round}:${this.index}:${this.sim.rng.int(0, 0xffff)}`;
          queue.unshift(
            ...this.driver.handle({ type: 'proposedValue', height: e.height, round: e.round, valueId }),
          );
          break;
        }
        case 'validateProposal': {
          const { height, valueId } = e;
          const valid = !valueId.startsWith(INVALID_VALUE_PREFIX);
          this.sim.schedule(this.sim.rng.int(1, 20), {
            kind: 'input',
            node: this.index,
            run: (n) => n.input((d) => d.handle({ type: 'proposalValidity', height, valueId, valid })),
          });
          break;
        }
        case 'decide':
          this.onDecide(e);
          break;
        case 'evidence':
          if (this.honest) this.sim.evidence.push(e.evidence);
          break;
        case 'enterRound':
          this.sim.maxRound = Math.max(this.sim.maxRound, e.round);
          break;
        case 'invalidMessage':
          break;
      }
    }
  }

  private checkPrivval(message: UnsignedMessage): void {
    const key =
      message.kind === 'vote'
        ? `${message.vote.height}/${message.vote.round}/${message.vote.type}`
        : `${message.proposal.height}/${message.proposal.round}/proposal`;
    const value = message.kind === 'vote' ? (message.vote.valueId ?? 'nil') : message.proposal.valueId;
    const previous = this.signed.get(key);
    if (previous !== undefined && previous !== value && this.honest) {
      this.sim.doubleSigns.push(`node ${this.index} signed ${key} for ${previous} and ${value}`);
    }
    this.signed.set(key, value);
  }

  private onDecide(e: Extract<Effect, { type: 'decide' }>): void {
    const decision: Decision = {
      valueId: e.valueId,
      round: e.round,
      atMs: this.sim.now,
      signers: e.commit.map((v) => v.validatorIndex),
    };
    this.decisions.set(e.height, decision);
    this.certificates.set(e.height, { proposal: e.proposal, commit: e.commit });
    // The "app": FinalizeBlock(H) returns updates that take effect at H + 2.
    const next = this.valsets.get(e.height + 1);
    if (next === undefined)
      throw new Error(`node ${this.index} decided ${e.height} without the set of ${e.height + 1}`);
    const updated = [...next];
    for (const u of this.sim.scenario.validatorUpdates?.[e.height] ?? []) updated[u.index] = u.power;
    this.valsets.set(e.height + 2, updated);
    this.sim.recordDecision(this, e.height, decision);
  }
}

export class Simulation {
  readonly scenario: Scenario;
  readonly rng: Prng;
  readonly nodes: SimNode[];
  readonly evidence: DuplicateVoteEvidence[] = [];
  readonly doubleSigns: string[] = [];
  readonly safetyViolations: string[] = [];
  maxRound = 0;
  now = 0;
  private seq = 0;
  private events = 0;
  private messagesSent = 0;
  private readonly queue = new EventQueue();
  private readonly firstDecision = new Map<number, { node: number; valueId: ValueId }>();

  constructor(scenario: Scenario) {
    validateScenario(scenario);
    this.scenario = scenario;
    this.rng = new Prng(scenario.seed);
    this.nodes = scenario.behaviors.map((b, i) => new SimNode(this, i, b, scenario.powers));
  }

  schedule(delayMs: number, event: Event): void {
    this.queue.push({ at: this.now + delayMs, seq: this.seq++, event });
  }

  send(from: SimNode, to: number, message: SimMessage): void {
    const net = this.scenario.network;
    const beforeGst = this.now < net.gstMs;
    if (beforeGst) {
      if (net.partition !== null) {
        const group = net.partition.findIndex((g) => g.includes(from.index));
        if (group !== -1 && !net.partition[group]!.includes(to)) return;
      }
      if (this.rng.chance(net.dropRate)) return;
    }
    const envelope: Envelope = { from: from.index, fromHeight: from.driver.height, message };
    const copies = this.rng.chance(net.duplicateRate) ? 2 : 1;
    for (let c = 0; c < copies; c++) {
      const delay = this.rng.int(net.minDelayMs, beforeGst ? net.preGstMaxDelayMs : net.maxDelayMs);
      this.messagesSent++;
      this.schedule(delay, { kind: 'deliver', to, envelope });
    }
  }

  broadcast(from: SimNode, message: ConsensusMessage): void {
    for (let to = 0; to < this.nodes.length; to++) if (to !== from.index) this.send(from, to, message);
  }

  /**
   * A byzantine broadcast. Equivocating validators collude: for each (height, round) they split
   * the honest nodes into two groups the same way (a hash, no shared state needed), send the real
   * message to group A and to fellow byzantines, and a conflicting one to group B: a twin proposal
   * (usually valid, sometimes invalid) and votes for the twin of whatever value they vote for. With
   * 1/3+ of the power this forks the honest nodes, which is how the tests show the safety check
   * can fail; below 1/3 it must not.
   */
  equivocate(from: SimNode, message: ConsensusMessage): void {
    const height = message.kind === 'vote' ? message.vote.height : message.proposal.height;
    const round = message.kind === 'vote' ? message.vote.round : message.proposal.round;
    let other: UnsignedMessage;
    if (message.kind === 'vote') {
      const v = message.vote;
      const alt = v.valueId === null ? `v:${v.height}:${v.round}:${from.index}:evil` : twinOf(v.valueId);
      other = {
        kind: 'vote',
        vote: {
          type: v.type,
          height: v.height,
          round: v.round,
          valueId: alt,
          validatorIndex: v.validatorIndex,
        },
      };
    } else {
      const p = message.proposal;
      const invalid = hash32(`${this.scenario.seed}|${p.height}|${p.round}|bad`) % 4 === 0;
      other = {
        kind: 'proposal',
        proposal: {
          height: p.height,
          round: p.round,
          valueId: invalid ? `${INVALID_VALUE_PREFIX}${p.valueId}` : twinOf(p.valueId),
          polRound: p.polRound,
          proposerIndex: p.proposerIndex,
        },
      };
    }
    const conflicting = signMessage(from.index, other);
    for (const node of this.nodes) {
      if (node.index === from.index) continue;
      const groupB =
        node.honest && hash32(`${this.scenario.seed}|${height}|${round}|${node.index}`) % 2 === 1;
      this.send(from, node.index, groupB ? conflicting : message);
    }
  }

  /**
   * The other half of the byzantine strategy: vote (prevote and precommit) for every proposal seen,
   * whatever was voted before. Honest nodes only stay safe against this through their locks.
   */
  supportAnything(from: SimNode, p: SignedProposal): void {
    if (p.height !== from.driver.height) return;
    for (const type of ['prevote', 'precommit'] as const) {
      const vote = { type, height: p.height, round: p.round, valueId: p.valueId, validatorIndex: from.index };
      this.broadcast(from, signMessage(from.index, { kind: 'vote', vote }));
    }
  }

  recordDecision(node: SimNode, height: number, decision: Decision): void {
    if (!node.honest && node.behavior.kind !== 'silent') return;
    const first = this.firstDecision.get(height);
    if (first === undefined) {
      this.firstDecision.set(height, { node: node.index, valueId: decision.valueId });
    } else if (first.valueId !== decision.valueId) {
      this.safetyViolations.push(
        `height ${height}: node ${first.node} decided ${first.valueId}, node ${node.index} decided ${decision.valueId}`,
      );
    }
  }

  liveNodes(): number[] {
    return this.nodes.filter((n) => n.behavior.kind === 'honest').map((n) => n.index);
  }

  private allLiveDecided(): boolean {
    const h = this.scenario.heights;
    return this.liveNodes().every((i) => this.nodes[i]!.decisions.has(h));
  }

  run(): SimulationResult {
    for (const node of this.nodes) {
      this.schedule(0, {
        kind: 'input',
        node: node.index,
        run: (n) => n.input((d) => d.handle({ type: 'start', height: 1 })),
      });
      this.schedule(this.rng.int(0, this.gossipInterval()), { kind: 'gossip', node: node.index });
    }
    let done = false;
    while (!done) {
      const next = this.queue.pop();
      if (next === undefined || next.at > this.scenario.maxTimeMs) break;
      this.now = next.at;
      this.events++;
      const ev = next.event;
      if (ev.kind === 'deliver') this.nodes[ev.to]!.deliver(ev.envelope);
      else if (ev.kind === 'input') ev.run(this.nodes[ev.node]!);
      else {
        this.nodes[ev.node]!.gossipTick();
        this.schedule(this.gossipInterval(), ev);
      }
      if (ev.kind !== 'gossip') done = this.allLiveDecided();
    }
    const live = this.liveNodes();
    const h = this.scenario.heights;
    const allDecided = this.allLiveDecided();
    const powersByHeight = new Map<number, readonly bigint[]>();
    const witness = this.nodes[live[0] ?? 0]!;
    for (const [height, powers] of witness.valsets) powersByHeight.set(height, powers);
    return {
      scenario: this.scenario,
      decisions: this.nodes.map((n) => n.decisions),
      safetyViolations: this.safetyViolations,
      doubleSigns: this.doubleSigns,
      liveNodes: live,
      allDecided,
      allDecidedAtMs: allDecided ? Math.max(...live.map((i) => this.nodes[i]!.decisions.get(h)!.atMs)) : null,
      evidence: this.evidence,
      powersByHeight,
      stats: {
        events: this.events,
        messagesSent: this.messagesSent,
        maxRound: this.maxRound,
        endMs: this.now,
      },
    };
  }

  private gossipInterval(): number {
    return this.scenario.gossipIntervalMs ?? 1000;
  }
}

function validateScenario(s: Scenario): void {
  const n = s.powers.length;
  if (n === 0 || s.behaviors.length !== n) throw new RangeError('scenario needs one behavior per validator');
  if (!Number.isInteger(s.heights) || s.heights < 1) throw new RangeError('scenario.heights must be >= 1');
  const net = s.network;
  if (net.minDelayMs < 0 || net.maxDelayMs < net.minDelayMs || net.preGstMaxDelayMs < net.minDelayMs) {
    throw new RangeError('scenario delays must satisfy 0 <= min <= max');
  }
}

export function runSimulation(scenario: Scenario): SimulationResult {
  return new Simulation(scenario).run();
}

/**
 * A random scenario for `seed`: 4 to 7 validators with random powers, faulty (silent or
 * equivocating) validators holding strictly less than 1/3 of the power, a lossy, reordering,
 * duplicating network before GST, sometimes a partition, and sometimes validator-set updates that
 * keep the faulty power below 1/3.
 */
export function randomScenario(seed: number, heights = 10): Scenario {
  const rng = new Prng(seed ^ 0x5eed);
  const n = rng.int(4, 7);
  const powers = Array.from({ length: n }, () => BigInt(rng.chance(0.5) ? 1 : rng.int(1, 10)));
  const total = powers.reduce((a, b) => a + b, 0n);
  const behaviors: Behavior[] = powers.map(() => ({ kind: 'honest' }));
  let faultyPower = 0n;
  const wanted = rng.int(0, Math.floor((n - 1) / 3));
  for (const i of rng.shuffle(powers.map((_, i) => i))) {
    if (behaviors.filter((b) => b.kind !== 'honest').length >= wanted) break;
    if ((faultyPower + powers[i]!) * 3n < total) {
      faultyPower += powers[i]!;
      const r = rng.float();
      behaviors[i] =
        r < 0.5
          ? { kind: 'equivocate' }
          : r < 0.8
            ? { kind: 'silent' }
            : { kind: 'silent', fromHeight: rng.int(2, heights) };
    }
  }
  const validatorUpdates: Record<number, { index: number; power: bigint }[]> = {};
  if (rng.chance(0.3)) {
    const honest = behaviors.flatMap((b, i) => (b.kind === 'honest' ? [i] : []));
    const index = rng.pick(honest);
    validatorUpdates[rng.int(1, heights)] = [{ index, power: powers[index]! + BigInt(rng.int(1, 5)) }];
  }
  const gstMs = rng.chance(0.2) ? 0 : rng.int(0, 15_000);
  let partition: number[][] | null = null;
  if (rng.chance(0.4)) {
    const order = rng.shuffle(powers.map((_, i) => i));
    const cut = rng.int(1, n - 1);
    partition = [order.slice(0, cut), order.slice(cut)];
  }
  const minDelayMs = rng.int(1, 10);
  return {
    seed,
    powers,
    behaviors,
    heights,
    network: {
      minDelayMs,
      maxDelayMs: rng.int(minDelayMs, 200),
      preGstMaxDelayMs: rng.int(200, 3000),
      dropRate: rng.chance(0.3) ? 0 : rng.float() * 0.5,
      duplicateRate: rng.float() * 0.2,
      gstMs,
      partition,
    },
    validatorUpdates,
    maxTimeMs: gstMs + heights * 20_000 + 60_000,
  };
}

/** Upper bound, in virtual ms, on when a healthy scenario must have decided every height. */
export function livenessBoundMs(s: Scenario): number {
  return s.network.gstMs + 30_000 + s.heights * 10_000;
}

/** A one-line description of a scenario, printed with a failing seed. */
export function describeScenario(s: Scenario): string {
  return JSON.stringify(s, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
}

/**
 * Everything wrong with a run of a scenario whose faulty power is below 1/3: safety (no two
 * values decided at one height, no honest double-sign) and liveness (every live node decided every
 * height, within `livenessBoundMs`). Empty when the run is correct.
 */
export function checkRun(result: SimulationResult): string[] {
  const problems = [...result.safetyViolations, ...result.doubleSigns];
  const s = result.scenario;
  if (!result.allDecided) {
    const missing = result.liveNodes
      .filter((i) => !result.decisions[i]!.has(s.heights))
      .map((i) => `node ${i} at ${result.decisions[i]!.size} heights`);
    problems.push(
      `liveness: not every live node decided ${s.heights} heights by ${s.maxTimeMs} ms (${missing.join(', ')})`,
    );
  } else if (result.allDecidedAtMs! > livenessBoundMs(s)) {
    problems.push(`liveness: decided at ${result.allDecidedAtMs} ms, bound ${livenessBoundMs(s)} ms`);
  }
  return problems;
}

/** Runs random scenarios `from`..`from + count - 1`; returns failing seeds with their problems. */
export function runSeeds(
  from: number,
  count: number,
  heights: number,
): { seed: number; problems: string[] }[] {
  const failures: { seed: number; problems: string[] }[] = [];
  for (let seed = from; seed < from + count; seed++) {
    let problems: string[];
    try {
      problems = checkRun(runSimulation(randomScenario(seed, heights)));
    } catch (error) {
      problems = [`crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`];
    }
    if (problems.length > 0) failures.push({ seed, problems });
  }
  return failures;
}
