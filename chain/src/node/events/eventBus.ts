/**
 * The node's event bus (CometBFT v0.38 `types/event_bus.go` over `libs/pubsub`): consensus and
 * block execution publish typed events; websocket clients subscribe with a query.
 *
 * Every published message carries flattened events (`type.key -> values`) that queries match
 * against, always including `tm.event`; Tx messages add `tx.hash` (upper-case hex) and
 * `tx.height`. ABCI events are flattened whatever their `index` flag.
 *
 * A subscription has a bounded buffer. When a message finds it full, the subscription is
 * cancelled with `ERR_OUT_OF_CAPACITY` (CometBFT's "internal subscription event buffer is out
 * of capacity") rather than slowing the publisher down: consensus never waits for a client.
 */
import type {
  Event as AbciEvent,
  ExecTxResult,
  ResponseFinalizeBlock,
  ValidatorUpdate,
} from 'cosmjs-types/tendermint/abci/types';
import type { Block, BlockId, Header } from '../types/index.js';
import { type EventLike, flattenEvents, matches, parseQuery, type Query } from './query.js';

export const EVENT_TYPE_KEY = 'tm.event';
export const TX_HASH_KEY = 'tx.hash';
export const TX_HEIGHT_KEY = 'tx.height';
export const BLOCK_HEIGHT_KEY = 'block.height';

/** CometBFT's event names (`types/events.go`). */
export const EventType = {
  NewBlock: 'NewBlock',
  NewBlockHeader: 'NewBlockHeader',
  NewBlockEvents: 'NewBlockEvents',
  NewEvidence: 'NewEvidence',
  Tx: 'Tx',
  ValidatorSetUpdates: 'ValidatorSetUpdates',
  CompleteProposal: 'CompleteProposal',
  Lock: 'Lock',
  NewRound: 'NewRound',
  NewRoundStep: 'NewRoundStep',
  Polka: 'Polka',
  Relock: 'Relock',
  TimeoutPropose: 'TimeoutPropose',
  TimeoutWait: 'TimeoutWait',
  Unlock: 'Unlock',
  ValidBlock: 'ValidBlock',
  Vote: 'Vote',
} as const;
export type EventType = (typeof EventType)[keyof typeof EventType];

export interface EventDataNewBlock {
  block: Block;
  blockId: BlockId;
  resultFinalizeBlock: ResponseFinalizeBlock;
}
export interface EventDataNewBlockHeader {
  header: Header;
}
export interface EventDataNewBlockEvents {
  height: bigint;
  events: AbciEvent[];
  numTxs: bigint;
}
export interface EventDataTx {
  height: bigint;
  index: number;
  tx: Uint8Array;
  result: ExecTxResult;
}
export interface EventDataValidatorSetUpdates {
  validatorUpdates: ValidatorUpdate[];
}

/** What a subscriber receives as `data`; the RPC renders it as `{type: "tendermint/event/<type>", value}`. */
export type EventData =
  | { type: 'NewBlock'; value: EventDataNewBlock }
  | { type: 'NewBlockHeader'; value: EventDataNewBlockHeader }
  | { type: 'NewBlockEvents'; value: EventDataNewBlockEvents }
  | { type: 'Tx'; value: EventDataTx }
  | { type: 'ValidatorSetUpdates'; value: EventDataValidatorSetUpdates }
  | {
      type: Exclude<
        EventType,
        'NewBlock' | 'NewBlockHeader' | 'NewBlockEvents' | 'Tx' | 'ValidatorSetUpdates'
      >;
      value: unknown;
    };

export interface BusMessage {
  /** The subscription's query as the client wrote it (echoed in websocket results). */
  query: string;
  data: EventData;
  events: Readonly<Record<string, readonly string[]>>;
}

export const ERR_UNSUBSCRIBED = 'client unsubscribed';
export const ERR_OUT_OF_CAPACITY = 'internal subscription event buffer is out of capacity';
export const ERR_SUBSCRIPTION_NOT_FOUND = 'subscription not found';
export const ERR_ALREADY_SUBSCRIBED = 'already subscribed';
export const ERR_BUS_STOPPED = 'event bus stopped';

/** Why a subscription or a subscribe call failed; `message` is CometBFT's wording. */
export class EventBusError extends Error {
  override readonly name = 'EventBusError';
}

export interface EventBusOptions {
  /** Distinct clients with at least one subscription (CometBFT `max_subscription_clients`, 100). */
  maxClients?: number;
  /** Subscriptions per client (CometBFT `max_subscriptions_per_client`, 5). */
  maxSubscriptionsPerClient?: number;
  /** Default buffer per subscription (CometBFT `experimental_subscription_buffer_size`, 200). */
  bufferSize?: number;
}

