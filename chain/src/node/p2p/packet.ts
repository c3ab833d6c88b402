/**
 * The multiplexed connection's packets, encoded as CometBFT's `tendermint.p2p.Packet`
 * (proto/tendermint/p2p/conn.proto): a oneof of PacketPing = 1, PacketPong = 2 and
 * PacketMsg = 3 { int32 channel_id = 1; bool eof = 2; bytes data = 3 }, each packet preceded by
 * its length as an unsigned varint. Written with @bufbuild/protobuf's BinaryWriter; decoding
 * is strict (wrong wire types, channel IDs outside 0..255, an empty oneof are errors).
 */
import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { bytesFieldSize, ExactWriter, lengthDelimitedSize, varintSize } from '../../codec/exactWriter.js';
import { P2PProtocolError } from './errors.js';

export type Packet =
  | { type: 'ping' }
  | { type: 'pong' }
  | { type: 'msg'; channelId: number; eof: boolean; data: Uint8Array };

/** The largest data payload of one PacketMsg (CometBFT's default). */
export const MAX_PACKET_MSG_PAYLOAD_SIZE = 1024;
/** Room for the PacketMsg envelope around a payload (tags, lengths, channel id, eof). */
export const PACKET_OVERHEAD = 32;

/** The packet's protobuf bytes, without the length prefix. */
export function encodePacketBody(p: Packet): Uint8Array {
  const w = new BinaryWriter();
  if (p.type === 'ping') w.tag(1, WireType.LengthDelimited).bytes(new Uint8Array(0));
  else if (p.type === 'pong') w.tag(2, WireType.LengthDelimited).bytes(new Uint8Array(0));
  else {
    w.tag(3, WireType.LengthDelimited).fork();
    if (p.channelId !== 0) w.tag(1, WireType.Varint).int32(p.channelId);
    if (p.eof) w.tag(2, WireType.Varint).bool(true);
    if (p.data.length > 0) w.tag(3, WireType.LengthDelimited).bytes(p.data);
    w.join();
  }
  return w.finish();
}

/** Length-prefixed packet, as sent on the wire. */
export function encodePacket(p: Packet): Uint8Array {
  return new BinaryWriter().bytes(encodePacketBody(p)).finish();
}

/** One PacketMsg to send: `data` is a slice of a channel message (at most the max payload). */
export interface PacketMsgPart {
  channelId: number;
  eof: boolean;
  data: Uint8Array;
}

/** Size of a PacketMsg body (what `encodePacketBody` writes inside Packet.msg). */
function packetMsgSize(p: PacketMsgPart): number {
  return (
    (p.channelId !== 0 ? 1 + varintSize(p.channelId) : 0) + (p.eof ? 2 : 0) + bytesFieldSize(p.data.length)
  );
}

/** Bytes `p` takes on the wire: length prefix, Packet envelope, PacketMsg. */
export function packetMsgWireSize(p: PacketMsgPart): number {
  const packet = lengthDelimitedSize(packetMsgSize(p));
  return varintSize(packet) + packet;
}

/**
 * The wire bytes of several PacketMsgs, each length-prefixed as `encodePacket` writes it, in
 * one pass into one array (the connection sends a flush's packets as one write).
 */
export function encodePacketMsgs(parts: readonly PacketMsgPart[]): Uint8Array {
  let total = 0;
  const sizes: number[] = [];
  for (const p of parts) {
    const msg = packetMsgSize(p);
    const packet = lengthDelimitedSize(msg);
    sizes.push(msg, packet);
    total += varintSize(packet) + packet;
  }
  const w = new ExactWriter(total);
  parts.forEach((p, i) => {
    w.varint(sizes[2 * i + 1] as number);
    w.byte(0x1a); // Packet.packet_msg
    w.varint(sizes[2 * i] as number);
    if (p.channelId !== 0) {
      w.byte(0x08); // PacketMsg.channel_id
      w.varint(p.channelId);
    }
    if (p.eof) {
      w.byte(0x10); // PacketMsg.eof
      w.byte(1);
    }
    if (p.data.length > 0) {
      w.byte(0x1a); // PacketMsg.data
      w.varint(p.data.length);
      w.bytes(p.data);
    }
  });
  return w.finish();
}

function expectWire(field: string, got: WireType, want: WireType): void {
  if (got !== want) throw new P2PProtocolError(`packet field ${field} has wire type ${got}, want ${want}`);
}

function decodeMsg(bytes: Uint8Array): Packet {
  const r = new BinaryReader(bytes);
  let channelId = 0;
  let eof = false;
  let data: Uint8Array = new Uint8Array(0);
  while (r.pos < r.len) {
    const [no, wt] = r.tag();
    if (no === 1) {
      expectWire('PacketMsg.channel_id', wt, WireType.Varint);
      channelId = r.int32();
    } else if (no === 2) {
      expectWire('PacketMsg.eof', wt, WireType.Varint);
      eof = r.bool();
    } else if (no === 3) {
      expectWire('PacketMsg.data', wt, WireType.LengthDelimited);
      data = r.bytes();
    } else r.skip(wt, no);
  }
  if (!Number.isInteger(channelId) || channelId < 0 || channelId > 255) {
    throw new P2PProtocolError(`packet channel id ${channelId} is outside 0..255`);
  }
  return { type: 'msg', channelId, eof, data };
}

/** Decodes one packet body (no length prefix); any malformation is a P2PProtocolError. */
export function decodePacketBody(bytes: Uint8Array): Packet {
  try {
    const r = new BinaryReader(bytes);
    let out: Packet | undefined;
    while (r.pos < r.len) {
      const [no, wt] = r.tag();
      if (no === 1 || no === 2 || no === 3) {
        expectWire(`Packet.${no}`, wt, WireType.LengthDelimited);
        const inner = r.bytes();
        if (no === 1) out = { type: 'ping' };
        else if (no === 2) out = { type: 'pong' };
        else out = decodeMsg(inner);
      } else r.skip(wt, no);
    }
    if (!out) throw new P2PProtocolError('packet has none of ping, pong, msg');
    return out;
  } catch (e) {
    if (e instanceof P2PProtocolError) throw e;
    throw new P2PProtocolError(`malformed packet: ${(e as Error).message}`);
  }
}

/**
 * Reads an unsigned varint length at `off`. Returns [value, bytes used], or undefined if the
 * buffer ends first. Lengths above `max` (or varints longer than 5 bytes) are errors.
 */
export function readLengthPrefix(buf: Uint8Array, off: number, max: number): [number, number] | undefined {
  let value = 0;
  for (let i = 0; i < 5; i++) {
    if (off + i >= buf.length) return undefined;
    const b = buf[off + i] as number;
    value += (b & 0x7f) * 2 ** (7 * i);
    if (value > max) throw new P2PProtocolError(`packet of ${value}+ bytes exceeds the limit of ${max}`);
    if ((b & 0x80) === 0) return [value, i + 1];
  }
  throw new P2PProtocolError('packet length varint is too long');
}
