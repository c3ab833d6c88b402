/**
 * In-memory forms of x/staking's records with bigint amounts, and their conversion to and from
 * the `cosmos.staking.v1beta1` protos that the store holds and queries return. Decimal fields
 * (shares, rates) are LegacyDec atomics; times are nanoseconds since the epoch.
 */
import { createHash } from 'node:crypto';
import { PubKey as Ed25519PubKey } from 'cosmjs-types/cosmos/crypto/ed25519/keys';
import {
  BondStatus,
  Delegation as DelegationProto,
  type Description,
  Redelegation as RedelegationProto,
  UnbondingDelegation as UnbondingDelegationProto,
  Validator as ValidatorProto,
} from 'cosmjs-types/cosmos/staking/v1beta1/staking';
import type { Any } from 'cosmjs-types/google/protobuf/any';
import type { ValidatorUpdate } from 'cosmjs-types/tendermint/abci/types';
import { encodeProto } from '../../../codec/protoWriter.js';
import { addressFromBech32, addressToBech32, BECH32_PREFIX, VALOPER_PREFIX } from '../../types/address.js';
import { nsToTimestamp, timestampToNs } from '../../types/duration.js';
import { ErrInvalidPubKey } from '../../types/errors.js';
import {
  decFromProto,
  decMulInt,
  decQuo,
  decQuoInt,
  decQuoRoundUp,
  decQuoTrunc,
  decToProto,
} from '../../types/legacyDec.js';
import { ErrValidatorPubKeyTypeNotSupported } from './errors.js';

export { BondStatus };

export const Ed25519PubKeyTypeUrl = '/cosmos.crypto.ed25519.PubKey';
/** Tokens per unit of consensus power (`sdk.DefaultPowerReduction`). */
export const POWER_REDUCTION = 1_000_000n;
/** CometBFT's limit on total voting power (MaxTotalVotingPower = MaxInt64 / 8). */
export const MAX_POWER = (1n << 60n) - 1n;

export interface Commission {
  rate: bigint;
  maxRate: bigint;
  maxChangeRate: bigint;
  updateTimeNs: bigint;
}

export interface Validator {
  operator: Uint8Array;
  /** ed25519 public key, 32 bytes. */
  consPubKey: Uint8Array;
  jailed: boolean;
  status: BondStatus;
  tokens: bigint;
  delegatorShares: bigint;
  description: Description;
  unbondingHeight: bigint;
  unbondingTimeNs: bigint;
  commission: Commission;
  minSelfDelegation: bigint;
}

export interface Delegation {
  delegator: Uint8Array;
  validator: Uint8Array;
  shares: bigint;
}

export interface UnbondingEntry {
  creationHeight: bigint;
  completionTimeNs: bigint;
  initialBalance: bigint;
  balance: bigint;
}

export interface UnbondingDelegation {
  delegator: Uint8Array;
  validator: Uint8Array;
  entries: UnbondingEntry[];
}

export interface RedelegationEntry {
  creationHeight: bigint;
  completionTimeNs: bigint;
  initialBalance: bigint;
  sharesDst: bigint;
}

export interface Redelegation {
  delegator: Uint8Array;
  src: Uint8Array;
  dst: Uint8Array;
  entries: RedelegationEntry[];
}

/** A consensus address: the first 20 bytes of SHA-256 of the ed25519 key (CometBFT's rule). */
export function consAddressOf(pubKey: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(pubKey).digest().subarray(0, 20));
}

export const valConsAddr = (v: Validator) => consAddressOf(v.consPubKey);

export function ed25519PubKeyToAny(key: Uint8Array): Any {
  return { typeUrl: Ed25519PubKeyTypeUrl, value: encodeProto(Ed25519PubKey, { key }) };
}

