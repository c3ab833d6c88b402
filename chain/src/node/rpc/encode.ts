/**
 * JSON shapes of CometBFT v0.38's RPC results (`rpc/core/types/responses.go`), as its RPC
 * prints them. Block types reuse `node/types/json.ts`; this file adds the result wrappers and the
 * ABCI types.
 *
 * ABCI types come out in two styles, as in CometBFT:
 * - "jsonpb" (every field, int64 as strings, bytes as base64 or null): ResponseCheckTx,
 *   ExecTxResult and ResponseQuery have MarshalJSON methods in CometBFT (`abci/types/types.go`)
 *   that emit defaults; Go's encoder uses them wherever the value is addressable — inside RPC
 *   result structs, `txs_results`, `tx_result`, `check_tx`, `abci_query`.
 * - "omitempty" (zero fields left out): the same types inside event payloads (stored by value in
 *   an interface, so Go's encoder never sees the method) — `result_finalize_block` of NewBlock
 *   and `TxResult.result` of Tx events — and ResponseInfo everywhere.
 * Key names follow the captures: `gas_wanted`/`gas_used` (json_name options) but `proofOps`.
 */
import type {
  Event as AbciEvent,
  ExecTxResult,
  ResponseCheckTx,
  ResponseFinalizeBlock,
  ResponseInfo,
  ResponseQuery,
  ValidatorUpdate,
} from 'cosmjs-types/tendermint/abci/types';
import type { PublicKey as ProtoPublicKey } from 'cosmjs-types/tendermint/crypto/keys';
import type { ConsensusParams as ProtoConsensusParams } from 'cosmjs-types/tendermint/types/params';
import type { EventData } from '../events/index.js';
import type { IndexedTx } from '../indexer/index.js';
import {
  type Block,
  type BlockId,
  type BlockMeta,
  blockIdToJson,
  blockToJson,
  bytesToBase64OrNull,
  bytesToHex,
  type Commit,
  type ConsensusParams,
  commitToJson,
  consensusParamsToJson,
  emptyBlockId,
  formatRfc3339Nano,
  type Header,
  headerToJson,
  proofsFromByteSlices,
  publicKeyToJson,
  txHash,
  type Validator,
  validatorToJson,
} from '../types/index.js';
import type { NetInfo, NodeInfo, NodeStatus, UnconfirmedTxs } from './backend.js';

// biome-ignore lint/suspicious/noExplicitAny: JSON output is untyped by nature.
export type Json = any;

const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');

// ---------------------------------------------------------------- info

export function nodeInfoToJson(n: NodeInfo): Json {
  return {
    protocol_version: {
      p2p: n.protocolVersion.p2p.toString(),
      block: n.protocolVersion.block.toString(),
      app: n.protocolVersion.app.toString(),
    },
    id: n.id,
    listen_addr: n.listenAddr,
    network: n.network,
    version: n.version,
    channels: bytesToHex(n.channels),
    moniker: n.moniker,
    other: { tx_index: n.other.txIndex, rpc_address: n.other.rpcAddress },
  };
}

export function statusToJson(s: NodeStatus): Json {
  const y = s.syncInfo;
  return {
    node_info: nodeInfoToJson(s.nodeInfo),
    sync_info: {
      latest_block_hash: bytesToHex(y.latestBlockHash),
      latest_app_hash: bytesToHex(y.latestAppHash),
      latest_block_height: y.latestBlockHeight.toString(),
      latest_block_time: formatRfc3339Nano(y.latestBlockTime),
      earliest_block_hash: bytesToHex(y.earliestBlockHash),
      earliest_app_hash: bytesToHex(y.earliestAppHash),
      earliest_block_height: y.earliestBlockHeight.toString(),
      earliest_block_time: formatRfc3339Nano(y.earliestBlockTime),
      catching_up: y.catchingUp,
    },
    validator_info: {
      address: bytesToHex(s.validatorInfo.address),
      pub_key: publicKeyToJson(s.validatorInfo.pubKey),
      voting_power: s.validatorInfo.votingPower.toString(),
    },
  };
}

