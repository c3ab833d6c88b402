/** `cosmos.staking.v1beta1.Msg`: one thin handler per message — validate, call the keeper, emit events. */
import type { Description } from 'cosmjs-types/cosmos/staking/v1beta1/staking';
import {
  MsgBeginRedelegate,
  MsgBeginRedelegateResponse,
  MsgCancelUnbondingDelegation,
  MsgCancelUnbondingDelegationResponse,
  MsgCreateValidator,
  MsgCreateValidatorResponse,
  MsgDelegate,
  MsgDelegateResponse,
  MsgEditValidator,
  MsgEditValidatorResponse,
  MsgUndelegate,
  MsgUndelegateResponse,
} from 'cosmjs-types/cosmos/staking/v1beta1/tx';
import type { Any } from 'cosmjs-types/google/protobuf/any';
import { encodeProto } from '../../../codec/protoWriter.js';
import { addressFromBech32, bytesEqual, VALOPER_PREFIX } from '../../types/address.js';
import { parseAmount, validateDenom } from '../../types/coins.js';
import type { Context } from '../../types/context.js';
import { DEC_ONE, formatDec } from '../../types/decimal.js';
import { nsToTimestamp } from '../../types/duration.js';
import { ErrInvalidAddress, ErrInvalidRequest } from '../../types/errors.js';
import { decFromProto } from '../../types/legacyDec.js';
import type { MsgHandler } from '../../types/module.js';
import {
  ErrCommissionChangeRateGTMaxRate,
  ErrCommissionChangeRateNegative,
  ErrCommissionGTMaxChangeRate,
  ErrCommissionGTMaxRate,
  ErrCommissionHuge,
  ErrCommissionLTMinRate,
  ErrCommissionNegative,
  ErrCommissionUpdateTime,
  ErrEmptyValidatorAddr,
  ErrMinSelfDelegationDecreased,
  ErrNoValidatorFound,
  ErrSelfDelegationBelowMinimum,
  ErrValidatorOwnerExists,
  ErrValidatorPubKeyExists,
} from './errors.js';
import * as ev from './events.js';
import type { StakingKeeper } from './keeper.js';
import { BondStatus, consAddressOf, ed25519PubKeyFromAny, type Validator } from './types.js';

export const DoNotModifyDesc = '[do-not-modify]';
const DAY_NS = 86_400_000_000_000n;

const valAddr = (text: string): Uint8Array => {
  if (text === '') throw ErrEmptyValidatorAddr;
  return addressFromBech32(text, VALOPER_PREFIX);
};
const accAddr = (text: string): Uint8Array => {
  if (text === '') throw ErrInvalidAddress.wrap('empty delegator address');
  return addressFromBech32(text);
};

function positiveCoin(
  c: { denom: string; amount: string } | undefined,
  what: string,
): { denom: string; amount: bigint } {
  if (!c) throw ErrInvalidRequest.wrap(`${what}: missing amount`);
  validateDenom(c.denom);
  const amount = parseAmount(c.amount);
  if (amount <= 0n) throw ErrInvalidRequest.wrap(`invalid ${what} amount`);
  return { denom: c.denom, amount };
}

function bondDenomMatches(k: StakingKeeper, ctx: Context, denom: string): void {
  const bond = k.bondDenom(ctx);
  if (denom !== bond)
    throw ErrInvalidRequest.wrap(`invalid coin denomination: got ${denom}, expected ${bond}`);
}

function dec(text: string, what: string): bigint {
  try {
    return decFromProto(text, what);
  } catch {
    throw ErrInvalidRequest.wrap(`invalid ${what}: ${JSON.stringify(text)}`);
  }
}

const descLimits: [keyof Description, number][] = [
  ['moniker', 70],
  ['identity', 3000],
  ['website', 140],
  ['securityContact', 140],
  ['details', 280],
];

function ensureDescriptionLength(d: Description): void {
  for (const [field, max] of descLimits) {
    const n = d[field].length;
    if (n > max) throw ErrInvalidRequest.wrap(`invalid ${field} length; got: ${n}, max: ${max}`);
  }
}

/** `Commission.Validate`. */
export function validateCommission(rate: bigint, maxRate: bigint, maxChangeRate: bigint): void {
  if (maxRate < 0n) throw ErrCommissionNegative;
  if (maxRate > DEC_ONE) throw ErrCommissionHuge;
  if (rate < 0n) throw ErrCommissionNegative;
  if (rate > maxRate) throw ErrCommissionGTMaxRate;
  if (maxChangeRate < 0n) throw ErrCommissionChangeRateNegative;
  if (maxChangeRate > maxRate) throw ErrCommissionChangeRateGTMaxRate;
}

