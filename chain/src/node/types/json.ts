/**
 * The CometBFT v0.38 JSON forms of the block types, as its RPC prints them (libs/json over
 * types/*.go): int64 as decimal strings, int32 as numbers, hashes and addresses as upper-case
 * hex, tx/signature bytes as base64 (null when empty), times as RFC3339Nano, evidence and keys
 * wrapped as `{type: "tendermint/...", value}`. Parsing is strict and throws DecodeError.
 */
import { DecodeError } from './errors.js';
import { formatRfc3339Nano, parseRfc3339 } from './time.js';
import type {
  Block,
  BlockId,
  Commit,
  CommitSig,
  ConsensusParams,
  Data,
  Evidence,
  Header,
  PublicKey,
  Validator,
  Vote,
} from './types.js';

// biome-ignore lint/suspicious/noExplicitAny: JSON input is untyped by nature.
type Json = any;

const EMPTY = new Uint8Array(0);

function obj(j: Json, what: string): Record<string, Json> {
  if (j === null || typeof j !== 'object' || Array.isArray(j))
    throw new DecodeError(`${what}: expected an object`);
  return j as Record<string, Json>;
}

function arr(j: Json, what: string): Json[] {
  if (j === null || j === undefined) return [];
  if (!Array.isArray(j)) throw new DecodeError(`${what}: expected an array`);
  return j;
}

/** Hex (either case, may be empty) to bytes. */
export function hexToBytes(s: Json, what = 'hex'): Uint8Array {
  if (s === null || s === undefined || s === '') return EMPTY;
  if (typeof s !== 'string' || s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) {
    throw new DecodeError(`${what}: expected hex, got ${JSON.stringify(s)}`);
  }
  return new Uint8Array(Buffer.from(s, 'hex'));
}

export function bytesToHex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex').toUpperCase();
}

/** Standard base64 (null or "" is empty) to bytes. */
export function base64ToBytes(s: Json, what = 'base64'): Uint8Array {
  if (s === null || s === undefined || s === '') return EMPTY;
  if (typeof s !== 'string' || s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) {
    throw new DecodeError(`${what}: expected base64, got ${JSON.stringify(s)}`);
  }
  return new Uint8Array(Buffer.from(s, 'base64'));
}

/** Go's []byte JSON: base64, or null when empty. */
export function bytesToBase64OrNull(b: Uint8Array): string | null {
  return b.length === 0 ? null : Buffer.from(b).toString('base64');
}

function int64(j: Json, what: string): bigint {
  if (typeof j === 'string' && /^-?[0-9]+$/.test(j)) {
    const v = BigInt(j);
    if (v >= -(1n << 63n) && v < 1n << 63n) return v;
  }
  if (typeof j === 'number' && Number.isSafeInteger(j)) return BigInt(j);
  throw new DecodeError(`${what}: expected an int64 string, got ${JSON.stringify(j)}`);
}

function uint64(j: Json, what: string): bigint {
  const v = j === undefined ? 0n : int64(j, what);
  if (v < 0n) throw new DecodeError(`${what}: must not be negative`);
  return v;
}

function int32(j: Json, what: string): number {
  const n = typeof j === 'string' && /^-?[0-9]+$/.test(j) ? Number(j) : j;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < -0x80000000 || n > 0x7fffffff) {
    throw new DecodeError(`${what}: expected an int32, got ${JSON.stringify(j)}`);
  }
  return n;
}

function str(j: Json, what: string): string {
  if (typeof j !== 'string') throw new DecodeError(`${what}: expected a string`);
  return j;
}

export function blockIdFromJson(j: Json): BlockId {
  const o = obj(j, 'block_id');
  const parts = obj(o.parts, 'block_id.parts');
  const total = int32(parts.total, 'block_id.parts.total');
  if (total < 0) throw new DecodeError('block_id.parts.total: must not be negative');
  return {
    hash: hexToBytes(o.hash, 'block_id.hash'),
    partSetHeader: { total, hash: hexToBytes(parts.hash, 'block_id.parts.hash') },
  };
}

export function blockIdToJson(b: BlockId): Json {
  return {
    hash: bytesToHex(b.hash),
    parts: { total: b.partSetHeader.total, hash: bytesToHex(b.partSetHeader.hash) },
  };
}

export function headerFromJson(j: Json): Header {
  const o = obj(j, 'header');
  const version = obj(o.version, 'header.version');
  const h = (k: string) => hexToBytes(o[k], `header.${k}`);
  return {
    version: {
      block: uint64(version.block, 'header.version.block'),
      app: uint64(version.app, 'header.version.app'),
    },
    chainId: str(o.chain_id, 'header.chain_id'),
    height: int64(o.height, 'header.height'),
    time: parseRfc3339(o.time),
    lastBlockId: blockIdFromJson(o.last_block_id),
    lastCommitHash: h('last_commit_hash'),
    dataHash: h('data_hash'),
    validatorsHash: h('validators_hash'),
    nextValidatorsHash: h('next_validators_hash'),
    consensusHash: h('consensus_hash'),
    appHash: h('app_hash'),
    lastResultsHash: h('last_results_hash'),
    evidenceHash: h('evidence_hash'),
    proposerAddress: h('proposer_address'),
  };
}

