/**
 * node_key.json (CometBFT p2p/key.go): `{"priv_key": {"type": "tendermint/PrivKeyEd25519",
 * "value": base64(seed || pubkey)}}`. The node ID peers know it by is the lower-case hex of the
 * first 20 bytes of SHA-256(public key), i.e. the ed25519 address in lower case.
 */
import { createHash } from 'node:crypto';
import { Ed25519PrivateKey } from '../privval/ed25519.js';
import { fileExists, formatJson, NodeFileError, readJsonFile, writeFileAtomicSync } from './files.js';

const PRIV_TYPE = 'tendermint/PrivKeyEd25519';

export interface NodeKey {
  privKey: Ed25519PrivateKey;
  /** 40 lower-case hex characters. */
  id: string;
}

/** p2p.PubKeyToID */
export function nodeIdFromPubKey(pubKey: Uint8Array): string {
  return createHash('sha256').update(pubKey).digest().subarray(0, 20).toString('hex');
}

export function nodeKeyFrom(privKey: Ed25519PrivateKey): NodeKey {
  return { privKey, id: nodeIdFromPubKey(privKey.publicKey) };
}

export function nodeKeyToJson(k: NodeKey): unknown {
  return { priv_key: { type: PRIV_TYPE, value: Buffer.from(k.privKey.toBytes()).toString('base64') } };
}

// biome-ignore lint/suspicious/noExplicitAny: JSON input is untyped until checked.
export function nodeKeyFromJson(j: any, path = 'node_key.json'): NodeKey {
  const priv = j?.priv_key;
  if (priv === null || typeof priv !== 'object') throw new NodeFileError(path, 'priv_key is missing');
  if (priv.type !== PRIV_TYPE) {
    throw new NodeFileError(
      path,
      `unsupported priv_key type ${JSON.stringify(priv.type)}; want ${PRIV_TYPE}`,
    );
  }
  const v = priv.value;
  if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 !== 0) {
    throw new NodeFileError(path, 'priv_key.value must be base64');
  }
  try {
    return nodeKeyFrom(Ed25519PrivateKey.fromBytes(new Uint8Array(Buffer.from(v, 'base64'))));
  } catch (e) {
    throw new NodeFileError(path, (e as Error).message);
  }
}

export function loadNodeKey(path: string): NodeKey {
  return nodeKeyFromJson(readJsonFile(path, 'node key'), path);
}

export function saveNodeKey(path: string, k: NodeKey): void {
  writeFileAtomicSync(path, `${formatJson(nodeKeyToJson(k))}\n`, 0o600);
}

/** LoadOrGenNodeKey */
export function loadOrGenerateNodeKey(path: string): NodeKey {
  if (fileExists(path)) return loadNodeKey(path);
  const k = nodeKeyFrom(Ed25519PrivateKey.generate());
  saveNodeKey(path, k);
  return k;
}