/**
 * net_info. CometBFT prints a detailed `connection_status` (flow-rate monitors per channel);
 * Hearth prints its duration and empty monitors, enough for clients that only look at peers.
 */
export function netInfoToJson(n: NetInfo): Json {
  const monitor = {
    Start: '0001-01-01T00:00:00Z',
    Bytes: '0',
    Samples: '0',
    InstRate: '0',
    CurRate: '0',
    AvgRate: '0',
    PeakRate: '0',
    BytesRem: '0',
    Duration: '0',
    Idle: '0',
    TimeRem: '0',
    Progress: 0,
    Active: false,
  };
  return {
    listening: n.listening,
    listeners: [...n.listeners],
    n_peers: n.peers.length.toString(),
    peers: n.peers.map((p) => ({
      node_info: nodeInfoToJson(p.nodeInfo),
      is_outbound: p.isOutbound,
      connection_status: {
        Duration: (p.connectedForNs ?? 0n).toString(),
        SendMonitor: monitor,
        RecvMonitor: monitor,
        Channels: [],
      },
      remote_ip: p.remoteIp,
    })),
  };
}

// ---------------------------------------------------------------- blocks

/** ResultBlock; a missing block prints as CometBFT's `{block_id: <zero>, block: null}`. */
export function blockResultToJson(b: { block: Block; blockId: BlockId } | undefined): Json {
  if (b === undefined) return { block_id: blockIdToJson(emptyBlockId()), block: null };
  return { block_id: blockIdToJson(b.blockId), block: blockToJson(b.block) };
}

export function blockMetaToJson(m: BlockMeta): Json {
  return {
    block_id: blockIdToJson(m.blockId),
    block_size: m.blockSize.toString(),
    header: headerToJson(m.header),
    num_txs: m.numTxs.toString(),
  };
}

export function commitResultToJson(header: Header, commit: Commit, canonical: boolean): Json {
  return { signed_header: { header: headerToJson(header), commit: commitToJson(commit) }, canonical };
}

export function validatorsResultToJson(height: bigint, page: readonly Validator[], total: number): Json {
  return {
    block_height: height.toString(),
    validators: page.map(validatorToJson),
    count: page.length.toString(),
    total: total.toString(),
  };
}

export function consensusParamsResultToJson(height: bigint, p: ConsensusParams): Json {
  return { block_height: height.toString(), consensus_params: consensusParamsToJson(p) };
}

// ---------------------------------------------------------------- ABCI

export function eventsToJson(events: readonly AbciEvent[]): Json[] {
  return events.map((e) => ({
    type: e.type,
    attributes: e.attributes.map((a) => ({ key: a.key, value: a.value, index: a.index })),
  }));
}

/** ExecTxResult / ResponseCheckTx with every field (CometBFT's jsonpb MarshalJSON). */
export function txResultFullToJson(r: ExecTxResult | ResponseCheckTx): Json {
  return {
    code: r.code,
    data: bytesToBase64OrNull(r.data),
    log: r.log,
    info: r.info,
    gas_wanted: r.gasWanted.toString(),
    gas_used: r.gasUsed.toString(),
    events: eventsToJson(r.events),
    codespace: r.codespace,
  };
}

/** ExecTxResult with zero fields left out (inside event payloads). */
export function txResultOmitEmptyToJson(r: ExecTxResult): Json {
  const out: Json = {};
  if (r.code !== 0) out.code = r.code;
  if (r.data.length > 0) out.data = b64(r.data);
  if (r.log !== '') out.log = r.log;
  if (r.info !== '') out.info = r.info;
  if (r.gasWanted !== 0n) out.gas_wanted = r.gasWanted.toString();
  if (r.gasUsed !== 0n) out.gas_used = r.gasUsed.toString();
  if (r.events.length > 0) out.events = eventsToJson(r.events);
  if (r.codespace !== '') out.codespace = r.codespace;
  return out;
}