export function headerToJson(h: Header): Json {
  return {
    version: {
      block: h.version.block.toString(),
      ...(h.version.app === 0n ? {} : { app: h.version.app.toString() }),
    },
    chain_id: h.chainId,
    height: h.height.toString(),
    time: formatRfc3339Nano(h.time),
    last_block_id: blockIdToJson(h.lastBlockId),
    last_commit_hash: bytesToHex(h.lastCommitHash),
    data_hash: bytesToHex(h.dataHash),
    validators_hash: bytesToHex(h.validatorsHash),
    next_validators_hash: bytesToHex(h.nextValidatorsHash),
    consensus_hash: bytesToHex(h.consensusHash),
    app_hash: bytesToHex(h.appHash),
    last_results_hash: bytesToHex(h.lastResultsHash),
    evidence_hash: bytesToHex(h.evidenceHash),
    proposer_address: bytesToHex(h.proposerAddress),
  };
}

export function commitSigFromJson(j: Json): CommitSig {
  const o = obj(j, 'commit signature');
  return {
    blockIdFlag: int32(o.block_id_flag, 'block_id_flag'),
    validatorAddress: hexToBytes(o.validator_address, 'validator_address'),
    timestamp: parseRfc3339(o.timestamp),
    signature: base64ToBytes(o.signature, 'signature'),
  };
}

export function commitSigToJson(s: CommitSig): Json {
  return {
    block_id_flag: s.blockIdFlag,
    validator_address: bytesToHex(s.validatorAddress),
    timestamp: formatRfc3339Nano(s.timestamp),
    signature: bytesToBase64OrNull(s.signature),
  };
}

export function commitFromJson(j: Json): Commit {
  const o = obj(j, 'commit');
  return {
    height: int64(o.height, 'commit.height'),
    round: int32(o.round, 'commit.round'),
    blockId: blockIdFromJson(o.block_id),
    signatures: arr(o.signatures, 'commit.signatures').map(commitSigFromJson),
  };
}

export function commitToJson(c: Commit): Json {
  return {
    height: c.height.toString(),
    round: c.round,
    block_id: blockIdToJson(c.blockId),
    signatures: c.signatures.map(commitSigToJson),
  };
}

export function dataFromJson(j: Json): Data {
  const o = obj(j, 'data');
  return { txs: arr(o.txs, 'data.txs').map((t: Json) => base64ToBytes(t, 'tx')) };
}

export function dataToJson(d: Data): Json {
  return { txs: d.txs.map((t) => Buffer.from(t).toString('base64')) };
}

export function voteFromJson(j: Json): Vote {
  const o = obj(j, 'vote');
  return {
    type: int32(o.type, 'vote.type'),
    height: int64(o.height, 'vote.height'),
    round: int32(o.round, 'vote.round'),
    blockId: blockIdFromJson(o.block_id),
    timestamp: parseRfc3339(o.timestamp),
    validatorAddress: hexToBytes(o.validator_address, 'vote.validator_address'),
    validatorIndex: int32(o.validator_index, 'vote.validator_index'),
    signature: base64ToBytes(o.signature, 'vote.signature'),
    extension: base64ToBytes(o.extension, 'vote.extension'),
    extensionSignature: base64ToBytes(o.extension_signature, 'vote.extension_signature'),
  };
}

export function voteToJson(v: Vote): Json {
  return {
    type: v.type,
    height: v.height.toString(),
    round: v.round,
    block_id: blockIdToJson(v.blockId),
    timestamp: formatRfc3339Nano(v.timestamp),
    validator_address: bytesToHex(v.validatorAddress),
    validator_index: v.validatorIndex,
    signature: bytesToBase64OrNull(v.signature),
    extension: bytesToBase64OrNull(v.extension),
    extension_signature: bytesToBase64OrNull(v.extensionSignature),
  };
}

export function evidenceFromJson(j: Json): Evidence {
  const o = obj(j, 'evidence');
  if (o.type !== 'tendermint/DuplicateVoteEvidence') {
    throw new DecodeError(`evidence: unsupported JSON evidence type ${JSON.stringify(o.type)}`);
  }
  const v = obj(o.value, 'evidence.value');
  return {
    kind: 'duplicateVote',
    duplicateVote: {
      ...(v.vote_a === null || v.vote_a === undefined ? {} : { voteA: voteFromJson(v.vote_a) }),
      ...(v.vote_b === null || v.vote_b === undefined ? {} : { voteB: voteFromJson(v.vote_b) }),
      totalVotingPower: int64(v.total_voting_power, 'evidence.total_voting_power'),
      validatorPower: int64(v.validator_power, 'evidence.validator_power'),
      timestamp: parseRfc3339(v.timestamp),
    },
  };
}