function parseMinSelfDelegation(text: string): bigint {
  let v: bigint;
  try {
    v = parseAmount(text);
  } catch {
    throw ErrInvalidRequest.wrap(`invalid minimum self delegation ${JSON.stringify(text)}`);
  }
  if (v <= 0n) throw ErrInvalidRequest.wrap('minimum self delegation must be a positive integer');
  return v;
}

function createValidatorBasic(m: MsgCreateValidator) {
  const operator = valAddr(m.validatorAddress);
  if (m.delegatorAddress !== '' && !bytesEqual(accAddr(m.delegatorAddress), operator))
    throw ErrInvalidAddress.wrap('delegator address must be the validator operator address');
  const pubKey = ed25519PubKeyFromAny(m.pubkey as Any | undefined);
  const value = positiveCoin(m.value, 'delegation');
  const d = m.description;
  if (!d || (!d.moniker && !d.identity && !d.website && !d.securityContact && !d.details))
    throw ErrInvalidRequest.wrap('empty description');
  if (!d.moniker) throw ErrInvalidRequest.wrap('moniker must not be empty');
  ensureDescriptionLength(d);
  const c = m.commission;
  if (!c) throw ErrInvalidRequest.wrap('empty commission');
  const rate = dec(c.rate, 'commission rate');
  const maxRate = dec(c.maxRate, 'commission max rate');
  const maxChangeRate = dec(c.maxChangeRate, 'commission max change rate');
  validateCommission(rate, maxRate, maxChangeRate);
  const minSelfDelegation = parseMinSelfDelegation(m.minSelfDelegation);
  if (value.amount < minSelfDelegation) throw ErrSelfDelegationBelowMinimum;
  return { operator, pubKey, value, description: d, rate, maxRate, maxChangeRate, minSelfDelegation };
}

/** Runs MsgCreateValidator's state changes; shared with genesis transactions. */
export function createValidator(k: StakingKeeper, ctx: Context, m: MsgCreateValidator): void {
  const b = createValidatorBasic(m);
  const params = k.getParams(ctx);
  if (b.rate < params.minCommissionRate)
    throw ErrCommissionLTMinRate.wrap(
      `cannot set validator commission to less than minimum rate of ${formatDec(params.minCommissionRate)}`,
    );
  if (k.getValidator(ctx, b.operator)) throw ErrValidatorOwnerExists;
  if (k.getValidatorByConsAddr(ctx, consAddressOf(b.pubKey))) throw ErrValidatorPubKeyExists;
  bondDenomMatches(k, ctx, b.value.denom);
  const v: Validator = {
    operator: b.operator,
    consPubKey: b.pubKey,
    jailed: false,
    status: BondStatus.BOND_STATUS_UNBONDED,
    tokens: 0n,
    delegatorShares: 0n,
    description: b.description,
    unbondingHeight: 0n,
    unbondingTimeNs: 0n,
    commission: {
      rate: b.rate,
      maxRate: b.maxRate,
      maxChangeRate: b.maxChangeRate,
      updateTimeNs: ctx.header.timeNs,
    },
    minSelfDelegation: b.minSelfDelegation,
  };
  k.setValidator(ctx, v);
  k.setValidatorByConsAddr(ctx, v);
  k.setValidatorByPowerIndex(ctx, v);
  k.afterValidatorCreated(ctx, v.operator);
  k.delegate(ctx, b.operator, b.value.amount, BondStatus.BOND_STATUS_UNBONDED, v, true);
  ctx.events.emit(ev.EventTypeCreateValidator, [
    [ev.AttributeKeyValidator, m.validatorAddress],
    [ev.AttributeKeyAmount, `${b.value.amount}${b.value.denom}`],
  ]);
}

