/**
 * The authenticated, encrypted byte stream between two nodes, after CometBFT's SecretConnection
 * (p2p/conn/secret_connection.go, v0.38) — same primitives and framing, not byte-compatible:
 *
 * 1. Each side sends a fresh X25519 ephemeral public key (32 raw bytes).
 * 2. Both compute the X25519 shared secret; an all-zero secret (the remote sent a low-order
 *    point, which a clamped scalar maps to zero) or a reflected key is refused.
 * 3. HKDF-SHA256(ikm = shared secret, salt = SHA-256(label || lowEph || highEph), info) gives
 *    96 bytes: two ChaCha20-Poly1305 keys and a 32-byte challenge. The side whose ephemeral key
 *    sorts lower receives with the first key and sends with the second. CometBFT derives the
 *    challenge from a Merlin transcript of the two ephemeral keys and the secret; the salted
 *    HKDF binds the same inputs (both ephemeral keys, in a fixed order, and the secret).
 * 4. Over the now-encrypted stream each side sends `ed25519 pubkey (32) || signature of the
 *    challenge (64)`. A bad signature ends the connection; the remote's node ID is the hex of
 *    the first 20 bytes of SHA-256 of that key, and a dialer that expected another ID hangs up.
 *
 * Frames: 1028 plaintext bytes (4-byte little-endian length, then up to 1024 data bytes, zero
 * padded), sealed with ChaCha20-Poly1305 into 1044 bytes. Nonces are 12 bytes: 4 zero bytes and
 * a 64-bit little-endian counter per direction; a counter that would wrap ends the connection,
 * so a nonce is never reused. Any frame failing authentication (tampered, replayed, reordered or
 * truncated) or announcing more than 1024 bytes is a protocol error.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
  verify,
} from 'node:crypto';
import type { Socket } from 'node:net';
import { nodeIdFromPubKey } from '../config/nodeKey.js';
import type { Ed25519PrivateKey } from '../privval/ed25519.js';
import { ByteQueue } from './byteQueue.js';
import { P2PConnectionClosedError, P2PProtocolError, P2PUnexpectedPeerIdError } from './errors.js';

export const DATA_LEN_SIZE = 4;
export const DATA_MAX_SIZE = 1024;
export const TOTAL_FRAME_SIZE = DATA_LEN_SIZE + DATA_MAX_SIZE;
export const AEAD_TAG_SIZE = 16;
export const SEALED_FRAME_SIZE = TOTAL_FRAME_SIZE + AEAD_TAG_SIZE;
const AUTH_MSG_SIZE = 32 + 64;
/**
 * Bytes a remote may send before we read them during the handshake (its auth frame and its
 * NodeInfo frames) and plaintext it may send before the connection is handed to a reader; more
 * is a flood and a protocol error, so an unauthenticated peer cannot grow our buffers.
 */
export const MAX_HANDSHAKE_BUFFER = 32 + 32 * SEALED_FRAME_SIZE;
export const MAX_UNREAD_PLAINTEXT = 1 << 20;
/** The last usable counter value; using it would leave nothing to increment to. */
export const MAX_NONCE = (1n << 64n) - 1n;

const TRANSCRIPT_LABEL = Buffer.from('HEARTH_SECRET_CONNECTION_TRANSCRIPT_V1');
const HKDF_INFO = Buffer.from('HEARTH_SECRET_CONNECTION_KEY_AND_CHALLENGE_GEN');
const X25519_SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** A byte stream the multiplexed connection runs over. */
export interface ByteTransport {
  /** Queues bytes for the remote; throws nothing (a failure closes the transport). */
  write(data: Uint8Array): void;
  /** True while the kernel buffer is full: wait for `onDrain` before writing more. */
  readonly needsDrain: boolean;
  onDrain(cb: () => void): void;
  /** Delivers received bytes (anything buffered so far at once). */
  setDataHandler(handler: (data: Uint8Array) => void): void;
  /** Called once when the transport ends, with the reason. */
  onClose(cb: (err: Error) => void): void;
  close(err?: Error): void;
  readonly closed: boolean;
}

export interface SecretConnectionOptions {
  privKey: Ed25519PrivateKey;
  /** The node ID the dialer wants; another authenticated ID ends the connection. */
  expectedId?: string;
}

function nonceBytes(counter: bigint): Buffer {
  const n = Buffer.alloc(12);
  n.writeBigUInt64LE(counter, 4);
  return n;
}

