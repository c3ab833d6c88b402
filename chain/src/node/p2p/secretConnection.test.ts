import { createCipheriv, generateKeyPairSync, randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeIdFromPubKey } from '../config/nodeKey.js';
import { Ed25519PrivateKey } from '../privval/ed25519.js';
import { ByteQueue } from './byteQueue.js';
import { P2PConnectionClosedError, P2PProtocolError, P2PUnexpectedPeerIdError } from './errors.js';
import {
  computeSharedSecret,
  deriveSecrets,
  MAX_NONCE,
  MAX_UNREAD_PLAINTEXT,
  SEALED_FRAME_SIZE,
  SecretConnection,
  TOTAL_FRAME_SIZE,
} from './secretConnection.js';
import { socketPair, tamperedPair } from './testHelpers.js';

const keyA = Ed25519PrivateKey.fromSecret('p2p-test-a');
const keyB = Ed25519PrivateKey.fromSecret('p2p-test-b');
const open: SecretConnection[] = [];
const sockets: Socket[] = [];

afterEach(() => {
  for (const c of open.splice(0)) c.close();
  for (const s of sockets.splice(0)) s.destroy();
});

async function connectPair(a: Socket, b: Socket): Promise<[SecretConnection, SecretConnection]> {
  const pair = await Promise.all([
    SecretConnection.handshake(a, { privKey: keyA }),
    SecretConnection.handshake(b, { privKey: keyB }),
  ]);
  open.push(...pair);
  return pair;
}

function closeReason(c: SecretConnection): Promise<Error> {
  return new Promise((resolve) => c.onClose(resolve));
}

/** Bytes client→server before the first data frame: ephemeral key + auth frame. */
const HANDSHAKE_BYTES = 32 + SEALED_FRAME_SIZE;

/**
 * A hand-rolled remote that follows the handshake but can lie: sign the wrong challenge, or
 * seal frames of its own making.
 */
async function manualPeer(socket: Socket, privKey: Ed25519PrivateKey, opts: { signWrong?: boolean } = {}) {
  sockets.push(socket);
  const q = new ByteQueue();
  socket.on('data', (d: Buffer) => q.push(new Uint8Array(d)));
  socket.on('error', () => {});
  const eph = generateKeyPairSync('x25519');
  const spki = eph.publicKey.export({ format: 'der', type: 'spki' });
  const localEph = new Uint8Array(spki.subarray(spki.length - 32));
  socket.write(localEph);
  const remoteEph = await q.read(32);
  const shared = computeSharedSecret(eph.privateKey, remoteEph);
  const { sendKey, challenge } = deriveSecrets(shared, localEph, remoteEph);
  let nonce = 0n;
  const seal = (frame: Buffer) => {
    const n = Buffer.alloc(12);
    n.writeBigUInt64LE(nonce++, 4);
    const c = createCipheriv('chacha20-poly1305', sendKey, n, { authTagLength: 16 });
    const ct = c.update(frame);
    c.final();
    return Buffer.concat([ct, c.getAuthTag()]);
  };
  const frameOf = (declaredLen: number, data: Uint8Array) => {
    const f = Buffer.alloc(TOTAL_FRAME_SIZE);
    f.writeUInt32LE(declaredLen, 0);
    f.set(data.subarray(0, 1024), 4);
    return f;
  };
  const signed = opts.signWrong ? Buffer.from(challenge).fill(1) : challenge;
  const auth = new Uint8Array(96);
  auth.set(privKey.publicKey, 0);
  auth.set(privKey.sign(signed), 32);
  socket.write(seal(frameOf(96, auth)));
  return {
    sendRawFrame: (declaredLen: number, data: Uint8Array) => socket.write(seal(frameOf(declaredLen, data))),
  };
}