export interface SubscribeOptions {
  /** Messages held for a consumer that has not pulled them yet; at least 1. */
  bufferSize?: number;
  /**
   * Push mode: called synchronously for every matching message instead of buffering. If it
   * throws, the subscription is cancelled with that error.
   */
  listener?: (msg: BusMessage) => void;
}

/**
 * One client's subscription to one query. Pull messages with `next()` or `for await`; when the
 * subscription is cancelled, iteration ends (unsubscribed) or throws the reason (anything else).
 */
export class Subscription implements AsyncIterable<BusMessage> {
  private readonly buffer: BusMessage[] = [];
  private readonly waiters: {
    resolve: (r: IteratorResult<BusMessage>) => void;
    reject: (e: Error) => void;
  }[] = [];
  private reason: EventBusError | undefined;
  private resolveCancelled!: (err: EventBusError) => void;
  /** Settles with the reason once the subscription is cancelled. */
  readonly cancelled: Promise<EventBusError> = new Promise((resolve) => {
    this.resolveCancelled = resolve;
  });

  constructor(
    readonly clientId: string,
    readonly query: Query,
    /** The query text as subscribed. */
    readonly queryText: string,
    readonly capacity: number,
    private readonly listener: ((msg: BusMessage) => void) | undefined,
    private readonly onCancel: (sub: Subscription) => void,
  ) {}

  /** The cancellation reason, or undefined while active. */
  get err(): EventBusError | undefined {
    return this.reason;
  }

  /** Messages buffered and not yet pulled. */
  get pending(): number {
    return this.buffer.length;
  }

  /** Next message; resolves done after unsubscribe, rejects with the reason after any other cancellation. */
  next(): Promise<IteratorResult<BusMessage>> {
    const msg = this.buffer.shift();
    if (msg !== undefined) return Promise.resolve({ value: msg, done: false });
    if (this.reason !== undefined) {
      return this.reason.message === ERR_UNSUBSCRIBED
        ? Promise.resolve({ value: undefined, done: true })
        : Promise.reject(this.reason);
    }
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  [Symbol.asyncIterator](): AsyncIterator<BusMessage> {
    return {
      next: () => this.next(),
      return: async () => {
        this.cancel(new EventBusError(ERR_UNSUBSCRIBED));
        return { value: undefined, done: true };
      },
    };
  }

  /** Called by the bus; a full buffer or a throwing listener cancels the subscription. */
  deliver(msg: BusMessage): void {
    if (this.reason !== undefined) return;
    if (this.listener !== undefined) {
      try {
        this.listener(msg);
      } catch (e) {
        this.cancel(new EventBusError(`subscriber failed: ${e instanceof Error ? e.message : String(e)}`));
      }
      return;
    }
    const waiter = this.waiters.shift();
    if (waiter !== undefined) {
      waiter.resolve({ value: msg, done: false });
      return;
    }
    if (this.buffer.length >= this.capacity) {
      this.cancel(new EventBusError(ERR_OUT_OF_CAPACITY));
      return;
    }
    this.buffer.push(msg);
  }

  /** Ends the subscription (idempotent) and drops what was buffered. */
  cancel(reason: EventBusError): void {
    if (this.reason !== undefined) return;
    this.reason = reason;
    this.buffer.length = 0;
    const unsubscribed = reason.message === ERR_UNSUBSCRIBED;
    for (const w of this.waiters.splice(0)) {
      if (unsubscribed) w.resolve({ value: undefined, done: true });
      else w.reject(reason);
    }
    this.resolveCancelled(reason);
    this.onCancel(this);
  }
}

function toHexUpper(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex').toUpperCase();
}

export class EventBus {
  /** clientId -> canonical query text -> subscription; Maps keep subscription order. */
  private readonly clients = new Map<string, Map<string, Subscription>>();
  private readonly maxClients: number;
  private readonly maxPerClient: number;
  private readonly bufferSize: number;
  private stopped = false;

  constructor(opts: EventBusOptions = {}) {
    this.maxClients = opts.maxClients ?? 100;
    this.maxPerClient = opts.maxSubscriptionsPerClient ?? 5;
    this.bufferSize = opts.bufferSize ?? 200;
  }

  numClients(): number {
    return this.clients.size;
  }

  numClientSubscriptions(clientId: string): number {
    return this.clients.get(clientId)?.size ?? 0;
  }

  /** Whether anyone listens; publishers may skip building messages otherwise. */
  hasSubscribers(): boolean {
    return this.clients.size > 0;
  }

