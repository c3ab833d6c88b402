import { ExecTxResult } from 'cosmjs-types/tendermint/abci/types';
import { describe, expect, it } from 'vitest';
import {
  type BusMessage,
  ERR_OUT_OF_CAPACITY,
  EventBus,
  EventBusError,
  type EventDataNewBlockEvents,
} from './eventBus.js';
import { QuerySyntaxError } from './query.js';

const HASH = new Uint8Array(32).fill(0xab);

function txValue(height: bigint, sender: string) {
  return {
    height,
    index: 0,
    tx: new Uint8Array([1, 2, 3]),
    result: ExecTxResult.fromPartial({
      code: 0,
      events: [
        {
          type: 'message',
          attributes: [
            { key: 'sender', value: sender, index: true },
            { key: 'action', value: 'send', index: false },
          ],
        },
      ],
    }),
  };
}

function blockEvents(height: bigint): EventDataNewBlockEvents {
  return {
    height,
    events: [{ type: 'mint', attributes: [{ key: 'amount', value: '100uhth', index: true }] }],
    numTxs: 0n,
  };
}

describe('EventBus', () => {
  it('delivers Tx messages with tm.event, tx.hash, tx.height and ABCI events to matching subscribers only', async () => {
    const bus = new EventBus();
    const all = bus.subscribe('c1', "tm.event = 'Tx'");
    const alice = bus.subscribe('c1', "tm.event='Tx' AND message.sender='alice' AND message.action='send'");
    const high = bus.subscribe('c2', 'tx.height > 10');
    expect(bus.publishTx(txValue(5n, 'alice'), HASH)).toBe(2);
    expect(bus.publishTx(txValue(11n, 'bob'), HASH)).toBe(2);

    const m1 = (await all.next()).value as BusMessage;
    expect(m1.query).toBe("tm.event = 'Tx'");
    expect(m1.data.type).toBe('Tx');
    expect(m1.events).toEqual({
      'message.sender': ['alice'],
      'message.action': ['send'],
      'tx.hash': ['AB'.repeat(32)],
      'tx.height': ['5'],
      'tm.event': ['Tx'],
    });
    expect(((await all.next()).value as BusMessage).events['tx.height']).toEqual(['11']);
    const m2 = (await alice.next()).value as BusMessage;
    expect(m2.query).toBe("tm.event='Tx' AND message.sender='alice' AND message.action='send'");
    expect(alice.pending).toBe(0);
    const m3 = (await high.next()).value as BusMessage;
    expect(m3.events['message.sender']).toEqual(['bob']);
    expect(high.pending).toBe(0);
  });

  it('publishes NewBlockEvents, NewBlockHeader and consensus events under their tm.event', async () => {
    const bus = new EventBus();
    const evs = bus.subscribe('c', "tm.event = 'NewBlockEvents' AND mint.amount > 99");
    const header = bus.subscribe('c', "tm.event = 'NewBlockHeader'");
    const round = bus.subscribe('c', "tm.event = 'NewRound'");
    bus.publishNewBlockEvents(blockEvents(3n));
    bus.publishConsensus('NewRound', { height: 4n, round: 0 });
    expect(((await evs.next()).value as BusMessage).data).toEqual({
      type: 'NewBlockEvents',
      value: blockEvents(3n),
    });
    expect(((await round.next()).value as BusMessage).data.type).toBe('NewRound');
    expect(header.pending).toBe(0);
  });

  it('wakes a waiting consumer and supports for-await', async () => {
    const bus = new EventBus();
    const sub = bus.subscribe('c', "tm.event = 'NewBlockEvents'");
    const got: bigint[] = [];
    const consumer = (async () => {
      for await (const msg of sub) {
        if (msg.data.type === 'NewBlockEvents') got.push(msg.data.value.height);
        if (got.length === 3) break;
      }
    })();
    for (let h = 1n; h <= 3n; h++) {
      await Promise.resolve();
      bus.publishNewBlockEvents(blockEvents(h));
    }
    await consumer;
    expect(got).toEqual([1n, 2n, 3n]);
    // Breaking out of the loop unsubscribed.
    expect(bus.numClientSubscriptions('c')).toBe(0);
  });

  it('enforces the per-client and client limits with CometBFT messages', () => {
    const bus = new EventBus({ maxClients: 2 });
    for (let i = 0; i < 5; i++) bus.subscribe('c1', `a.b = ${i}`);
    expect(() => bus.subscribe('c1', 'a.b = 9')).toThrow('max_subscriptions_per_client 5 reached');
    bus.subscribe('c2', 'a.b = 1');
    expect(() => bus.subscribe('c3', 'a.b = 1')).toThrow('max_subscription_clients 2 reached');
    expect(() => bus.subscribe('c2', 'a.b=1')).toThrow('already subscribed');
    expect(() => bus.subscribe('c2', 'a.b ==')).toThrow(QuerySyntaxError);
    expect(bus.numClients()).toBe(2);
    bus.unsubscribe('c1', 'a.b=0');
    bus.subscribe('c1', 'a.b = 9');
    expect(bus.numClientSubscriptions('c1')).toBe(5);
  });

  it('unsubscribe ends iteration; unknown subscriptions are reported', async () => {
    const bus = new EventBus();
    const sub = bus.subscribe('c', "tm.event = 'Tx'");
    const pending = sub.next();
    bus.unsubscribe('c', "tm.event='Tx'");
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(sub.err?.message).toBe('client unsubscribed');
    expect(() => bus.unsubscribe('c', "tm.event='Tx'")).toThrow('subscription not found');
    expect(() => bus.unsubscribeAll('c')).toThrow('subscription not found');
    expect(bus.numClients()).toBe(0);
  });

  it('unsubscribeAll cancels every subscription of one client only', async () => {
    const bus = new EventBus();
    const a = bus.subscribe('c1', "tm.event = 'Tx'");
    const b = bus.subscribe('c1', "tm.event = 'NewBlockEvents'");
    const other = bus.subscribe('c2', "tm.event = 'Tx'");
    bus.unsubscribeAll('c1');
    expect(await a.next()).toEqual({ value: undefined, done: true });
    expect(await b.next()).toEqual({ value: undefined, done: true });
    expect(bus.publishTx(txValue(1n, 'x'), HASH)).toBe(1);
    expect(other.pending).toBe(1);
  });

  it('cancels a slow subscriber whose buffer is full, without affecting others', async () => {
    const bus = new EventBus({ bufferSize: 3 });
    const slow = bus.subscribe('slow', "tm.event = 'NewBlockEvents'");
    const fast = bus.subscribe('fast', "tm.event = 'NewBlockEvents'", { bufferSize: 100 });
    for (let h = 1n; h <= 4n; h++) bus.publishNewBlockEvents(blockEvents(h));
    expect(slow.err?.message).toBe(ERR_OUT_OF_CAPACITY);
    await expect(slow.next()).rejects.toThrow(ERR_OUT_OF_CAPACITY);
    expect(await slow.cancelled).toBeInstanceOf(EventBusError);
    expect(fast.pending).toBe(4);
    expect(bus.numClientSubscriptions('slow')).toBe(0);
    // The slow client may subscribe again.
    bus.subscribe('slow', "tm.event = 'NewBlockEvents'");
  });

  it('push mode calls the listener synchronously and cancels on a throwing listener', () => {
    const bus = new EventBus({ bufferSize: 1 });
    const seen: string[] = [];
    const sub = bus.subscribe('c', "tm.event = 'NewBlockEvents'", {
      listener: (m) => {
        seen.push(String(m.events['tm.event']));
        if (seen.length === 3) throw new Error('socket closed');
      },
    });
    for (let h = 1n; h <= 4n; h++) bus.publishNewBlockEvents(blockEvents(h));
    expect(seen).toHaveLength(3);
    expect(sub.err?.message).toBe('subscriber failed: socket closed');
  });

  it('stop cancels everything and refuses new subscriptions', async () => {
    const bus = new EventBus();
    const sub = bus.subscribe('c', "tm.event = 'Tx'");
    bus.stop();
    await expect(sub.next()).rejects.toThrow('event bus stopped');
    expect(() => bus.subscribe('c', "tm.event = 'Tx'")).toThrow('event bus stopped');
  });
});
