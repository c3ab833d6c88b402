/**
 * Consensus parameters as the node uses them (CometBFT v0.38 types/params.go): defaults,
 * ValidateBasic, Update from a FinalizeBlock response and ValidateUpdate's rules for the vote
 * extension enable height. Inside the node the params are always complete (every section set).
 */
import type { ConsensusParams as AbciConsensusParams } from 'cosmjs-types/tendermint/types/params';
import {
  type AbciParams,
  type BlockParams,
  type ConsensusParams,
  type EvidenceParams,
  MAX_BLOCK_SIZE_BYTES,
  type ValidatorParams,
  type VersionParams,
} from '../types/index.js';

export interface FullConsensusParams extends ConsensusParams {
  block: BlockParams;
  evidence: EvidenceParams;
  validator: ValidatorParams;
  version: VersionParams;
  abci: AbciParams;
}

export class ConsensusParamsError extends Error {
  override readonly name = 'ConsensusParamsError';
}

/** ABCIPubKeyTypesToNames: the key types a validator set may use. */
export const ABCI_PUBKEY_TYPES = ['ed25519', 'secp256k1'] as const;

export function defaultConsensusParams(): FullConsensusParams {
  return {
    block: { maxBytes: 22_020_096n, maxGas: -1n },
    evidence: {
      maxAgeNumBlocks: 100_000n,
      maxAgeDuration: 48n * 3600n * 1_000_000_000n,
      maxBytes: 1_048_576n,
    },
    validator: { pubKeyTypes: ['ed25519'] },
    version: { app: 0n },
    abci: { voteExtensionsEnableHeight: 0n },
  };
}

/** Fills absent sections with zero values (what Go's non-pointer structs hold), for validation. */
export function completeConsensusParams(p: ConsensusParams): FullConsensusParams {
  return {
    block: { maxBytes: 0n, maxGas: 0n, ...p.block },
    evidence: { maxAgeNumBlocks: 0n, maxAgeDuration: 0n, maxBytes: 0n, ...p.evidence },
    validator: { pubKeyTypes: [...(p.validator?.pubKeyTypes ?? [])] },
    version: { app: 0n, ...p.version },
    abci: { voteExtensionsEnableHeight: 0n, ...p.abci },
  };
}

/** ConsensusParams.ValidateBasic; throws ConsensusParamsError. */
export function validateConsensusParams(p: FullConsensusParams): void {
  const fail = (m: string): never => {
    throw new ConsensusParamsError(m);
  };
  const max = BigInt(MAX_BLOCK_SIZE_BYTES);
  if (p.block.maxBytes === 0n) fail('block.MaxBytes cannot be 0');
  if (p.block.maxBytes < -1n) fail(`block.MaxBytes must be -1 or greater than 0. Got ${p.block.maxBytes}`);
  if (p.block.maxBytes > max) fail(`block.MaxBytes is too big. ${p.block.maxBytes} > ${max}`);
  if (p.block.maxGas < -1n) fail(`block.MaxGas must be greater or equal to -1. Got ${p.block.maxGas}`);
  if (p.evidence.maxAgeNumBlocks <= 0n) {
    fail(`evidence.MaxAgeNumBlocks must be greater than 0. Got ${p.evidence.maxAgeNumBlocks}`);
  }
  if (p.evidence.maxAgeDuration <= 0n) {
    fail(`evidence.MaxAgeDuration must be greater than 0 if provided, Got ${p.evidence.maxAgeDuration}`);
  }
  const maxBytes = p.block.maxBytes === -1n ? max : p.block.maxBytes;
  if (p.evidence.maxBytes > maxBytes) {
    fail(
      `evidence.MaxBytesEvidence is greater than upper bound, ${p.evidence.maxBytes} > ${p.block.maxBytes}`,
    );
  }
  if (p.evidence.maxBytes < 0n) fail(`evidence.MaxBytes must be non negative. Got: ${p.evidence.maxBytes}`);
  if (p.abci.voteExtensionsEnableHeight < 0n) {
    fail(`ABCI.VoteExtensionsEnableHeight cannot be negative. Got: ${p.abci.voteExtensionsEnableHeight}`);
  }
  if (p.validator.pubKeyTypes.length === 0) fail('len(Validator.PubKeyTypes) must be greater than 0');
  for (const [i, t] of p.validator.pubKeyTypes.entries()) {
    if (!(ABCI_PUBKEY_TYPES as readonly string[]).includes(t)) {
      fail(`params.Validator.PubKeyTypes[${i}], ${t}, is an unknown pubkey type`);
    }
  }
}

/** Converts the ABCI (cosmjs-types) form of a params update into the node's form. */
export function paramsFromAbci(u: AbciConsensusParams): ConsensusParams {
  const out: ConsensusParams = {};
  if (u.block) out.block = { maxBytes: u.block.maxBytes, maxGas: u.block.maxGas };
  if (u.evidence) {
    const d = u.evidence.maxAgeDuration;
    out.evidence = {
      maxAgeNumBlocks: u.evidence.maxAgeNumBlocks,
      maxAgeDuration: d === undefined ? 0n : d.seconds * 1_000_000_000n + BigInt(d.nanos),
      maxBytes: u.evidence.maxBytes,
    };
  }
  if (u.validator) out.validator = { pubKeyTypes: [...u.validator.pubKeyTypes] };
  if (u.version) out.version = { app: u.version.app };
  if (u.abci) out.abci = { voteExtensionsEnableHeight: u.abci.voteExtensionsEnableHeight };
  return out;
}

/** ConsensusParams.Update: each section present in the update replaces the current one. */
export function updateConsensusParams(p: FullConsensusParams, u: ConsensusParams): FullConsensusParams {
  return {
    block: u.block ? { ...u.block } : { ...p.block },
    evidence: u.evidence ? { ...u.evidence } : { ...p.evidence },
    validator: { pubKeyTypes: [...(u.validator ?? p.validator).pubKeyTypes] },
    version: u.version ? { ...u.version } : { ...p.version },
    abci: u.abci ? { ...u.abci } : { ...p.abci },
  };
}

/** ConsensusParams.ValidateUpdate: the vote-extension enable height rules, at height `h`. */
export function validateConsensusParamsUpdate(p: FullConsensusParams, u: ConsensusParams, h: bigint): void {
  if (u.abci === undefined) return;
  const cur = p.abci.voteExtensionsEnableHeight;
  const next = u.abci.voteExtensionsEnableHeight;
  if (next < 0n) throw new ConsensusParamsError('VoteExtensionsEnableHeight must be positive');
  if (cur <= 0n && next === 0n) return;
  if (cur === next) return;
  if (cur > 0n && next === 0n) {
    if (cur <= h) {
      throw new ConsensusParamsError(
        `vote extensions cannot be disabled once enabled, old enable height: ${cur}, current height ${h}`,
      );
    }
    return;
  }
  if (next <= h) {
    throw new ConsensusParamsError(
      `vote extensions cannot be updated to a past or current height, enable height: ${next}, current height ${h}`,
    );
  }
  if (cur <= 0n) return;
  if (cur <= h) {
    throw new ConsensusParamsError(
      `vote extensions cannot be modified once enabled, enable height: ${cur}, current height ${h}`,
    );
  }
}
