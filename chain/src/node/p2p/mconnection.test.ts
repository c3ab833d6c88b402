import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { Ed25519PrivateKey } from '../privval/ed25519.js';
import { P2PConnectionClosedError, P2PProtocolError } from './errors.js';
import { MConnection, type MConnectionOptions } from './mconnection.js';
import { encodePacket } from './packet.js';
import { SecretConnection } from './secretConnection.js';
import { sleep, socketPair, waitFor } from './testHelpers.js';
import type { ChannelDescriptor } from './types.js';

const keyA = Ed25519PrivateKey.fromSecret('mconn-a');
const keyB = Ed25519PrivateKey.fromSecret('mconn-b');
const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
});

const ch = (id: number, over: Partial<ChannelDescriptor> = {}): ChannelDescriptor => ({
  id,
  priority: 1,
  sendQueueCapacity: 100,
  recvMessageCapacity: 1 << 22,
  ...over,
});

async function secretPair(): Promise<[SecretConnection, SecretConnection]> {
  const [a, b] = await socketPair();
  const pair = await Promise.all([
    SecretConnection.handshake(a, { privKey: keyA }),
    SecretConnection.handshake(b, { privKey: keyB }),
  ]);
  cleanup.push(() => {
    pair[0].close();
    pair[1].close();
  });
  return pair;
}

interface Side {
  conn: MConnection;
  got: [number, Uint8Array][];
  errors: Error[];
}

function side(
  sc: SecretConnection,
  channels: ChannelDescriptor[],
  extra: Partial<MConnectionOptions> = {},
): Side {
  const s: Side = { got: [], errors: [] } as unknown as Side;
  s.conn = new MConnection(sc, {
    channels,
    onReceive: (c, m) => s.got.push([c, m]),
    onError: (e) => s.errors.push(e),
    ...extra,
  });
  cleanup.push(() => s.conn.stop());
  return s;
}

async function mpair(
  chA: ChannelDescriptor[],
  chB: ChannelDescriptor[] = chA,
  extraA: Partial<MConnectionOptions> = {},
  extraB: Partial<MConnectionOptions> = {},
): Promise<[Side, Side]> {
  const [sa, sb] = await secretPair();
  return [side(sa, chA, extraA), side(sb, chB, extraB)];
}