describe('secret connection handshake', () => {
  it('authenticates both node keys and carries data both ways', async () => {
    const [a, b] = await socketPair();
    const [sa, sb] = await connectPair(a, b);
    expect(sa.remoteId).toBe(nodeIdFromPubKey(keyB.publicKey));
    expect(sb.remoteId).toBe(nodeIdFromPubKey(keyA.publicKey));
    expect(Buffer.from(sa.remotePubKey)).toEqual(Buffer.from(keyB.publicKey));
    sa.write(new TextEncoder().encode('hello b'));
    sb.write(new TextEncoder().encode('hello a'));
    expect(new TextDecoder().decode(await sb.readExact(7))).toBe('hello b');
    expect(new TextDecoder().decode(await sa.readExact(7))).toBe('hello a');
  });

  it('round-trips random data of any size, in order (property)', async () => {
    const [a, b] = await socketPair();
    const [sa, sb] = await connectPair(a, b);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 5000 }), { maxLength: 6 }), async (msgs) => {
        for (const m of msgs) sa.write(m);
        const total = msgs.reduce((n, m) => n + m.length, 0);
        const got = await sb.readExact(total);
        expect(Buffer.from(got)).toEqual(Buffer.concat(msgs));
      }),
      { numRuns: 40 },
    );
  });

  it('a dialer expecting another node ID drops the connection', async () => {
    const [a, b] = await socketPair();
    const wanted = nodeIdFromPubKey(Ed25519PrivateKey.fromSecret('someone else').publicKey);
    const dialer = SecretConnection.handshake(a, { privKey: keyA, expectedId: wanted });
    const listener = SecretConnection.handshake(b, { privKey: keyB }).catch((e: Error) => e);
    const err = await dialer.catch((e: Error) => e);
    expect(err).toBeInstanceOf(P2PUnexpectedPeerIdError);
    expect((err as Error).message).toContain(nodeIdFromPubKey(keyB.publicKey));
    const other = await listener;
    if (other instanceof SecretConnection) {
      open.push(other);
      await closeReason(other);
    }
    expect(a.destroyed).toBe(true);
  });

  it('the expected ID is accepted', async () => {
    const [a, b] = await socketPair();
    const pair = await Promise.all([
      SecretConnection.handshake(a, { privKey: keyA, expectedId: nodeIdFromPubKey(keyB.publicKey) }),
      SecretConnection.handshake(b, { privKey: keyB }),
    ]);
    open.push(...pair);
    expect(pair[0].remoteId).toBe(nodeIdFromPubKey(keyB.publicKey));
  });

  it('refuses a signature over the wrong challenge', async () => {
    const [a, b] = await socketPair();
    const real = SecretConnection.handshake(a, { privKey: keyA }).catch((e: Error) => e);
    await manualPeer(b, keyB, { signWrong: true });
    const err = await real;
    expect(err).toBeInstanceOf(P2PProtocolError);
    expect((err as Error).message).toMatch(/signature/);
  });

  it('accepts the hand-rolled peer when it signs honestly (the fixture is faithful)', async () => {
    const [a, b] = await socketPair();
    const real = SecretConnection.handshake(a, { privKey: keyA });
    const peer = await manualPeer(b, keyB);
    const sc = await real;
    open.push(sc);
    peer.sendRawFrame(3, new Uint8Array([7, 8, 9]));
    expect([...(await sc.readExact(3))]).toEqual([7, 8, 9]);
  });

  it('refuses an authenticated frame that announces more than 1024 bytes', async () => {
    const [a, b] = await socketPair();
    const real = SecretConnection.handshake(a, { privKey: keyA });
    const peer = await manualPeer(b, keyB);
    const sc = await real;
    open.push(sc);
    const reason = closeReason(sc);
    peer.sendRawFrame(1025, new Uint8Array(1024));
    const err = await reason;
    expect(err).toBeInstanceOf(P2PProtocolError);
    expect(err.message).toMatch(/1025/);
  });

  it.each([
    ['zero', '0000000000000000000000000000000000000000000000000000000000000000'],
    ['one (order 4)', '0100000000000000000000000000000000000000000000000000000000000000'],
    ['p (non-canonical zero)', 'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'],
    ['p+1 (non-canonical one)', 'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'],
    ['order 8', 'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800'],
  ])('refuses a low-order ephemeral key: %s', async (_name, hex) => {
    const { privateKey } = generateKeyPairSync('x25519');
    expect(() => computeSharedSecret(privateKey, Buffer.from(hex, 'hex'))).toThrow(P2PProtocolError);
    const [a, b] = await socketPair();
    sockets.push(b);
    b.on('error', () => {});
    const real = SecretConnection.handshake(a, { privKey: keyA }).catch((e: Error) => e);
    b.write(Buffer.from(hex, 'hex'));
    const err = await real;
    expect(err).toBeInstanceOf(P2PProtocolError);
    expect((err as Error).message).toMatch(/low-order|zero/);
  });

  it('refuses its own ephemeral key reflected back', async () => {
    const [a, b] = await socketPair();
    sockets.push(b);
    b.on('error', () => {});
    b.once('data', (d: Buffer) => b.write(d.subarray(0, 32)));
    const err = await SecretConnection.handshake(a, { privKey: keyA }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(P2PProtocolError);
    expect((err as Error).message).toMatch(/reflected/);
  });

  it('random garbage instead of a handshake is refused without a crash', async () => {
    const [a, b] = await socketPair();
    sockets.push(b);
    b.on('error', () => {});
    b.write(randomBytes(32 + SEALED_FRAME_SIZE));
    const err = await SecretConnection.handshake(a, { privKey: keyA }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(P2PProtocolError);
  });

  it('a flood during the handshake is refused', async () => {
    const [a, b] = await socketPair();
    sockets.push(b);
    b.on('error', () => {});
    const real = SecretConnection.handshake(a, { privKey: keyA }).catch((e: Error) => e);
    const eph = generateKeyPairSync('x25519').publicKey.export({ format: 'der', type: 'spki' });
    // A valid ephemeral key, then far more than an auth frame and a NodeInfo.
    b.write(Buffer.concat([eph.subarray(eph.length - 32), Buffer.alloc(200_000)]));
    const err = await real;
    expect(err).toBeInstanceOf(P2PProtocolError);
    expect((err as Error).message).toMatch(/during the handshake/);
  });

  it('unread plaintext beyond the limit before a reader takes over is refused', async () => {
    const [a, b] = await socketPair();
    const [sa, sb] = await connectPair(a, b);
    const reason = closeReason(sb);
    sa.write(new Uint8Array(MAX_UNREAD_PLAINTEXT + 1));
    const err = await reason;
    expect(err).toBeInstanceOf(P2PProtocolError);
    expect(err.message).toMatch(/before the handshake ended/);
  });

  it('a remote that hangs up mid-handshake gives a closed error', async () => {
    const [a, b] = await socketPair();
    b.write(randomBytes(10));
    b.end();
    const err = await SecretConnection.handshake(a, { privKey: keyA }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(P2PConnectionClosedError);
  });
});

describe('secret connection tamper detection', () => {
  it('a flipped ciphertext bit ends the connection and delivers nothing', async () => {
    const [a, b] = await tamperedPair((off, chunk) => {
      const at = HANDSHAKE_BYTES + 100 - off;
      if (at >= 0 && at < chunk.length) {
        const c = Buffer.from(chunk);
        c[at] = (c[at] as number) ^ 0x01;
        return c;
      }
      return chunk;
    });
    const [sa, sb] = await connectPair(a, b);
    const got: Uint8Array[] = [];
    const reason = closeReason(sb);
    sb.setDataHandler((d) => got.push(d));
    sa.write(randomBytes(500));
    const err = await reason;
    expect(err).toBeInstanceOf(P2PProtocolError);
    expect(err.message).toMatch(/authentication/);
    expect(got).toHaveLength(0);
  });

  it('a flipped bit in the auth frame fails the handshake', async () => {
    const [a, b] = await tamperedPair((off, chunk) => {
      const at = 40 - off;
      if (at >= 0 && at < chunk.length) {
        const c = Buffer.from(chunk);
        c[at] = (c[at] as number) ^ 0x80;
        return c;
      }
      return chunk;
    });
    const results = await Promise.all([
      SecretConnection.handshake(a, { privKey: keyA }).catch((e: Error) => e),
      SecretConnection.handshake(b, { privKey: keyB }).catch((e: Error) => e),
    ]);
    expect(results[1]).toBeInstanceOf(P2PProtocolError);
    if (results[0] instanceof SecretConnection) open.push(results[0]);
  });

  it('a replayed frame ends the connection after the genuine one', async () => {
    let firstFrame: Buffer | undefined;
    const [a, b] = await tamperedPair((off, chunk) => {
      // The client sends its first data frame in one write; duplicate it.
      if (off >= HANDSHAKE_BYTES && firstFrame === undefined && chunk.length === SEALED_FRAME_SIZE) {
        firstFrame = chunk;
        return Buffer.concat([chunk, chunk]);
      }
      return chunk;
    });
    const [sa, sb] = await connectPair(a, b);
    const got: Uint8Array[] = [];
    const reason = closeReason(sb);
    sb.setDataHandler((d) => got.push(d));
    sa.write(new TextEncoder().encode('pay me once'));
    const err = await reason;
    expect(firstFrame).toBeDefined();
    expect(err).toBeInstanceOf(P2PProtocolError);
    expect(got.map((d) => new TextDecoder().decode(d))).toEqual(['pay me once']);
  });

  it('a truncated frame is never delivered', async () => {
    const [a, b] = await tamperedPair((off, chunk) => {
      if (off >= HANDSHAKE_BYTES) return null;
      if (off + chunk.length > HANDSHAKE_BYTES) return chunk.subarray(0, HANDSHAKE_BYTES - off + 600);
      return chunk;
    });
    const [sa, sb] = await connectPair(a, b);
    const got: Uint8Array[] = [];
    const reason = closeReason(sb);
    sb.setDataHandler((d) => got.push(d));
    sa.write(randomBytes(200));
    setTimeout(() => sa.write(randomBytes(10)), 20);
    const err = await reason;
    expect(err).toBeInstanceOf(P2PConnectionClosedError);
    expect(got).toHaveLength(0);
  });

  it('a nonce counter never wraps', async () => {
    const [a, b] = await socketPair();
    const [sa] = await connectPair(a, b);
    sa.sendNonce = MAX_NONCE;
    const reason = closeReason(sa);
    sa.write(new Uint8Array([1]));
    expect((await reason).message).toMatch(/send nonce exhausted/);

    const [c, d] = await socketPair();
    const [sc, sd] = await connectPair(c, d);
    sd.recvNonce = MAX_NONCE;
    const reason2 = closeReason(sd);
    sd.setDataHandler(() => {});
    sc.write(new Uint8Array([1]));
    expect((await reason2).message).toMatch(/receive nonce exhausted/);
  });
});
