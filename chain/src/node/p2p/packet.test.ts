import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { P2PProtocolError } from './errors.js';
import {
  decodePacketBody,
  encodePacket,
  encodePacketBody,
  encodePacketMsgs,
  type Packet,
  packetMsgWireSize,
  readLengthPrefix,
} from './packet.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('packet encoding (tendermint.p2p.Packet)', () => {
  it('writes the protobuf bytes CometBFT writes', () => {
    // Hand-assembled from conn.proto: field 1/2/3 length-delimited, PacketMsg fields 1 varint,
    // 2 varint, 3 bytes; defaults omitted; a uvarint length in front.
    expect(hex(encodePacket({ type: 'ping' }))).toBe('020a00');
    expect(hex(encodePacket({ type: 'pong' }))).toBe('021200');
    expect(hex(encodePacket({ type: 'msg', channelId: 0x20, eof: true, data: new Uint8Array([1, 2]) }))).toBe(
      '0a1a080820100' + '11a020102',
    );
    expect(hex(encodePacketBody({ type: 'msg', channelId: 0, eof: false, data: new Uint8Array(0) }))).toBe(
      '1a00',
    );
    const big = encodePacket({ type: 'msg', channelId: 0x40, eof: false, data: new Uint8Array(1024) });
    // 1024 data bytes: PacketMsg = 08 40 | 1a 80 08 | data (1029 bytes), Packet = 1a 85 08 |
    // PacketMsg (1032 bytes), prefixed 88 08.
    expect(hex(big.subarray(0, 10))).toBe('88081a85080840' + '1a8008');
    expect(big.length).toBe(2 + 1032);
  });

  it('writes a flush of PacketMsgs as the same packets one by one, sized exactly (property)', () => {
    const part = fc.record({
      channelId: fc.integer({ min: 0, max: 255 }),
      eof: fc.boolean(),
      data: fc.uint8Array({ maxLength: 1100 }),
    });
    fc.assert(
      fc.property(fc.array(part, { maxLength: 12 }), (parts) => {
        const one = parts.map((p) => encodePacket({ type: 'msg', ...p }));
        expect(hex(encodePacketMsgs(parts))).toBe(hex(Buffer.concat(one)));
        expect(parts.map(packetMsgWireSize)).toEqual(one.map((b) => b.length));
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips every channel, flag and payload (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 255 }),
        fc.boolean(),
        fc.uint8Array({ maxLength: 1024 }),
        (ch, eof, data) => {
          const p: Packet = { type: 'msg', channelId: ch, eof, data };
          const wire = encodePacket(p);
          const lp = readLengthPrefix(wire, 0, 2000);
          expect(lp).toBeDefined();
          const [len, used] = lp as [number, number];
          expect(used + len).toBe(wire.length);
          const back = decodePacketBody(wire.subarray(used));
          expect(back).toEqual({ type: 'msg', channelId: ch, eof, data: expect.anything() });
          expect(hex((back as { data: Uint8Array }).data)).toBe(hex(data));
        },
      ),
      { numRuns: 300 },
    );
  });

  it.each([
    ['empty packet', ''],
    ['channel id out of range', '1a0308c002'],
    ['negative channel id', '1a0b08ffffffffffffffffff01'],
    ['wrong wire type for ping', '0800'],
    ['truncated msg', '1a05080110'],
    ['wrong wire type for data', '1a02180a'],
  ])('refuses %s', (_name, h) => {
    expect(() => decodePacketBody(Buffer.from(h, 'hex'))).toThrow(P2PProtocolError);
  });

  it('skips unknown fields as protobuf allows', () => {
    expect(decodePacketBody(Buffer.from('20050a00', 'hex'))).toEqual({ type: 'ping' });
  });

  it('random bytes decode to a packet or a P2PProtocolError, nothing else (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        try {
          decodePacketBody(b);
        } catch (e) {
          expect(e).toBeInstanceOf(P2PProtocolError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('length prefixes: partial, over the limit, too long', () => {
    expect(readLengthPrefix(new Uint8Array([0x89]), 0, 2000)).toBeUndefined();
    expect(readLengthPrefix(new Uint8Array([0x88, 0x08]), 0, 2000)).toEqual([1032, 2]);
    expect(() => readLengthPrefix(new Uint8Array([0x89, 0x08]), 0, 1000)).toThrow(/exceeds/);
    expect(() => readLengthPrefix(new Uint8Array([0x80, 0x80, 0x80, 0x80, 0x80, 0x00]), 0, 2 ** 40)).toThrow(
      /too long/,
    );
  });
});