describe('mconnection', () => {
  it('splits and reassembles large, tiny and empty messages across channels', async () => {
    const [a, b] = await mpair([ch(0x20), ch(0x30)]);
    a.conn.start();
    b.conn.start();
    const big = randomBytes(300_000);
    const msgs: [number, Uint8Array][] = [
      [0x20, big],
      [0x30, new Uint8Array([42])],
      [0x30, new Uint8Array(0)],
      [0x20, randomBytes(1025)],
      [0x30, randomBytes(1024)],
    ];
    for (const [c, m] of msgs) expect(a.conn.send(c, m)).toBe(true);
    await waitFor(() => b.got.length === msgs.length, 'all messages');
    for (const c of [0x20, 0x30]) {
      const want = msgs.filter(([x]) => x === c).map(([, m]) => Buffer.from(m).toString('hex'));
      const got = b.got.filter(([x]) => x === c).map(([, m]) => Buffer.from(m).toString('hex'));
      expect(got).toEqual(want);
    }
    expect(a.errors).toEqual([]);
    expect(b.errors).toEqual([]);
  });

  it('delivers random message sequences in per-channel order (property)', async () => {
    const [a, b] = await mpair([ch(1), ch(2, { priority: 3 }), ch(3, { priority: 7 })]);
    a.conn.start();
    b.conn.start();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom(1, 2, 3), fc.uint8Array({ maxLength: 4000 })), { maxLength: 12 }),
        async (msgs) => {
          b.got.length = 0;
          for (const [c, m] of msgs) expect(a.conn.send(c, m)).toBe(true);
          await waitFor(() => b.got.length === msgs.length, 'messages');
          for (const c of [1, 2, 3]) {
            const want = msgs.filter(([x]) => x === c).map(([, m]) => Buffer.from(m).toString('hex'));
            const got = b.got.filter(([x]) => x === c).map(([, m]) => Buffer.from(m).toString('hex'));
            expect(got).toEqual(want);
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it('sends the higher-priority channel first when both have data queued', async () => {
    const [a, b] = await mpair([ch(0x30, { priority: 1 }), ch(0x22, { priority: 10 })]);
    for (let i = 0; i < 20; i++) {
      a.conn.send(0x30, new Uint8Array(1000).fill(1));
      a.conn.send(0x22, new Uint8Array(1000).fill(2));
    }
    a.conn.start();
    b.conn.start();
    await waitFor(() => b.got.length === 40, 'all messages');
    const first20 = b.got.slice(0, 20).map(([c]) => c);
    const high = first20.filter((c) => c === 0x22).length;
    // recentlySent/priority: the 10x channel gets ~10 packets per low-priority packet.
    expect(high).toBeGreaterThanOrEqual(17);
    // ...but the low-priority channel is not starved.
    expect(first20).toContain(0x30);
  });

  it('reports a full send queue and accepts again once it drains', async () => {
    const [a, b] = await mpair([ch(0x30, { sendQueueCapacity: 3 })]);
    expect([1, 2, 3, 4].map(() => a.conn.send(0x30, new Uint8Array(10)))).toEqual([true, true, true, false]);
    expect(a.conn.canSend(0x30)).toBe(false);
    expect(a.conn.status().sendQueueSizes[0x30]).toBe(3);
    expect(a.conn.send(0x99, new Uint8Array(1))).toBe(false);
    a.conn.start();
    b.conn.start();
    await waitFor(() => b.got.length === 3, 'queued messages');
    expect(a.conn.canSend(0x30)).toBe(true);
    expect(a.conn.send(0x30, new Uint8Array(1))).toBe(true);
    await waitFor(() => b.got.length === 4, 'the fourth');
  });

  it('a message over the channel limit ends the connection with a protocol error', async () => {
    const [a, b] = await mpair([ch(0x30)], [ch(0x30, { recvMessageCapacity: 5000 })]);
    a.conn.start();
    b.conn.start();
    a.conn.send(0x30, new Uint8Array(5000));
    await waitFor(() => b.got.length === 1, 'the message at the limit');
    a.conn.send(0x30, new Uint8Array(5001));
    await waitFor(() => b.errors.length === 1 && a.errors.length === 1, 'both sides to fail');
    expect(b.errors[0]).toBeInstanceOf(P2PProtocolError);
    expect(b.errors[0]?.message).toMatch(/exceeds its limit of 5000/);
    expect(a.errors[0]).toBeInstanceOf(P2PConnectionClosedError);
    expect(b.got).toHaveLength(1);
    expect(a.conn.send(0x30, new Uint8Array(1))).toBe(false);
  });

  it('a message on a channel the receiver does not have is a protocol error', async () => {
    const [a, b] = await mpair([ch(0x30), ch(0x77)], [ch(0x30)]);
    a.conn.start();
    b.conn.start();
    a.conn.send(0x77, new Uint8Array([1]));
    await waitFor(() => b.errors.length === 1, 'the receiver to fail');
    expect(b.errors[0]).toBeInstanceOf(P2PProtocolError);
    expect(b.errors[0]?.message).toMatch(/unknown channel 0x77/);
  });

  it('garbage inside the encrypted stream is a protocol error, never a crash', async () => {
    const [sa, sb] = await secretPair();
    const b = side(sb, [ch(0x30)]);
    b.conn.start();
    sa.write(Buffer.from('ffffffffff0f', 'hex'));
    await waitFor(() => b.errors.length === 1, 'the error');
    expect(b.errors[0]).toBeInstanceOf(P2PProtocolError);

    const [sc, sd] = await secretPair();
    const d = side(sd, [ch(0x30)]);
    d.conn.start();
    sc.write(Buffer.from('057b7b7b7b7b', 'hex'));
    await waitFor(() => d.errors.length === 1, 'the error');
    expect(d.errors[0]).toBeInstanceOf(P2PProtocolError);
  });

  it('a packet payload above 1024 bytes is refused even inside the channel limit', async () => {
    const [sa, sb] = await secretPair();
    const b = side(sb, [ch(0x30)]);
    b.conn.start();
    sa.write(encodePacket({ type: 'msg', channelId: 0x30, eof: true, data: new Uint8Array(1030) }));
    await waitFor(() => b.errors.length === 1, 'the error');
    expect(b.errors[0]).toBeInstanceOf(P2PProtocolError);
  });

  it('an onReceive that throws ends the connection with its error', async () => {
    const [sa, sb] = await secretPair();
    const a = side(sa, [ch(0x30)]);
    const b = side(sb, [ch(0x30)], {
      onReceive: () => {
        throw new Error('bad vote');
      },
    });
    a.conn.start();
    b.conn.start();
    a.conn.send(0x30, new Uint8Array([1]));
    await waitFor(() => b.errors.length === 1, 'the error');
    expect(b.errors[0]?.message).toBe('bad vote');
  });

  it('answers pings, and a peer that never pongs is dropped', async () => {
    // Generous pong timeout for the healthy pair: a loaded test machine must not fail it.
    const healthy = { pingIntervalMs: 30, pongTimeoutMs: 2000 };
    const fast = { pingIntervalMs: 30, pongTimeoutMs: 100 };
    const [a, b] = await mpair([ch(0x30)], [ch(0x30)], healthy, healthy);
    a.conn.start();
    b.conn.start();
    await waitFor(() => a.conn.status().pongsReceived >= 3 && b.conn.status().pongsReceived >= 3, 'pongs');
    expect(a.conn.status().pingsSent).toBeGreaterThanOrEqual(3);
    expect(a.errors).toEqual([]);
    expect(b.errors).toEqual([]);
    expect(a.conn.isRunning).toBe(true);

    const [sc, sd] = await secretPair();
    const c = side(sc, [ch(0x30)], fast);
    const pings: Uint8Array[] = [];
    sd.setDataHandler((d) => pings.push(d)); // reads, never answers
    c.conn.start();
    await waitFor(() => c.errors.length === 1, 'the pong timeout');
    expect(c.errors[0]?.message).toMatch(/no pong within 100 ms/);
    expect(pings.length).toBeGreaterThan(0);
  });

  it('stop() ends the connection without reporting an error', async () => {
    const [a, b] = await mpair([ch(0x30)]);
    a.conn.start();
    b.conn.start();
    a.conn.stop();
    await waitFor(() => b.errors.length === 1, 'the remote to notice');
    expect(a.errors).toEqual([]);
    expect(b.errors[0]).toBeInstanceOf(P2PConnectionClosedError);
  });

  it('refuses bad channel descriptors', async () => {
    const [sa] = await secretPair();
    const mk = (channels: ChannelDescriptor[]) => () =>
      new MConnection(sa, { channels, onReceive() {}, onError() {} });
    expect(mk([ch(1), ch(1)])).toThrow(/twice/);
    expect(mk([ch(256)])).toThrow(/0\.\.255/);
    expect(mk([ch(1, { priority: 0 })])).toThrow(/priority/);
    expect(mk([ch(1, { sendQueueCapacity: 0 })])).toThrow(/capacity/);
  });

  it('applies a send rate limit', async () => {
    const [a, b] = await mpair([ch(0x30)], [ch(0x30)], { sendRateBytesPerSec: 20_000 });
    a.conn.start();
    b.conn.start();
    for (let i = 0; i < 30; i++) a.conn.send(0x30, new Uint8Array(1000));
    await sleep(300);
    // At most ~20 kB went out in the first second window.
    expect(b.got.length).toBeLessThanOrEqual(21);
    expect(b.got.length).toBeGreaterThan(0);
  });
});