/** ResponseInfo (no MarshalJSON in CometBFT, so omitempty everywhere). */
export function abciInfoToJson(r: ResponseInfo): Json {
  const out: Json = {};
  if (r.data !== '') out.data = r.data;
  if (r.version !== '') out.version = r.version;
  if (r.appVersion !== 0n) out.app_version = r.appVersion.toString();
  if (r.lastBlockHeight !== 0n) out.last_block_height = r.lastBlockHeight.toString();
  if (r.lastBlockAppHash.length > 0) out.last_block_app_hash = b64(r.lastBlockAppHash);
  return { response: out };
}

export function abciQueryToJson(r: ResponseQuery): Json {
  return {
    response: {
      code: r.code,
      log: r.log,
      info: r.info,
      index: r.index.toString(),
      key: bytesToBase64OrNull(r.key),
      value: bytesToBase64OrNull(r.value),
      proofOps:
        r.proofOps === undefined
          ? null
          : { ops: r.proofOps.ops.map((o) => ({ type: o.type, key: b64(o.key), data: b64(o.data) })) },
      height: r.height.toString(),
      codespace: r.codespace,
    },
  };
}

/** crypto.PublicKey (a protobuf oneof) as Go's encoder prints it: `{Sum: {type, value}}`. */
export function protoPublicKeyToJson(k: ProtoPublicKey): Json {
  if (k.ed25519 !== undefined) {
    return { Sum: { type: 'tendermint.crypto.PublicKey_Ed25519', value: { ed25519: b64(k.ed25519) } } };
  }
  if (k.secp256k1 !== undefined) {
    return {
      Sum: { type: 'tendermint.crypto.PublicKey_Secp256K1', value: { secp256k1: b64(k.secp256k1) } },
    };
  }
  return { Sum: null };
}

export function validatorUpdateToJson(u: ValidatorUpdate): Json {
  const out: Json = { pub_key: protoPublicKeyToJson(u.pubKey) };
  if (u.power !== 0n) out.power = u.power.toString();
  return out;
}

/** The protobuf ConsensusParams of ABCI (consensus_param_updates) in the RPC's JSON form. */
export function protoConsensusParamsToJson(p: ProtoConsensusParams): Json {
  const q: ConsensusParams = {};
  if (p.block) q.block = { maxBytes: p.block.maxBytes, maxGas: p.block.maxGas };
  if (p.evidence) {
    const d = p.evidence.maxAgeDuration;
    q.evidence = {
      maxAgeNumBlocks: p.evidence.maxAgeNumBlocks,
      maxAgeDuration: d === undefined ? 0n : d.seconds * 1_000_000_000n + BigInt(d.nanos),
      maxBytes: p.evidence.maxBytes,
    };
  }
  if (p.validator) q.validator = { pubKeyTypes: [...p.validator.pubKeyTypes] };
  if (p.version) q.version = { app: p.version.app };
  if (p.abci) q.abci = { voteExtensionsEnableHeight: p.abci.voteExtensionsEnableHeight };
  return consensusParamsToJson(q);
}

/** ResultBlockResults: empty lists and absent values print as null, as CometBFT's nil slices. */
export function blockResultsToJson(height: bigint, r: ResponseFinalizeBlock): Json {
  return {
    height: height.toString(),
    txs_results: r.txResults.length === 0 ? null : r.txResults.map(txResultFullToJson),
    finalize_block_events: r.events.length === 0 ? null : eventsToJson(r.events),
    validator_updates: r.validatorUpdates.length === 0 ? null : r.validatorUpdates.map(validatorUpdateToJson),
    consensus_param_updates:
      r.consensusParamUpdates === undefined ? null : protoConsensusParamsToJson(r.consensusParamUpdates),
    app_hash: bytesToBase64OrNull(r.appHash),
  };
}