export function x25519PublicKeyObject(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([X25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

function ed25519PublicKeyObject(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** The X25519 shared secret, refusing low-order points (an all-zero result) and bad encodings. */
export function computeSharedSecret(localPrivate: KeyObject, remotePublic: Uint8Array): Buffer {
  if (remotePublic.length !== 32) throw new P2PProtocolError('ephemeral key must be 32 bytes');
  let shared: Buffer;
  try {
    shared = diffieHellman({ privateKey: localPrivate, publicKey: x25519PublicKeyObject(remotePublic) });
  } catch (e) {
    // OpenSSL itself refuses an all-zero X25519 output.
    throw new P2PProtocolError(
      `X25519 key agreement failed (low-order ephemeral key?): ${(e as Error).message}`,
    );
  }
  if (shared.every((b) => b === 0))
    throw new P2PProtocolError('X25519 shared secret is all zeros (low-order key)');
  return shared;
}

/** Keys and challenge for one side (exported for tests). */
export function deriveSecrets(
  shared: Uint8Array,
  localEph: Uint8Array,
  remoteEph: Uint8Array,
): { sendKey: Buffer; recvKey: Buffer; challenge: Buffer } {
  const localIsLow = Buffer.compare(localEph, remoteEph) < 0;
  const [lo, hi] = localIsLow ? [localEph, remoteEph] : [remoteEph, localEph];
  const salt = createHash('sha256').update(TRANSCRIPT_LABEL).update(lo).update(hi).digest();
  const okm = Buffer.from(hkdfSync('sha256', shared, salt, HKDF_INFO, 96));
  const k1 = okm.subarray(0, 32);
  const k2 = okm.subarray(32, 64);
  return {
    recvKey: localIsLow ? k1 : k2,
    sendKey: localIsLow ? k2 : k1,
    challenge: okm.subarray(64, 96),
  };
}

export class SecretConnection implements ByteTransport {
  /** @internal counters, exposed for the overflow tests */
  sendNonce = 0n;
  /** @internal */
  recvNonce = 0n;
  private sendKey: Buffer = Buffer.alloc(0);
  private recvKey: Buffer = Buffer.alloc(0);
  private handshaking = true;
  /** Raw bytes during the handshake. */
  private readonly raw = new ByteQueue();
  /** Ciphertext not yet a whole frame. */
  private cipherBuf: Buffer = Buffer.alloc(0);
  /** Plaintext waiting for a data handler (or read by `readExact` during the node-info exchange). */
  private readonly plain = new ByteQueue();
  private handler: ((data: Uint8Array) => void) | undefined;
  private closeCbs: ((err: Error) => void)[] = [];
  private closeErr: Error | undefined;
  private socketErr: Error | undefined;
  remotePubKey: Uint8Array = new Uint8Array(0);
  remoteId = '';

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.onSocketData(chunk));
    socket.on('error', (err) => {
      this.socketErr = err;
    });
    socket.on('close', () => {
      this.close(this.socketErr ?? new P2PConnectionClosedError('connection closed by the remote'));
    });
  }

  /**
   * Runs the handshake on a connected socket. Rejects (and destroys the socket) on any failure;
   * the caller bounds the time it may take by destroying the socket.
   */
  static async handshake(socket: Socket, opts: SecretConnectionOptions): Promise<SecretConnection> {
    const sc = new SecretConnection(socket);
    try {
      await sc.runHandshake(opts);
      return sc;
    } catch (e) {
      sc.close(e as Error);
      throw sc.closeErr ?? e;
    }
  }

  private async runHandshake(opts: SecretConnectionOptions): Promise<void> {
    const eph = generateKeyPairSync('x25519');
    const spki = eph.publicKey.export({ format: 'der', type: 'spki' });
    const localEph = new Uint8Array(spki.subarray(spki.length - 32));
    this.socket.write(localEph);
    const remoteEph = await this.raw.read(32);
    if (Buffer.from(localEph).equals(remoteEph)) {
      throw new P2PProtocolError('the remote reflected our ephemeral key');
    }
    const shared = computeSharedSecret(eph.privateKey, remoteEph);
    const { sendKey, recvKey, challenge } = deriveSecrets(shared, localEph, remoteEph);
    this.sendKey = sendKey;
    this.recvKey = recvKey;

    const auth = new Uint8Array(AUTH_MSG_SIZE);
    auth.set(opts.privKey.publicKey, 0);
    auth.set(opts.privKey.sign(challenge), 32);
    this.writeFrames(auth);

    const sealed = await this.raw.read(SEALED_FRAME_SIZE);
    const msg = this.openFrame(sealed);
    if (msg.length !== AUTH_MSG_SIZE) {
      throw new P2PProtocolError(`auth message must be ${AUTH_MSG_SIZE} bytes, got ${msg.length}`);
    }
    const remotePub = msg.subarray(0, 32);
    const sig = msg.subarray(32);
    let ok = false;
    try {
      ok = verify(null, challenge, ed25519PublicKeyObject(remotePub), sig);
    } catch {
      ok = false;
    }
    if (!ok) throw new P2PProtocolError('the remote signature of the handshake challenge is invalid');
    this.remotePubKey = new Uint8Array(remotePub);
    this.remoteId = nodeIdFromPubKey(this.remotePubKey);
    if (opts.expectedId !== undefined && opts.expectedId !== this.remoteId) {
      throw new P2PUnexpectedPeerIdError(opts.expectedId, this.remoteId);
    }
    this.handshaking = false;
    const rest = this.raw.drain();
    if (rest.length > 0) this.onCiphertext(Buffer.from(rest));
  }

  get closed(): boolean {
    return this.closeErr !== undefined;
  }

  get needsDrain(): boolean {
    return this.socket.writableNeedDrain;
  }

  onDrain(cb: () => void): void {
    this.socket.once('drain', cb);
  }

  write(data: Uint8Array): void {
    if (this.closed || this.handshaking) return;
    try {
      this.writeFrames(data);
    } catch (e) {
      this.close(e as Error);
    }
  }

  /** Reads exactly `n` plaintext bytes (only before a data handler is set). */
  readExact(n: number): Promise<Uint8Array> {
    return this.plain.read(n);
  }

  setDataHandler(handler: (data: Uint8Array) => void): void {
    this.handler = handler;
    const rest = this.plain.drain();
    if (rest.length > 0) handler(rest);
  }

  onClose(cb: (err: Error) => void): void {
    if (this.closeErr) cb(this.closeErr);
    else this.closeCbs.push(cb);
  }

  close(err: Error = new P2PConnectionClosedError('connection closed locally')): void {
    if (this.closeErr) return;
    this.closeErr = err;
    this.handler = undefined;
    this.raw.fail(err);
    this.plain.fail(err);
    this.socket.destroy();
    const cbs = this.closeCbs;
    this.closeCbs = [];
    for (const cb of cbs) cb(err);
  }

  private onSocketData(chunk: Buffer): void {
    if (this.closed) return;
    if (this.handshaking) {
      if (this.raw.length + chunk.length > MAX_HANDSHAKE_BUFFER) {
        this.close(
          new P2PProtocolError(`the remote sent over ${MAX_HANDSHAKE_BUFFER} bytes during the handshake`),
        );
        return;
      }
      this.raw.push(chunk);
    } else this.onCiphertext(chunk);
  }

  private onCiphertext(chunk: Buffer): void {
    this.cipherBuf = this.cipherBuf.length === 0 ? chunk : Buffer.concat([this.cipherBuf, chunk]);
    let off = 0;
    try {
      while (this.cipherBuf.length - off >= SEALED_FRAME_SIZE && !this.closed) {
        const data = this.openFrame(this.cipherBuf.subarray(off, off + SEALED_FRAME_SIZE));
        off += SEALED_FRAME_SIZE;
        if (data.length === 0) continue;
        if (this.handler) this.handler(data);
        else {
          this.plain.push(data);
          if (this.plain.length > MAX_UNREAD_PLAINTEXT) {
            throw new P2PProtocolError(
              `the remote sent over ${MAX_UNREAD_PLAINTEXT} bytes before the handshake ended`,
            );
          }
        }
      }
    } catch (e) {
      this.close(e as Error);
      return;
    }
    this.cipherBuf = off === this.cipherBuf.length ? Buffer.alloc(0) : this.cipherBuf.subarray(off);
  }

  /** Authenticates and opens one sealed frame; returns its data bytes. */
  private openFrame(sealed: Uint8Array): Uint8Array {
    if (this.recvNonce >= MAX_NONCE) throw new P2PProtocolError('receive nonce exhausted');
    const d = createDecipheriv('chacha20-poly1305', this.recvKey, nonceBytes(this.recvNonce), {
      authTagLength: AEAD_TAG_SIZE,
    });
    d.setAuthTag(sealed.subarray(TOTAL_FRAME_SIZE, SEALED_FRAME_SIZE));
    let frame: Buffer;
    try {
      // ChaCha20-Poly1305 is a stream cipher: update returns the whole frame, final only checks the tag.
      frame = d.update(sealed.subarray(0, TOTAL_FRAME_SIZE));
      d.final();
    } catch {
      throw new P2PProtocolError('a frame failed authentication (tampered, replayed or out of order)');
    }
    this.recvNonce += 1n;
    const len = frame.readUInt32LE(0);
    if (len > DATA_MAX_SIZE)
      throw new P2PProtocolError(`frame announces ${len} data bytes (max ${DATA_MAX_SIZE})`);
    // A view, not a copy: the decrypted frame is a fresh buffer of its own.
    return new Uint8Array(frame.buffer, frame.byteOffset + DATA_LEN_SIZE, len);
  }

  private writeFrames(data: Uint8Array): void {
    const n = Math.max(1, Math.ceil(data.length / DATA_MAX_SIZE));
    const out = Buffer.allocUnsafe(n * SEALED_FRAME_SIZE);
    const frame = Buffer.alloc(TOTAL_FRAME_SIZE);
    for (let i = 0; i < n; i++) {
      if (this.sendNonce >= MAX_NONCE) throw new P2PProtocolError('send nonce exhausted');
      const chunk = data.subarray(i * DATA_MAX_SIZE, (i + 1) * DATA_MAX_SIZE);
      frame.fill(0);
      frame.writeUInt32LE(chunk.length, 0);
      frame.set(chunk, DATA_LEN_SIZE);
      const c = createCipheriv('chacha20-poly1305', this.sendKey, nonceBytes(this.sendNonce), {
        authTagLength: AEAD_TAG_SIZE,
      });
      const base = i * SEALED_FRAME_SIZE;
      const ct = c.update(frame);
      c.final();
      ct.copy(out, base);
      c.getAuthTag().copy(out, base + TOTAL_FRAME_SIZE);
      this.sendNonce += 1n;
    }
    this.socket.write(out);
  }
}
