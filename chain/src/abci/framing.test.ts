import { Request, Response } from 'cosmjs-types/tendermint/abci/types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeProto } from '../codec/protoWriter.js';
import { DEFAULT_MAX_MESSAGE_BYTES, encodeFrame, FrameDecoder, FrameError } from './framing.js';

// Transcribed from /work/shared/conformance/cometbft-v0.38/abci_socket_framing_derived.json
// (derived from cometbft v0.38.25 abci/types/messages.go + proto/tendermint/abci/types.proto).
const VECTORS = {
  requestEcho: '090a070a0568656c6c6f',
  requestFlush: '021200',
  responseEcho: '0912070a0568656c6c6f',
  responseFlush: '021a00',
  requestInfo: '161a140a07302e33382e3235100b18082205322e302e30',
};

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));

describe('ABCI framing (CometBFT v0.38 vectors)', () => {
  it('encodes requests and responses exactly as CometBFT frames them', () => {
    expect(hex(encodeFrame(encodeProto(Request, { echo: { message: 'hello' } })))).toBe(VECTORS.requestEcho);
    expect(hex(encodeFrame(encodeProto(Request, { flush: {} })))).toBe(VECTORS.requestFlush);
    expect(hex(encodeFrame(encodeProto(Response, { echo: { message: 'hello' } })))).toBe(
      VECTORS.responseEcho,
    );
    expect(hex(encodeFrame(encodeProto(Response, { flush: {} })))).toBe(VECTORS.responseFlush);
    const info = { version: '0.38.25', blockVersion: 11n, p2pVersion: 8n, abciVersion: '2.0.0' };
    expect(hex(encodeFrame(encodeProto(Request, { info })))).toBe(VECTORS.requestInfo);
  });

  it('uses an unsigned (not zigzag) varint prefix: a 206-byte body is prefixed ce01', () => {
    const body = encodeProto(Request, { echo: { message: 'x'.repeat(200) } });
    expect(body.length).toBe(206);
    expect(hex(encodeFrame(body).subarray(0, 2))).toBe('ce01');
  });

  it('decodes the vectors back, even when fed one byte at a time', () => {
    const stream = unhex(VECTORS.requestEcho + VECTORS.requestFlush + VECTORS.requestInfo);
    const dec = new FrameDecoder();
    const frames: Uint8Array[] = [];
    for (const b of stream) frames.push(...dec.push(Uint8Array.of(b)));
    expect(frames.map((f) => Request.decode(f))).toEqual([
      Request.fromPartial({ echo: { message: 'hello' } }),
      Request.fromPartial({ flush: {} }),
      Request.fromPartial({
        info: { version: '0.38.25', blockVersion: 11n, p2pVersion: 8n, abciVersion: '2.0.0' },
      }),
    ]);
    expect(dec.idle).toBe(true);
  });
});

describe('FrameDecoder', () => {
  it('splits any chunking of any sequence of frames back into the same bodies', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 400 }), { maxLength: 8 }),
        fc.array(fc.nat(500), { maxLength: 10 }),
        (bodies, cuts) => {
          const stream = Buffer.concat(bodies.map((b) => encodeFrame(b)));
          const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
          const dec = new FrameDecoder(1000);
          const out: Uint8Array[] = [];
          let prev = 0;
          for (const p of [...points, stream.length]) {
            out.push(...dec.push(stream.subarray(prev, p)));
            prev = p;
          }
          expect(out.map(hex)).toEqual(bodies.map(hex));
          expect(dec.idle).toBe(true);
        },
      ),
    );
  });

  it('refuses a length prefix above the limit before allocating anything', () => {
    const dec = new FrameDecoder(1024);
    expect(() => dec.push(unhex('8108'))).toThrow(FrameError); // 1025
    const atLimit = new FrameDecoder(1024);
    expect(atLimit.push(unhex('8008'))).toEqual([]); // 1024 is fine, waits for the body
    expect(atLimit.idle).toBe(false);
  });

  it('defaults to CometBFT v0.38 maxMsgSize (100 MiB) and refuses one byte more', () => {
    expect(DEFAULT_MAX_MESSAGE_BYTES).toBe(104_857_600);
    // uvarint(104857601) = 81 80 80 32
    expect(() => new FrameDecoder().push(unhex('81808032'))).toThrow(/exceeds the maximum of 104857600/);
    expect(new FrameDecoder().push(unhex('80808032'))).toEqual([]);
  });

  it('refuses a varint longer than 10 bytes', () => {
    const dec = new FrameDecoder(Number.MAX_SAFE_INTEGER);
    expect(() => dec.push(unhex('8080808080808080808080'))).toThrow(/too long/);
  });

  it('yields an empty body for a zero-length frame', () => {
    expect(new FrameDecoder().push(unhex('00'))).toEqual([new Uint8Array(0)]);
  });

  it('rejects a bad limit', () => {
    expect(() => new FrameDecoder(-1)).toThrow(RangeError);
    expect(() => new FrameDecoder(1.5)).toThrow(RangeError);
  });
});