  /**
   * Subscribes `clientId` (e.g. the websocket's remote address) to `query`. Throws
   * `EventBusError` with CometBFT's messages: "max_subscription_clients N reached",
   * "max_subscriptions_per_client N reached", "already subscribed", and `QuerySyntaxError`
   * for a malformed query.
   */
  subscribe(clientId: string, query: Query | string, opts: SubscribeOptions = {}): Subscription {
    if (this.stopped) throw new EventBusError(ERR_BUS_STOPPED);
    const q = typeof query === 'string' ? parseQuery(query) : query;
    const text = typeof query === 'string' ? query : query.text;
    let subs = this.clients.get(clientId);
    if (subs === undefined && this.clients.size >= this.maxClients) {
      throw new EventBusError(`max_subscription_clients ${this.maxClients} reached`);
    }
    if (subs !== undefined && subs.size >= this.maxPerClient) {
      throw new EventBusError(`max_subscriptions_per_client ${this.maxPerClient} reached`);
    }
    if (subs?.has(q.text)) throw new EventBusError(ERR_ALREADY_SUBSCRIBED);
    const capacity = opts.bufferSize ?? this.bufferSize;
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new EventBusError(`buffer size must be a positive integer, got ${capacity}`);
    }
    const sub = new Subscription(clientId, q, text, capacity, opts.listener, (s) => this.forget(s));
    if (subs === undefined) {
      subs = new Map();
      this.clients.set(clientId, subs);
    }
    subs.set(q.text, sub);
    return sub;
  }

  /** Cancels one subscription; throws "subscription not found" if there is none. */
  unsubscribe(clientId: string, query: Query | string): void {
    const q = typeof query === 'string' ? parseQuery(query) : query;
    const sub = this.clients.get(clientId)?.get(q.text);
    if (sub === undefined) throw new EventBusError(ERR_SUBSCRIPTION_NOT_FOUND);
    sub.cancel(new EventBusError(ERR_UNSUBSCRIBED));
  }

  /** Cancels all of a client's subscriptions; throws "subscription not found" if there are none. */
  unsubscribeAll(clientId: string): void {
    const subs = this.clients.get(clientId);
    if (subs === undefined) throw new EventBusError(ERR_SUBSCRIPTION_NOT_FOUND);
    for (const sub of [...subs.values()]) sub.cancel(new EventBusError(ERR_UNSUBSCRIBED));
  }

  /** Cancels every subscription; later subscribe calls fail. */
  stop(): void {
    this.stopped = true;
    for (const subs of [...this.clients.values()]) {
      for (const sub of [...subs.values()]) sub.cancel(new EventBusError(ERR_BUS_STOPPED));
    }
  }

  private forget(sub: Subscription): void {
    const subs = this.clients.get(sub.clientId);
    if (subs?.get(sub.query.text) !== sub) return;
    subs.delete(sub.query.text);
    if (subs.size === 0) this.clients.delete(sub.clientId);
  }

  /**
   * Publishes `data` with extra flattened `events`; `tm.event = <data.type>` is added. Returns
   * how many subscriptions received it.
   */
  publish(data: EventData, events: Record<string, string[]> = {}): number {
    if (this.clients.size === 0) return 0;
    const all: Record<string, string[]> = { ...events };
    all[EVENT_TYPE_KEY] = [...(all[EVENT_TYPE_KEY] ?? []), data.type];
    let delivered = 0;
    for (const subs of [...this.clients.values()]) {
      for (const sub of [...subs.values()]) {
        if (!matches(sub.query, all)) continue;
        sub.deliver({ query: sub.queryText, data, events: all });
        delivered++;
      }
    }
    return delivered;
  }

  publishNewBlock(value: EventDataNewBlock): number {
    return this.publish(
      { type: 'NewBlock', value },
      flattenEvents(value.resultFinalizeBlock.events as EventLike[]),
    );
  }

  publishNewBlockHeader(value: EventDataNewBlockHeader): number {
    return this.publish({ type: 'NewBlockHeader', value });
  }

  publishNewBlockEvents(value: EventDataNewBlockEvents): number {
    return this.publish({ type: 'NewBlockEvents', value }, flattenEvents(value.events as EventLike[]));
  }

  /** `txHash` is SHA-256 of the tx; pass it if already known. */
  publishTx(value: EventDataTx, txHash: Uint8Array): number {
    if (this.clients.size === 0) return 0;
    const events = flattenEvents(value.result.events as EventLike[]);
    events[TX_HASH_KEY] = [...(events[TX_HASH_KEY] ?? []), toHexUpper(txHash)];
    events[TX_HEIGHT_KEY] = [...(events[TX_HEIGHT_KEY] ?? []), value.height.toString()];
    return this.publish({ type: 'Tx', value }, events);
  }

  publishValidatorSetUpdates(value: EventDataValidatorSetUpdates): number {
    return this.publish({ type: 'ValidatorSetUpdates', value });
  }

  /** Consensus-internal events (NewRound, NewRoundStep, Vote, ...): the payload is the caller's. */
  publishConsensus(
    type: Exclude<EventType, 'NewBlock' | 'NewBlockHeader' | 'NewBlockEvents' | 'Tx' | 'ValidatorSetUpdates'>,
    value: unknown,
  ): number {
    return this.publish({ type, value });
  }
}
