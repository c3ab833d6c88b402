/**
 * The hashes a CometBFT v0.38 header commits to, computed from the bytes in encoding.ts:
 *
 * - header hash (types/block.go Header.Hash): merkle root of the 14 fields, the scalar ones
 *   wrapped as gogoproto `StringValue`/`Int64Value`/`BytesValue` (types/encoding_helper.go
 *   cdcEncode), the version, time and last block ID as their own protobuf bytes;
 * - data hash (types/tx.go Txs.Hash): merkle root over SHA-256 of each tx;
 * - validator-set hash: merkle root over `SimpleValidator{pub_key, voting_power}` bytes;
 * - commit hash: merkle root over each `CommitSig`'s protobuf bytes;
 * - evidence hash: merkle root over each evidence's inner protobuf bytes;
 * - last-results hash: merkle root over deterministic `ExecTxResult` bytes;
 * - consensus hash: SHA-256 of `HashedParams{block_max_bytes, block_max_gas}`.
 */
import { txHashOf } from '../../crypto/txHash.js';
import {
  encodeBlockId,
  encodeCommitSig,
  encodeConsensusVersion,
  encodeDeterministicTxResult,
  encodeHashedParams,
  encodePartSetHeader,
  encodeSimpleValidator,
  encodeTimestamp,
  evidenceBytes,
} from './encoding.js';
import { hashFromByteSlices, sha256 } from './merkle.js';
import { BinaryWriter, writeBytes, writeInt64, writeString } from './proto.js';
import type {
  BlockId,
  Commit,
  ConsensusParams,
  Data,
  DeterministicTxResult,
  Evidence,
  Header,
  PublicKey,
} from './types.js';

/**
 * types.Tx.Hash: SHA-256 of the tx bytes (the RPC shows it as upper-case hex). Memoized per
 * bytes object (a block's tx is hashed for its data hash, its events, the mempool and the
 * index): the result is shared and must not be modified.
 */
export function txHash(tx: Uint8Array): Uint8Array {
  return txHashOf(tx);
}

/** types.Txs.Hash: the data hash of a block. */
export function dataHash(txs: readonly Uint8Array[] | Data): Uint8Array {
  const list = Array.isArray(txs) ? txs : (txs as Data).txs;
  return hashFromByteSlices(list.map(txHash));
}

// cdcEncode wraps each scalar header field in a one-field gogoproto wrapper message, which
// (proto3) is empty when the value is the default.
function cdcString(v: string): Uint8Array {
  const w = new BinaryWriter();
  writeString(w, 1, v);
  return w.finish();
}

function cdcInt64(v: bigint): Uint8Array {
  const w = new BinaryWriter();
  writeInt64(w, 1, v, 'Header.height');
  return w.finish();
}

function cdcBytes(v: Uint8Array): Uint8Array {
  const w = new BinaryWriter();
  writeBytes(w, 1, v);
  return w.finish();
}

/** The 14 leaves of the header hash, in order. */
export function headerHashLeaves(h: Header): Uint8Array[] {
  return [
    encodeConsensusVersion(h.version),
    cdcString(h.chainId),
    cdcInt64(h.height),
    encodeTimestamp(h.time),
    encodeBlockId(h.lastBlockId),
    cdcBytes(h.lastCommitHash),
    cdcBytes(h.dataHash),
    cdcBytes(h.validatorsHash),
    cdcBytes(h.nextValidatorsHash),
    cdcBytes(h.consensusHash),
    cdcBytes(h.appHash),
    cdcBytes(h.lastResultsHash),
    cdcBytes(h.evidenceHash),
    cdcBytes(h.proposerAddress),
  ];
}

/**
 * Header.Hash, which is also the block hash. Like CometBFT, a header without a validators hash
 * is incomplete and has no hash: the result is then empty.
 */
export function headerHash(h: Header): Uint8Array {
  if (h.validatorsHash.length === 0) return new Uint8Array(0);
  return hashFromByteSlices(headerHashLeaves(h));
}

/** Commit.Hash: the last-commit hash of the next header. */
export function commitHash(c: Commit | undefined): Uint8Array {
  if (c === undefined) return hashFromByteSlices([]);
  return hashFromByteSlices(c.signatures.map(encodeCommitSig));
}

/** EvidenceList.Hash: the evidence hash of a header. */
export function evidenceHash(list: readonly Evidence[]): Uint8Array {
  return hashFromByteSlices(list.map(evidenceBytes));
}

/** Hash of one piece of evidence (Evidence.Hash for duplicate-vote evidence). */
export function duplicateVoteEvidenceHash(e: Evidence): Uint8Array {
  return sha256(evidenceBytes(e));
}

/** ValidatorSet.Hash over validators in set order (voting power desc, address asc). */
export function validatorSetHash(
  validators: readonly { pubKey: PublicKey; votingPower: bigint }[],
): Uint8Array {
  return hashFromByteSlices(validators.map((v) => encodeSimpleValidator(v.pubKey, v.votingPower)));
}

/** types.TxResultsHash / ABCIResults.Hash: the last-results hash. */
export function lastResultsHash(results: readonly DeterministicTxResult[]): Uint8Array {
  return hashFromByteSlices(results.map(encodeDeterministicTxResult));
}

/** ConsensusParams.Hash: SHA-256 of HashedParams{block.max_bytes, block.max_gas}. */
export function consensusParamsHash(params: ConsensusParams): Uint8Array {
  return sha256(
    encodeHashedParams({
      blockMaxBytes: params.block?.maxBytes ?? 0n,
      blockMaxGas: params.block?.maxGas ?? 0n,
    }),
  );
}

/**
 * BlockID.Key: the hash bytes followed by the PartSetHeader's protobuf bytes, as lower-case
 * hex. Comparing keys as strings compares the underlying bytes (hex preserves byte order).
 */
export function blockIdKey(b: BlockId): string {
  return (
    Buffer.from(b.hash).toString('hex') + Buffer.from(encodePartSetHeader(b.partSetHeader)).toString('hex')
  );
}