/** ResponseFinalizeBlock inside a NewBlock event (omitempty, but validator_updates always present). */
export function finalizeBlockEventToJson(r: ResponseFinalizeBlock): Json {
  const out: Json = {};
  if (r.events.length > 0) out.events = eventsToJson(r.events);
  if (r.txResults.length > 0) out.tx_results = r.txResults.map(txResultFullToJson);
  out.validator_updates = r.validatorUpdates.map(validatorUpdateToJson);
  if (r.consensusParamUpdates !== undefined) {
    out.consensus_param_updates = protoConsensusParamsToJson(r.consensusParamUpdates);
  }
  if (r.appHash.length > 0) out.app_hash = b64(r.appHash);
  return out;
}

// ---------------------------------------------------------------- txs

/** The Merkle proof that `txs[index]` is in a block's data hash (types.Txs.Proof). */
export function txProofToJson(txs: readonly Uint8Array[], index: number): Json {
  const tx = txs[index];
  if (tx === undefined) throw new Error(`tx index ${index} out of range for a block of ${txs.length} txs`);
  const { rootHash, proofs } = proofsFromByteSlices(txs.map((t) => txHash(t)));
  const p = proofs[index]!;
  return {
    root_hash: bytesToHex(rootHash),
    data: b64(tx),
    proof: {
      total: p.total.toString(),
      index: p.index.toString(),
      leaf_hash: b64(p.leafHash),
      aunts: p.aunts.map(b64),
    },
  };
}

/** ResultTx; `proof` is the output of `txProofToJson` (only when prove=true). */
export function txToJson(t: IndexedTx, proof?: Json): Json {
  const out: Json = {
    hash: bytesToHex(t.hash),
    height: t.height.toString(),
    index: t.index,
    tx_result: txResultFullToJson(t.result),
    tx: b64(t.tx),
  };
  if (proof !== undefined) out.proof = proof;
  return out;
}

/** ResultBroadcastTx: CometBFT prints `data` as hex (HexBytes). */
export function broadcastResultToJson(
  hash: Uint8Array,
  r: { code: number; data: Uint8Array; log: string; codespace: string },
): Json {
  return {
    code: r.code,
    data: bytesToHex(r.data),
    log: r.log,
    codespace: r.codespace,
    hash: bytesToHex(hash),
  };
}

export function unconfirmedTxsToJson(u: UnconfirmedTxs, withTxs: boolean): Json {
  return {
    n_txs: (withTxs ? u.txs.length : u.total).toString(),
    total: u.total.toString(),
    total_bytes: u.totalBytes.toString(),
    txs: withTxs ? u.txs.map(b64) : null,
  };
}

// ---------------------------------------------------------------- events

/** A bus message's `data` as `{type: "tendermint/event/<Type>", value}`. */
export function eventDataToJson(d: EventData): Json {
  const type = `tendermint/event/${d.type}`;
  switch (d.type) {
    case 'NewBlock':
      return {
        type,
        value: {
          block: blockToJson(d.value.block),
          block_id: blockIdToJson(d.value.blockId),
          result_finalize_block: finalizeBlockEventToJson(d.value.resultFinalizeBlock),
        },
      };
    case 'NewBlockHeader':
      return { type, value: { header: headerToJson(d.value.header) } };
    case 'NewBlockEvents':
      return {
        type,
        value: {
          height: d.value.height.toString(),
          events: eventsToJson(d.value.events),
          num_txs: d.value.numTxs.toString(),
        },
      };
    case 'Tx': {
      const v = d.value;
      const txResult: Json = { height: v.height.toString() };
      if (v.index !== 0) txResult.index = v.index;
      if (v.tx.length > 0) txResult.tx = b64(v.tx);
      txResult.result = txResultOmitEmptyToJson(v.result);
      return { type, value: { TxResult: txResult } };
    }
    case 'ValidatorSetUpdates':
      return { type, value: { validator_updates: d.value.validatorUpdates.map(validatorUpdateToJson) } };
    default:
      return { type, value: d.value ?? null };
  }
}