export function ed25519PubKeyFromAny(any: Any | undefined): Uint8Array {
  if (!any) throw ErrInvalidPubKey.wrap('empty validator public key');
  if (any.typeUrl !== Ed25519PubKeyTypeUrl)
    throw ErrValidatorPubKeyTypeNotSupported.wrap(`got: ${any.typeUrl}, expected: [ed25519]`);
  let key: Uint8Array;
  try {
    key = Ed25519PubKey.decode(any.value).key;
  } catch {
    throw ErrInvalidPubKey.wrap('malformed ed25519 public key');
  }
  if (key.length !== 32)
    throw ErrInvalidPubKey.wrap(`ed25519 public key must be 32 bytes, got ${key.length}`);
  return key;
}

export const isBonded = (v: Validator) => v.status === BondStatus.BOND_STATUS_BONDED;
export const isUnbonded = (v: Validator) => v.status === BondStatus.BOND_STATUS_UNBONDED;
export const isUnbonding = (v: Validator) => v.status === BondStatus.BOND_STATUS_UNBONDING;

/** Consensus power from tokens, whatever the status (`PotentialConsensusPower`). */
export const potentialPower = (v: Validator): bigint => v.tokens / POWER_REDUCTION;
export const consensusPower = (v: Validator): bigint => (isBonded(v) ? potentialPower(v) : 0n);

/** Tokens are zero but shares are not: the validator was slashed to nothing. */
export const invalidExRate = (v: Validator) => v.tokens === 0n && v.delegatorShares > 0n;

// Exchange rates, exactly as the SDK's Validator methods round them.
export const tokensFromShares = (v: Validator, shares: bigint): bigint =>
  decQuo(decMulInt(shares, v.tokens), v.delegatorShares);
export const tokensFromSharesTruncated = (v: Validator, shares: bigint): bigint =>
  decQuoTrunc(decMulInt(shares, v.tokens), v.delegatorShares);
export const tokensFromSharesRoundUp = (v: Validator, shares: bigint): bigint =>
  decQuoRoundUp(decMulInt(shares, v.tokens), v.delegatorShares);
/** Shares worth `amount` tokens (caller ensures tokens > 0). */
export const sharesFromTokens = (v: Validator, amount: bigint): bigint =>
  decQuoInt(decMulInt(v.delegatorShares, amount), v.tokens);

export function abciUpdate(v: Validator, power: bigint): ValidatorUpdate {
  return { pubKey: { ed25519: v.consPubKey }, power };
}

// --- proto conversions --------------------------------------------------------------------

export function validatorToProto(v: Validator): ValidatorProto {
  return {
    operatorAddress: addressToBech32(v.operator, VALOPER_PREFIX),
    consensusPubkey: ed25519PubKeyToAny(v.consPubKey),
    jailed: v.jailed,
    status: v.status,
    tokens: v.tokens.toString(),
    delegatorShares: decToProto(v.delegatorShares),
    description: v.description,
    unbondingHeight: v.unbondingHeight,
    unbondingTime: nsToTimestamp(v.unbondingTimeNs),
    commission: {
      commissionRates: {
        rate: decToProto(v.commission.rate),
        maxRate: decToProto(v.commission.maxRate),
        maxChangeRate: decToProto(v.commission.maxChangeRate),
      },
      updateTime: nsToTimestamp(v.commission.updateTimeNs),
    },
    minSelfDelegation: v.minSelfDelegation.toString(),
    unbondingOnHoldRefCount: 0n,
    unbondingIds: [],
  };
}

export function validatorFromProto(p: ValidatorProto): Validator {
  const rates = p.commission?.commissionRates;
  return {
    operator: addressFromBech32(p.operatorAddress, VALOPER_PREFIX),
    consPubKey: ed25519PubKeyFromAny(p.consensusPubkey),
    jailed: p.jailed,
    status: p.status,
    tokens: BigInt(p.tokens || '0'),
    delegatorShares: decFromProto(p.delegatorShares || '0'),
    description: p.description,
    unbondingHeight: p.unbondingHeight,
    unbondingTimeNs: timestampToNs(p.unbondingTime),
    commission: {
      rate: decFromProto(rates?.rate || '0'),
      maxRate: decFromProto(rates?.maxRate || '0'),
      maxChangeRate: decFromProto(rates?.maxChangeRate || '0'),
      updateTimeNs: timestampToNs(p.commission?.updateTime),
    },
    minSelfDelegation: BigInt(p.minSelfDelegation || '0'),
  };
}

