/**
 * The NodeInfo exchange that follows the secret-connection handshake (CometBFT
 * p2p/transport.go handshake + DefaultNodeInfo.CompatibleWith), sent as length-prefixed JSON:
 * a 4-byte big-endian length (at most MAX_NODE_INFO_SIZE) and a UTF-8 JSON object. Both sides
 * write first, then read, so neither waits on the other.
 *
 * Checks on the remote's info: well-formed (a P2PProtocolError otherwise), its `id` is the ID
 * it authenticated with (a lie is a protocol error), then compatibility — same network (chain
 * id), a compatible version and at least one common channel (P2PIncompatiblePeerError, no ban).
 */
import { P2PIncompatiblePeerError, P2PProtocolError } from './errors.js';
import type { SecretConnection } from './secretConnection.js';
import type { NodeInfo } from './types.js';

export const MAX_NODE_INFO_SIZE = 10_240;
const MAX_STRING = 256;
const MAX_CHANNELS = 64;

export function encodeNodeInfo(info: NodeInfo): Uint8Array {
  const json = Buffer.from(
    JSON.stringify({
      id: info.id,
      listenAddr: info.listenAddr,
      network: info.network,
      version: info.version,
      channels: info.channels,
      moniker: info.moniker,
      rpcAddress: info.rpcAddress,
    }),
    'utf8',
  );
  if (json.length > MAX_NODE_INFO_SIZE)
    throw new Error(`node info is ${json.length} bytes (max ${MAX_NODE_INFO_SIZE})`);
  const out = Buffer.alloc(4 + json.length);
  out.writeUInt32BE(json.length, 0);
  json.copy(out, 4);
  return out;
}

function str(o: Record<string, unknown>, k: string, pattern?: RegExp): string {
  const v = o[k];
  if (typeof v !== 'string' || v.length > MAX_STRING) {
    throw new P2PProtocolError(`node info: ${k} must be a string of at most ${MAX_STRING} characters`);
  }
  if (pattern && !pattern.test(v))
    throw new P2PProtocolError(`node info: ${k} ${JSON.stringify(v)} is malformed`);
  return v;
}

/** Parses and shape-checks a NodeInfo JSON body. */
export function decodeNodeInfo(body: Uint8Array): NodeInfo {
  let j: unknown;
  try {
    j = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch (e) {
    throw new P2PProtocolError(`node info is not UTF-8 JSON: ${(e as Error).message}`);
  }
  if (j === null || typeof j !== 'object' || Array.isArray(j))
    throw new P2PProtocolError('node info must be an object');
  const o = j as Record<string, unknown>;
  const channels = o.channels;
  if (
    !Array.isArray(channels) ||
    channels.length > MAX_CHANNELS ||
    !channels.every((c) => Number.isInteger(c) && c >= 0 && c <= 255)
  ) {
    throw new P2PProtocolError(`node info: channels must be at most ${MAX_CHANNELS} integers in 0..255`);
  }
  if (new Set(channels).size !== channels.length) throw new P2PProtocolError('node info: duplicate channels');
  return {
    id: str(o, 'id', /^[0-9a-f]{40}$/),
    listenAddr: str(o, 'listenAddr'),
    network: str(o, 'network', /^.{1,}$/),
    version: str(o, 'version'),
    channels: channels as number[],
    moniker: str(o, 'moniker'),
    rpcAddress: str(o, 'rpcAddress'),
  };
}

/** Major (and for 0.x, minor) version numbers must match; unparsable versions never do. */
export function versionsCompatible(a: string, b: string): boolean {
  const pa = /^v?(\d+)\.(\d+)/.exec(a);
  const pb = /^v?(\d+)\.(\d+)/.exec(b);
  if (!pa || !pb) return false;
  if (pa[1] !== pb[1]) return false;
  return pa[1] !== '0' || pa[2] === pb[2];
}

/** Throws if `remote` (already authenticated as `authenticatedId`) cannot be our peer. */
export function checkNodeInfo(ours: NodeInfo, remote: NodeInfo, authenticatedId: string): void {
  if (remote.id !== authenticatedId) {
    throw new P2PProtocolError(
      `node info claims id ${remote.id} but the connection authenticated ${authenticatedId}`,
    );
  }
  if (remote.network !== ours.network) {
    throw new P2PIncompatiblePeerError(
      `peer ${remote.id} is on network ${JSON.stringify(remote.network)}, we are on ${JSON.stringify(ours.network)}`,
    );
  }
  if (!versionsCompatible(ours.version, remote.version)) {
    throw new P2PIncompatiblePeerError(
      `peer ${remote.id} runs incompatible version ${JSON.stringify(remote.version)} (ours ${ours.version})`,
    );
  }
  const mine = new Set(ours.channels);
  if (!remote.channels.some((c) => mine.has(c))) {
    throw new P2PIncompatiblePeerError(`peer ${remote.id} has no channel in common with us`);
  }
}

/** Sends ours, reads theirs, checks it; resolves with the remote's NodeInfo. */
export async function exchangeNodeInfo(sc: SecretConnection, ours: NodeInfo): Promise<NodeInfo> {
  sc.write(encodeNodeInfo(ours));
  const head = await sc.readExact(4);
  const len = Buffer.from(head).readUInt32BE(0);
  if (len > MAX_NODE_INFO_SIZE)
    throw new P2PProtocolError(`node info of ${len} bytes exceeds ${MAX_NODE_INFO_SIZE}`);
  const remote = decodeNodeInfo(await sc.readExact(len));
  checkNodeInfo(ours, remote, sc.remoteId);
  return remote;
}