export function evidenceToJson(e: Evidence): Json {
  if (e.kind !== 'duplicateVote') {
    throw new DecodeError('evidence: light-client-attack evidence has no JSON form here');
  }
  const d = e.duplicateVote;
  return {
    type: 'tendermint/DuplicateVoteEvidence',
    value: {
      vote_a: d.voteA === undefined ? null : voteToJson(d.voteA),
      vote_b: d.voteB === undefined ? null : voteToJson(d.voteB),
      total_voting_power: d.totalVotingPower.toString(),
      validator_power: d.validatorPower.toString(),
      timestamp: formatRfc3339Nano(d.timestamp),
    },
  };
}

export function blockFromJson(j: Json): Block {
  const o = obj(j, 'block');
  const evidence = o.evidence === undefined || o.evidence === null ? {} : obj(o.evidence, 'block.evidence');
  const b: Block = {
    header: headerFromJson(o.header),
    data: dataFromJson(o.data ?? {}),
    evidence: arr(evidence.evidence, 'block.evidence.evidence').map(evidenceFromJson),
  };
  if (o.last_commit !== null && o.last_commit !== undefined) b.lastCommit = commitFromJson(o.last_commit);
  return b;
}

export function blockToJson(b: Block): Json {
  return {
    header: headerToJson(b.header),
    data: dataToJson(b.data),
    evidence: { evidence: b.evidence.map(evidenceToJson) },
    last_commit: b.lastCommit === undefined ? null : commitToJson(b.lastCommit),
  };
}

const KEY_TYPES: Record<string, PublicKey['type']> = {
  'tendermint/PubKeyEd25519': 'ed25519',
  'tendermint/PubKeySecp256k1': 'secp256k1',
};

export function publicKeyFromJson(j: Json): PublicKey {
  const o = obj(j, 'pub_key');
  const type = KEY_TYPES[o.type as string];
  if (type === undefined) throw new DecodeError(`pub_key: unsupported type ${JSON.stringify(o.type)}`);
  return { type, key: base64ToBytes(o.value, 'pub_key.value') };
}

export function publicKeyToJson(k: PublicKey): Json {
  return {
    type: k.type === 'ed25519' ? 'tendermint/PubKeyEd25519' : 'tendermint/PubKeySecp256k1',
    value: Buffer.from(k.key).toString('base64'),
  };
}

/** A validator as /validators (voting_power) or genesis.json (power) prints it. */
export function validatorFromJson(j: Json): Validator {
  const o = obj(j, 'validator');
  return {
    address: hexToBytes(o.address, 'validator.address'),
    pubKey: publicKeyFromJson(o.pub_key),
    votingPower: int64(o.voting_power ?? o.power, 'validator.voting_power'),
    proposerPriority:
      o.proposer_priority === undefined ? 0n : int64(o.proposer_priority, 'proposer_priority'),
  };
}

export function validatorToJson(v: Validator): Json {
  return {
    address: bytesToHex(v.address),
    pub_key: publicKeyToJson(v.pubKey),
    voting_power: v.votingPower.toString(),
    proposer_priority: v.proposerPriority.toString(),
  };
}

export function consensusParamsFromJson(j: Json): ConsensusParams {
  const o = obj(j, 'consensus_params');
  const p: ConsensusParams = {};
  if (o.block != null) {
    p.block = {
      maxBytes: int64(o.block.max_bytes, 'block.max_bytes'),
      maxGas: int64(o.block.max_gas, 'block.max_gas'),
    };
  }
  if (o.evidence != null) {
    p.evidence = {
      maxAgeNumBlocks: int64(o.evidence.max_age_num_blocks, 'evidence.max_age_num_blocks'),
      maxAgeDuration: int64(o.evidence.max_age_duration, 'evidence.max_age_duration'),
      maxBytes: int64(o.evidence.max_bytes ?? '0', 'evidence.max_bytes'),
    };
  }
  if (o.validator != null) {
    p.validator = {
      pubKeyTypes: arr(o.validator.pub_key_types, 'pub_key_types').map((t: Json) => str(t, 'type')),
    };
  }
  if (o.version != null) p.version = { app: uint64(o.version.app ?? '0', 'version.app') };
  if (o.abci != null) {
    p.abci = {
      voteExtensionsEnableHeight: int64(
        o.abci.vote_extensions_enable_height ?? '0',
        'vote_extensions_enable_height',
      ),
    };
  }
  return p;
}

export function consensusParamsToJson(p: ConsensusParams): Json {
  const out: Json = {};
  if (p.block) out.block = { max_bytes: p.block.maxBytes.toString(), max_gas: p.block.maxGas.toString() };
  if (p.evidence) {
    out.evidence = {
      max_age_num_blocks: p.evidence.maxAgeNumBlocks.toString(),
      max_age_duration: p.evidence.maxAgeDuration.toString(),
      max_bytes: p.evidence.maxBytes.toString(),
    };
  }
  if (p.validator) out.validator = { pub_key_types: [...p.validator.pubKeyTypes] };
  if (p.version) out.version = { app: p.version.app.toString() };
  if (p.abci) out.abci = { vote_extensions_enable_height: p.abci.voteExtensionsEnableHeight.toString() };
  return out;
}