export function stakingMsgHandlers(k: StakingKeeper): MsgHandler<any>[] {
  const create: MsgHandler<MsgCreateValidator> = {
    typeUrl: '/cosmos.staking.v1beta1.MsgCreateValidator',
    decode: (b) => MsgCreateValidator.decode(b),
    signers: (m) => [valAddr(m.validatorAddress)],
    validateBasic: (m) => void createValidatorBasic(m),
    handle(ctx, m) {
      createValidator(k, ctx, m);
      return {
        typeUrl: '/cosmos.staking.v1beta1.MsgCreateValidatorResponse',
        value: encodeProto(MsgCreateValidatorResponse, {}),
      };
    },
  };

  const edit: MsgHandler<MsgEditValidator> = {
    typeUrl: '/cosmos.staking.v1beta1.MsgEditValidator',
    decode: (b) => MsgEditValidator.decode(b),
    signers: (m) => [valAddr(m.validatorAddress)],
    validateBasic(m) {
      valAddr(m.validatorAddress);
      if (!m.description) throw ErrInvalidRequest.wrap('empty description');
      if (m.minSelfDelegation !== '') parseMinSelfDelegation(m.minSelfDelegation);
      if (m.commissionRate !== '') {
        const r = dec(m.commissionRate, 'commission rate');
        if (r < 0n || r > DEC_ONE)
          throw ErrInvalidRequest.wrap('commission rate must be between 0 and 1 (inclusive)');
      }
    },
    handle(ctx, m) {
      const op = valAddr(m.validatorAddress);
      const v = k.getValidator(ctx, op);
      if (!v) throw ErrNoValidatorFound;
      const d = m.description;
      const pick = (next: string, cur: string) => (next === DoNotModifyDesc ? cur : next);
      const description: Description = {
        moniker: pick(d.moniker, v.description.moniker),
        identity: pick(d.identity, v.description.identity),
        website: pick(d.website, v.description.website),
        securityContact: pick(d.securityContact, v.description.securityContact),
        details: pick(d.details, v.description.details),
      };
      ensureDescriptionLength(description);
      const nv: Validator = { ...v, description };
      if (m.commissionRate !== '') {
        const rate = dec(m.commissionRate, 'commission rate');
        const c = v.commission;
        if (ctx.header.timeNs - c.updateTimeNs < DAY_NS) throw ErrCommissionUpdateTime;
        if (rate < 0n) throw ErrCommissionNegative;
        if (rate > c.maxRate) throw ErrCommissionGTMaxRate;
        const diff = rate > c.rate ? rate - c.rate : c.rate - rate;
        if (diff > c.maxChangeRate) throw ErrCommissionGTMaxChangeRate;
        const minRate = k.getParams(ctx).minCommissionRate;
        if (rate < minRate)
          throw ErrCommissionLTMinRate.wrap(
            `cannot set validator commission to less than minimum rate of ${formatDec(minRate)}`,
          );
        k.beforeValidatorModified(ctx, op);
        nv.commission = { ...c, rate, updateTimeNs: ctx.header.timeNs };
      }
      if (m.minSelfDelegation !== '') {
        const msd = parseMinSelfDelegation(m.minSelfDelegation);
        if (msd <= v.minSelfDelegation) throw ErrMinSelfDelegationDecreased;
        if (msd > v.tokens) throw ErrSelfDelegationBelowMinimum;
        nv.minSelfDelegation = msd;
      }
      k.setValidator(ctx, nv);
      ctx.events.emit(ev.EventTypeEditValidator, [
        [ev.AttributeKeyCommissionRate, formatDec(nv.commission.rate)],
        [ev.AttributeKeyMinSelfDelegation, nv.minSelfDelegation.toString()],
      ]);
      return {
        typeUrl: '/cosmos.staking.v1beta1.MsgEditValidatorResponse',
        value: encodeProto(MsgEditValidatorResponse, {}),
      };
    },
  };

  const delegate: MsgHandler<MsgDelegate> = {
    typeUrl: '/cosmos.staking.v1beta1.MsgDelegate',
    decode: (b) => MsgDelegate.decode(b),
    signers: (m) => [accAddr(m.delegatorAddress)],
    validateBasic(m) {
      accAddr(m.delegatorAddress);
      valAddr(m.validatorAddress);
      positiveCoin(m.amount, 'delegation');
    },
    handle(ctx, m) {
      const del = accAddr(m.delegatorAddress);
      const op = valAddr(m.validatorAddress);
      const amount = positiveCoin(m.amount, 'delegation');
      const v = k.getValidator(ctx, op);
      if (!v) throw ErrNoValidatorFound;
      bondDenomMatches(k, ctx, amount.denom);
      const shares = k.delegate(ctx, del, amount.amount, BondStatus.BOND_STATUS_UNBONDED, v, true);
      ctx.events.emit(ev.EventTypeDelegate, [
        [ev.AttributeKeyValidator, m.validatorAddress],
        [ev.AttributeKeyDelegator, m.delegatorAddress],
        [ev.AttributeKeyAmount, `${amount.amount}${amount.denom}`],
        [ev.AttributeKeyNewShares, formatDec(shares)],
      ]);
      return {
        typeUrl: '/cosmos.staking.v1beta1.MsgDelegateResponse',
        value: encodeProto(MsgDelegateResponse, {}),
      };
    },
  };

  const undelegate: MsgHandler<MsgUndelegate> = {
    typeUrl: '/cosmos.staking.v1beta1.MsgUndelegate',
    decode: (b) => MsgUndelegate.decode(b),
    signers: (m) => [accAddr(m.delegatorAddress)],
    validateBasic(m) {
      accAddr(m.delegatorAddress);
      valAddr(m.validatorAddress);
      positiveCoin(m.amount, 'shares');
    },
    handle(ctx, m) {
      const del = accAddr(m.delegatorAddress);
      const op = valAddr(m.validatorAddress);
      const amount = positiveCoin(m.amount, 'shares');
      bondDenomMatches(k, ctx, amount.denom);
      const shares = k.validateUnbondAmount(ctx, del, op, amount.amount);
      const r = k.undelegate(ctx, del, op, shares);
      const coin = { denom: amount.denom, amount: r.amount.toString() };
      ctx.events.emit(ev.EventTypeUnbond, [
        [ev.AttributeKeyValidator, m.validatorAddress],
        [ev.AttributeKeyDelegator, m.delegatorAddress],
        [ev.AttributeKeyAmount, `${r.amount}${amount.denom}`],
        [ev.AttributeKeyCompletionTime, ev.rfc3339(r.completionTimeNs)],
      ]);
      return {
        typeUrl: '/cosmos.staking.v1beta1.MsgUndelegateResponse',
        value: encodeProto(MsgUndelegateResponse, {
          completionTime: nsToTimestamp(r.completionTimeNs),
          amount: coin,
        }),
      };
    },
  };

  const redelegate: MsgHandler<MsgBeginRedelegate> = {
    typeUrl: '/cosmos.staking.v1beta1.MsgBeginRedelegate',
    decode: (b) => MsgBeginRedelegate.decode(b),
    signers: (m) => [accAddr(m.delegatorAddress)],
    validateBasic(m) {
      accAddr(m.delegatorAddress);
      valAddr(m.validatorSrcAddress);
      valAddr(m.validatorDstAddress);
      positiveCoin(m.amount, 'shares');
    },
    handle(ctx, m) {
      const del = accAddr(m.delegatorAddress);
      const src = valAddr(m.validatorSrcAddress);
      const dst = valAddr(m.validatorDstAddress);
      const amount = positiveCoin(m.amount, 'shares');
      bondDenomMatches(k, ctx, amount.denom);
      const shares = k.validateUnbondAmount(ctx, del, src, amount.amount);
      const r = k.beginRedelegation(ctx, del, src, dst, shares);
      ctx.events.emit(ev.EventTypeRedelegate, [
        [ev.AttributeKeySrcValidator, m.validatorSrcAddress],
        [ev.AttributeKeyDstValidator, m.validatorDstAddress],
        [ev.AttributeKeyDelegator, m.delegatorAddress],
        [ev.AttributeKeyAmount, `${r.amount}${amount.denom}`],
        [ev.AttributeKeyCompletionTime, ev.rfc3339(r.completionTimeNs)],
      ]);
      return {
        typeUrl: '/cosmos.staking.v1beta1.MsgBeginRedelegateResponse',
        value: encodeProto(MsgBeginRedelegateResponse, { completionTime: nsToTimestamp(r.completionTimeNs) }),
      };
    },
  };

  const cancel: MsgHandler<MsgCancelUnbondingDelegation> = {
    typeUrl: '/cosmos.staking.v1beta1.MsgCancelUnbondingDelegation',
    decode: (b) => MsgCancelUnbondingDelegation.decode(b),
    signers: (m) => [accAddr(m.delegatorAddress)],
    validateBasic(m) {
      accAddr(m.delegatorAddress);
      valAddr(m.validatorAddress);
      positiveCoin(m.amount, 'unbonding delegation');
      if (m.creationHeight <= 0n) throw ErrInvalidRequest.wrap('invalid height');
    },
    handle(ctx, m) {
      const del = accAddr(m.delegatorAddress);
      const op = valAddr(m.validatorAddress);
      const amount = positiveCoin(m.amount, 'unbonding delegation');
      bondDenomMatches(k, ctx, amount.denom);
      k.cancelUnbondingDelegation(ctx, del, op, amount.amount, m.creationHeight);
      ctx.events.emit(ev.EventTypeCancelUnbondingDelegation, [
        [ev.AttributeKeyAmount, `${amount.amount}${amount.denom}`],
        [ev.AttributeKeyValidator, m.validatorAddress],
        [ev.AttributeKeyDelegator, m.delegatorAddress],
        [ev.AttributeKeyCreationHeight, m.creationHeight.toString()],
      ]);
      return {
        typeUrl: '/cosmos.staking.v1beta1.MsgCancelUnbondingDelegationResponse',
        value: encodeProto(MsgCancelUnbondingDelegationResponse, {}),
      };
    },
  };

  return [create, edit, delegate, undelegate, redelegate, cancel];
}