export const encodeValidator = (v: Validator) => encodeProto(ValidatorProto, validatorToProto(v));
export const decodeValidator = (b: Uint8Array) => validatorFromProto(ValidatorProto.decode(b));

export const delegationToProto = (d: Delegation): DelegationProto => ({
  delegatorAddress: addressToBech32(d.delegator, BECH32_PREFIX),
  validatorAddress: addressToBech32(d.validator, VALOPER_PREFIX),
  shares: decToProto(d.shares),
});
export const encodeDelegation = (d: Delegation) => encodeProto(DelegationProto, delegationToProto(d));
export function decodeDelegation(b: Uint8Array): Delegation {
  const p = DelegationProto.decode(b);
  return {
    delegator: addressFromBech32(p.delegatorAddress),
    validator: addressFromBech32(p.validatorAddress, VALOPER_PREFIX),
    shares: decFromProto(p.shares),
  };
}

export const ubdToProto = (u: UnbondingDelegation): UnbondingDelegationProto => ({
  delegatorAddress: addressToBech32(u.delegator),
  validatorAddress: addressToBech32(u.validator, VALOPER_PREFIX),
  entries: u.entries.map((e) => ({
    creationHeight: e.creationHeight,
    completionTime: nsToTimestamp(e.completionTimeNs),
    initialBalance: e.initialBalance.toString(),
    balance: e.balance.toString(),
    unbondingId: 0n,
    unbondingOnHoldRefCount: 0n,
  })),
});
export const encodeUbd = (u: UnbondingDelegation) => encodeProto(UnbondingDelegationProto, ubdToProto(u));
export function decodeUbd(b: Uint8Array): UnbondingDelegation {
  const p = UnbondingDelegationProto.decode(b);
  return {
    delegator: addressFromBech32(p.delegatorAddress),
    validator: addressFromBech32(p.validatorAddress, VALOPER_PREFIX),
    entries: p.entries.map((e) => ({
      creationHeight: e.creationHeight,
      completionTimeNs: timestampToNs(e.completionTime),
      initialBalance: BigInt(e.initialBalance),
      balance: BigInt(e.balance),
    })),
  };
}

export const redToProto = (r: Redelegation): RedelegationProto => ({
  delegatorAddress: addressToBech32(r.delegator),
  validatorSrcAddress: addressToBech32(r.src, VALOPER_PREFIX),
  validatorDstAddress: addressToBech32(r.dst, VALOPER_PREFIX),
  entries: r.entries.map((e) => ({
    creationHeight: e.creationHeight,
    completionTime: nsToTimestamp(e.completionTimeNs),
    initialBalance: e.initialBalance.toString(),
    sharesDst: decToProto(e.sharesDst),
    unbondingId: 0n,
    unbondingOnHoldRefCount: 0n,
  })),
});
export const encodeRed = (r: Redelegation) => encodeProto(RedelegationProto, redToProto(r));
export function decodeRed(b: Uint8Array): Redelegation {
  const p = RedelegationProto.decode(b);
  return {
    delegator: addressFromBech32(p.delegatorAddress),
    src: addressFromBech32(p.validatorSrcAddress, VALOPER_PREFIX),
    dst: addressFromBech32(p.validatorDstAddress, VALOPER_PREFIX),
    entries: p.entries.map((e) => ({
      creationHeight: e.creationHeight,
      completionTimeNs: timestampToNs(e.completionTime),
      initialBalance: BigInt(e.initialBalance),
      sharesDst: decFromProto(e.sharesDst),
    })),
  };
}
