/**
 * x/staking keeper (Cosmos SDK v0.50 x/staking/keeper): validators, delegations, unbonding
 * delegations and redelegations, the power-ranked validator set and its updates to consensus,
 * maturity queues and slashing. Token custody: tokens of bonded validators sit in
 * `bonded_tokens_pool`; tokens of unbonding/unbonded validators and of unbonding entries sit
 * in `not_bonded_tokens_pool`. Exchange rates use LegacyDec arithmetic on bigint.
 */
import { BinaryReader, BinaryWriter } from '@bufbuild/protobuf/wire';
import { HistoricalInfo, Params } from 'cosmjs-types/cosmos/staking/v1beta1/staking';
import type { ValidatorUpdate } from 'cosmjs-types/tendermint/abci/types';
import { encodeProto } from '../../../codec/protoWriter.js';
import { addressToBech32, bytesEqual, compareBytes, VALOPER_PREFIX } from '../../types/address.js';
import type { Context } from '../../types/context.js';
import { DEC_ONE, formatDec } from '../../types/decimal.js';
import { nsToTimestamp } from '../../types/duration.js';
import { ErrInvalidRequest, ErrLogic } from '../../types/errors.js';
import { fromUtf8, prefixEnd, prefixIterator, readU64BE } from '../../types/keys.js';
import { decFromInt, decMin, decMul, decMulInt, decQuoRoundUp, truncateInt } from '../../types/legacyDec.js';
import {
  ErrBadRedelegationDst,
  ErrBadRemoveValidator,
  ErrDelegatorShareExRateInvalid,
  ErrMaxRedelegationEntries,
  ErrMaxUnbondingDelegationEntries,
  ErrNoDelegation,
  ErrNotEnoughDelegationShares,
  ErrNoUnbondingDelegation,
  ErrNoValidatorFound,
  ErrSelfRedelegation,
  ErrTinyRedelegationAmount,
  ErrTransitiveRedelegation,
  ErrValidatorJailed,
} from './errors.js';
import * as ev from './events.js';
import type { StakingAccountKeeper, StakingBankKeeper, StakingHooks } from './expectedKeepers.js';
import * as keys from './keys.js';
import { type StakingParams, stakingParamsFromProto, stakingParamsToProto } from './params.js';
import {
  abciUpdate,
  BondStatus,
  consensusPower,
  type Delegation,
  decodeDelegation,
  decodeRed,
  decodeUbd,
  decodeValidator,
  encodeDelegation,
  encodeRed,
  encodeUbd,
  encodeValidator,
  invalidExRate,
  isBonded,
  isUnbonded,
  isUnbonding,
  potentialPower,
  type Redelegation,
  sharesFromTokens,
  tokensFromShares,
  type UnbondingDelegation,
  type Validator,
  valConsAddr,
  validatorToProto,
} from './types.js';

const {
  BOND_STATUS_BONDED: Bonded,
  BOND_STATUS_UNBONDING: Unbonding,
  BOND_STATUS_UNBONDED: Unbonded,
} = BondStatus;

function encodeInt64Value(n: bigint): Uint8Array {
  const w = new BinaryWriter();
  if (n !== 0n) w.uint32(8).int64(n);
  return w.finish();
}

function decodeInt64Value(b: Uint8Array): bigint {
  const r = new BinaryReader(b);
  let v = 0n;
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (field === 1) v = BigInt(r.int64());
    else r.skip(wire);
  }
  return v;
}

export class StakingKeeper {
  private hooks: StakingHooks[] = [];

  constructor(
    readonly ak: StakingAccountKeeper,
    readonly bank: StakingBankKeeper,
  ) {}

  /** Registers hooks, called in the order given (distribution before slashing, as the SDK wires them). */
  setHooks(...hooks: StakingHooks[]): void {
    this.hooks = hooks;
  }

  afterValidatorCreated(ctx: Context, val: Uint8Array): void {
    for (const h of this.hooks) h.afterValidatorCreated?.(ctx, val);
  }

  beforeValidatorModified(ctx: Context, val: Uint8Array): void {
    for (const h of this.hooks) h.beforeValidatorModified?.(ctx, val);
  }

  private store(ctx: Context) {
    return ctx.kvStore(keys.StoreKey);
  }

  // --- params -------------------------------------------------------------------------------

  getParams(ctx: Context): StakingParams {
    const b = this.store(ctx).get(keys.ParamsKey);
    if (!b) throw ErrLogic.wrap('staking params are not set');
    return stakingParamsFromProto(Params.decode(b));
  }

  setParams(ctx: Context, p: StakingParams): void {
    this.store(ctx).set(keys.ParamsKey, encodeProto(Params, stakingParamsToProto(p)));
  }

  bondDenom(ctx: Context): string {
    return this.getParams(ctx).bondDenom;
  }

  // --- pools --------------------------------------------------------------------------------

  bondedPoolAddress(): Uint8Array {
    return this.ak.moduleAddress(keys.BondedPoolName);
  }

  notBondedPoolAddress(): Uint8Array {
    return this.ak.moduleAddress(keys.NotBondedPoolName);
  }

  totalBondedTokens(ctx: Context): bigint {
    return this.bank.getBalance(ctx, this.bondedPoolAddress(), this.bondDenom(ctx));
  }

  notBondedTokens(ctx: Context): bigint {
    return this.bank.getBalance(ctx, this.notBondedPoolAddress(), this.bondDenom(ctx));
  }

  stakingTokenSupply(ctx: Context): bigint {
    return this.bank.getSupply(ctx, this.bondDenom(ctx));
  }

  /** Bonded tokens over the bond denom's supply, truncated (`BondedRatio`). */
  bondedRatio(ctx: Context): bigint {
    const supply = this.stakingTokenSupply(ctx);
    return supply > 0n ? decFromInt(this.totalBondedTokens(ctx)) / supply : 0n;
  }

  private moveBetweenPools(ctx: Context, from: string, to: string, amount: bigint): void {
    if (amount <= 0n) return;
    this.bank.sendCoinsFromModuleToModule(ctx, from, to, [{ denom: this.bondDenom(ctx), amount }]);
  }

  private burnFromPool(ctx: Context, pool: string, amount: bigint): void {
    if (amount <= 0n) return;
    this.bank.burnCoins(ctx, pool, [{ denom: this.bondDenom(ctx), amount }]);
  }

  // --- validators ---------------------------------------------------------------------------

  getValidator(ctx: Context, val: Uint8Array): Validator | undefined {
    const b = this.store(ctx).get(keys.validatorKey(val));
    return b ? decodeValidator(b) : undefined;
  }

  mustGetValidator(ctx: Context, val: Uint8Array): Validator {
    const v = this.getValidator(ctx, val);
    if (!v) throw ErrNoValidatorFound.wrap(addressToBech32(val, VALOPER_PREFIX));
    return v;
  }

  getValidatorByConsAddr(ctx: Context, cons: Uint8Array): Validator | undefined {
    const op = this.store(ctx).get(keys.validatorByConsAddrKey(cons));
    return op ? this.getValidator(ctx, op) : undefined;
  }

  setValidator(ctx: Context, v: Validator): void {
    this.store(ctx).set(keys.validatorKey(v.operator), encodeValidator(v));
  }

  setValidatorByConsAddr(ctx: Context, v: Validator): void {
    this.store(ctx).set(keys.validatorByConsAddrKey(valConsAddr(v)), v.operator);
  }

  /** Jailed validators are kept out of the power index, so they can never be bonded. */
  setValidatorByPowerIndex(ctx: Context, v: Validator): void {
    if (v.jailed) return;
    this.store(ctx).set(keys.validatorPowerIndexKey(potentialPower(v), v.operator), v.operator);
  }

  deleteValidatorByPowerIndex(ctx: Context, v: Validator): void {
    this.store(ctx).delete(keys.validatorPowerIndexKey(potentialPower(v), v.operator));
  }

  *iterateValidators(ctx: Context): Generator<Validator> {
    for (const [, v] of prefixIterator(this.store(ctx), keys.ValidatorsPrefix)) yield decodeValidator(v);
  }

  /** Bonded validators, highest power first (the last committed set). */
  bondedValidatorsByPower(ctx: Context): Validator[] {
    const out: Validator[] = [];
    const max = this.getParams(ctx).maxValidators;
    for (const [, op] of prefixIterator(this.store(ctx), keys.ValidatorsByPowerIndexPrefix, true)) {
      if (out.length >= max) break;
      const v = this.getValidator(ctx, op);
      if (v && isBonded(v)) out.push(v);
    }
    return out;
  }

  /** Only an unbonded validator without tokens can be removed (`RemoveValidator`). */
  removeValidator(ctx: Context, val: Uint8Array): void {
    const v = this.getValidator(ctx, val);
    if (!v) return;
    if (!isUnbonded(v))
      throw ErrBadRemoveValidator.wrap('cannot call RemoveValidator on bonded or unbonding validators');
    if (v.tokens > 0n)
      throw ErrBadRemoveValidator.wrap('attempting to remove a validator which still contains tokens');
    const cons = valConsAddr(v);
    const s = this.store(ctx);
    s.delete(keys.validatorKey(val));
    s.delete(keys.validatorByConsAddrKey(cons));
    this.deleteValidatorByPowerIndex(ctx, v);
    for (const h of this.hooks) h.afterValidatorRemoved?.(ctx, cons, val);
  }

  /** Adds tokens for a delegation and returns the validator and the shares issued. */
  private addValidatorTokensAndShares(ctx: Context, v: Validator, amount: bigint): [Validator, bigint] {
    this.deleteValidatorByPowerIndex(ctx, v);
    const issued = v.delegatorShares === 0n ? decFromInt(amount) : sharesFromTokens(v, amount);
    const nv = { ...v, tokens: v.tokens + amount, delegatorShares: v.delegatorShares + issued };
    this.setValidator(ctx, nv);
    this.setValidatorByPowerIndex(ctx, nv);
    return [nv, issued];
  }

  /** Removes shares and returns the validator and the tokens they were worth (`RemoveDelShares`). */
  private removeValidatorTokensAndShares(ctx: Context, v: Validator, shares: bigint): [Validator, bigint] {
    this.deleteValidatorByPowerIndex(ctx, v);
    const remaining = v.delegatorShares - shares;
    let issued: bigint;
    let tokens: bigint;
    if (remaining === 0n) {
      issued = v.tokens;
      tokens = 0n;
    } else {
      issued = truncateInt(tokensFromShares(v, shares));
      tokens = v.tokens - issued;
      if (tokens < 0n) throw ErrLogic.wrap('attempting to remove more tokens than available in validator');
    }
    const nv = { ...v, tokens, delegatorShares: remaining };
    this.setValidator(ctx, nv);
    this.setValidatorByPowerIndex(ctx, nv);
    return [nv, issued];
  }

  /** Burns tokens from the validator's stake only (slashing). */
  private removeValidatorTokens(ctx: Context, v: Validator, amount: bigint): Validator {
    this.deleteValidatorByPowerIndex(ctx, v);
    const nv = { ...v, tokens: v.tokens - amount };
    this.setValidator(ctx, nv);
    this.setValidatorByPowerIndex(ctx, nv);
    return nv;
  }

  // --- last validator powers ----------------------------------------------------------------

  getLastValidatorPower(ctx: Context, val: Uint8Array): bigint | undefined {
    const b = this.store(ctx).get(keys.lastValidatorPowerKey(val));
    return b ? decodeInt64Value(b) : undefined;
  }

  *iterateLastValidatorPowers(ctx: Context): Generator<{ operator: Uint8Array; power: bigint }> {
    for (const [k, v] of prefixIterator(this.store(ctx), keys.LastValidatorPowerPrefix))
      yield { operator: Uint8Array.from(k.subarray(1, 1 + k[0]!)), power: decodeInt64Value(v) };
  }

  getLastTotalPower(ctx: Context): bigint {
    const b = this.store(ctx).get(keys.LastTotalPowerKey);
    if (!b) return 0n;
    const r = new BinaryReader(b);
    let s = '0';
    while (r.pos < r.len) {
      const [field, wire] = r.tag();
      if (field === 1) s = r.string();
      else r.skip(wire);
    }
    return BigInt(s);
  }

  setLastTotalPower(ctx: Context, power: bigint): void {
    this.store(ctx).set(
      keys.LastTotalPowerKey,
      new BinaryWriter().uint32(10).string(power.toString()).finish(),
    );
  }

  // --- delegations --------------------------------------------------------------------------

  getDelegation(ctx: Context, del: Uint8Array, val: Uint8Array): Delegation | undefined {
    const b = this.store(ctx).get(keys.delegationKey(del, val));
    return b ? decodeDelegation(b) : undefined;
  }

  setDelegation(ctx: Context, d: Delegation): void {
    const s = this.store(ctx);
    s.set(keys.delegationKey(d.delegator, d.validator), encodeDelegation(d));
    s.set(keys.delegationByValKey(d.validator, d.delegator), keys.INDEX_MARKER);
  }

  removeDelegation(ctx: Context, d: Delegation): void {
    for (const h of this.hooks) h.beforeDelegationRemoved?.(ctx, d.delegator, d.validator);
    const s = this.store(ctx);
    s.delete(keys.delegationKey(d.delegator, d.validator));
    s.delete(keys.delegationByValKey(d.validator, d.delegator));
  }

  *delegatorDelegations(ctx: Context, del: Uint8Array): Generator<Delegation> {
    for (const [, v] of prefixIterator(this.store(ctx), keys.delegationsOfPrefix(del)))
      yield decodeDelegation(v);
  }

  *validatorDelegations(ctx: Context, val: Uint8Array): Generator<Delegation> {
    for (const [k] of prefixIterator(this.store(ctx), keys.delegationByValPrefix(val))) {
      const [del] = keys.splitLengthPrefixed(k);
      const d = this.getDelegation(ctx, del!, val);
      if (d) yield d;
    }
  }

  *iterateAllDelegations(ctx: Context): Generator<Delegation> {
    for (const [, v] of prefixIterator(this.store(ctx), keys.DelegationPrefix)) yield decodeDelegation(v);
  }

  // --- unbonding delegations ----------------------------------------------------------------

  getUnbondingDelegation(ctx: Context, del: Uint8Array, val: Uint8Array): UnbondingDelegation | undefined {
    const b = this.store(ctx).get(keys.ubdKey(del, val));
    return b ? decodeUbd(b) : undefined;
  }

  setUnbondingDelegation(ctx: Context, u: UnbondingDelegation): void {
    if (u.entries.length === 0) {
      this.removeUnbondingDelegation(ctx, u);
      return;
    }
    const s = this.store(ctx);
    s.set(keys.ubdKey(u.delegator, u.validator), encodeUbd(u));
    s.set(keys.ubdByValKey(u.validator, u.delegator), keys.INDEX_MARKER);
  }

  removeUnbondingDelegation(ctx: Context, u: UnbondingDelegation): void {
    const s = this.store(ctx);
    s.delete(keys.ubdKey(u.delegator, u.validator));
    s.delete(keys.ubdByValKey(u.validator, u.delegator));
  }

  *delegatorUnbondingDelegations(ctx: Context, del: Uint8Array): Generator<UnbondingDelegation> {
    for (const [, v] of prefixIterator(this.store(ctx), keys.ubdsOfPrefix(del))) yield decodeUbd(v);
  }

  *validatorUnbondingDelegations(ctx: Context, val: Uint8Array): Generator<UnbondingDelegation> {
    for (const [k] of prefixIterator(this.store(ctx), keys.ubdByValPrefix(val))) {
      const [del] = keys.splitLengthPrefixed(k);
      const u = this.getUnbondingDelegation(ctx, del!, val);
      if (u) yield u;
    }
  }

  *iterateAllUnbondingDelegations(ctx: Context): Generator<UnbondingDelegation> {
    for (const [, v] of prefixIterator(this.store(ctx), keys.UnbondingDelegationPrefix)) yield decodeUbd(v);
  }

  /** Adds an entry, merging with one of the same height and completion time (v0.47+ behaviour). */
  private setUnbondingDelegationEntry(
    ctx: Context,
    del: Uint8Array,
    val: Uint8Array,
    completionTimeNs: bigint,
    balance: bigint,
  ): UnbondingDelegation {
    const u = this.getUnbondingDelegation(ctx, del, val) ?? { delegator: del, validator: val, entries: [] };
    const height = ctx.header.height;
    const same = u.entries.find(
      (e) => e.creationHeight === height && e.completionTimeNs === completionTimeNs,
    );
    if (same) {
      same.balance += balance;
      same.initialBalance += balance;
    } else {
      u.entries.push({ creationHeight: height, completionTimeNs, initialBalance: balance, balance });
    }
    this.setUnbondingDelegation(ctx, u);
    return u;
  }

  private insertQueue(ctx: Context, key: Uint8Array, item: Uint8Array): void {
    // Queue slots hold a list of length-prefixed items; bytes, not protos, for speed.
    const s = this.store(ctx);
    const cur = s.get(key);
    s.set(key, cur ? new Uint8Array([...cur, ...lpItem(item)]) : lpItem(item));
  }

  // --- redelegations ------------------------------------------------------------------------

  getRedelegation(ctx: Context, del: Uint8Array, src: Uint8Array, dst: Uint8Array): Redelegation | undefined {
    const b = this.store(ctx).get(keys.redKey(del, src, dst));
    return b ? decodeRed(b) : undefined;
  }

  setRedelegation(ctx: Context, r: Redelegation): void {
    if (r.entries.length === 0) {
      this.removeRedelegation(ctx, r);
      return;
    }
    const s = this.store(ctx);
    s.set(keys.redKey(r.delegator, r.src, r.dst), encodeRed(r));
    s.set(keys.redBySrcKey(r.src, r.delegator, r.dst), keys.INDEX_MARKER);
    s.set(keys.redByDstKey(r.dst, r.delegator, r.src), keys.INDEX_MARKER);
  }

  removeRedelegation(ctx: Context, r: Redelegation): void {
    const s = this.store(ctx);
    s.delete(keys.redKey(r.delegator, r.src, r.dst));
    s.delete(keys.redBySrcKey(r.src, r.delegator, r.dst));
    s.delete(keys.redByDstKey(r.dst, r.delegator, r.src));
  }

  *redelegationsFromValidator(ctx: Context, src: Uint8Array): Generator<Redelegation> {
    for (const [k] of prefixIterator(this.store(ctx), keys.redBySrcPrefix(src))) {
      const [del, dst] = keys.splitLengthPrefixed(k);
      const r = this.getRedelegation(ctx, del!, src, dst!);
      if (r) yield r;
    }
  }

  *delegatorRedelegations(ctx: Context, del: Uint8Array): Generator<Redelegation> {
    for (const [, v] of prefixIterator(this.store(ctx), keys.redsOfPrefix(del))) yield decodeRed(v);
  }

  *iterateAllRedelegations(ctx: Context): Generator<Redelegation> {
    for (const [, v] of prefixIterator(this.store(ctx), keys.RedelegationPrefix)) yield decodeRed(v);
  }

  /** Whether `del` has a redelegation still maturing *into* `val` (`HasReceivingRedelegation`). */
  hasReceivingRedelegation(ctx: Context, del: Uint8Array, val: Uint8Array): boolean {
    for (const _ of prefixIterator(this.store(ctx), keys.redByDstDelPrefix(val, del))) return true;
    return false;
  }

  // --- delegate / unbond --------------------------------------------------------------------

  /**
   * Delegates `amount` to `v`. With `fromAccount`, the coins come from the delegator's account;
   * otherwise (redelegation, cancelled unbonding) they are already in the pool of `tokenSrc`
   * and move between pools as the statuses require. Returns the shares issued.
   */
  delegate(
    ctx: Context,
    del: Uint8Array,
    amount: bigint,
    tokenSrc: BondStatus,
    val: Validator,
    fromAccount: boolean,
  ): bigint {
    if (invalidExRate(val)) throw ErrDelegatorShareExRateInvalid;
    const existing = this.getDelegation(ctx, del, val.operator);
    if (existing) for (const h of this.hooks) h.beforeDelegationSharesModified?.(ctx, del, val.operator);
    else for (const h of this.hooks) h.beforeDelegationCreated?.(ctx, del, val.operator);
    const d = existing ?? { delegator: del, validator: val.operator, shares: 0n };
    // Hooks may not alter the validator, but read it again to be safe against stale copies.
    const v = this.mustGetValidator(ctx, val.operator);
    const denom = this.bondDenom(ctx);
    if (fromAccount) {
      const pool = isBonded(v) ? keys.BondedPoolName : keys.NotBondedPoolName;
      this.bank.sendCoinsFromAccountToModule(ctx, del, pool, [{ denom, amount }]);
    } else if (tokenSrc === Bonded && !isBonded(v)) {
      this.moveBetweenPools(ctx, keys.BondedPoolName, keys.NotBondedPoolName, amount);
    } else if (tokenSrc !== Bonded && isBonded(v)) {
      this.moveBetweenPools(ctx, keys.NotBondedPoolName, keys.BondedPoolName, amount);
    }
    const [, issued] = this.addValidatorTokensAndShares(ctx, v, amount);
    d.shares += issued;
    this.setDelegation(ctx, d);
    for (const h of this.hooks) h.afterDelegationModified?.(ctx, del, val.operator);
    return issued;
  }

  /** Removes `shares` from a delegation; returns the tokens they were worth (`Unbond`). */
  unbond(ctx: Context, del: Uint8Array, valAddr: Uint8Array, shares: bigint): bigint {
    const d = this.getDelegation(ctx, del, valAddr);
    if (!d) throw ErrNoDelegation;
    if (d.shares < shares) throw ErrNotEnoughDelegationShares.wrap(formatDec(d.shares));
    for (const h of this.hooks) h.beforeDelegationSharesModified?.(ctx, del, valAddr);
    let v = this.mustGetValidator(ctx, valAddr);
    d.shares -= shares;
    // An operator whose self-delegation falls below its minimum is jailed at once.
    if (
      bytesEqual(del, valAddr) &&
      !v.jailed &&
      truncateInt(tokensFromShares(v, d.shares)) < v.minSelfDelegation
    ) {
      this.jailValidator(ctx, v);
      v = this.mustGetValidator(ctx, valAddr);
    }
    if (d.shares === 0n) this.removeDelegation(ctx, d);
    else {
      this.setDelegation(ctx, d);
      for (const h of this.hooks) h.afterDelegationModified?.(ctx, del, valAddr);
    }
    const [nv, amount] = this.removeValidatorTokensAndShares(ctx, v, shares);
    if (nv.delegatorShares === 0n && isUnbonded(nv)) this.removeValidator(ctx, valAddr);
    return amount;
  }

  /** The shares `amount` tokens are worth, capped at the delegation (`ValidateUnbondAmount`). */
  validateUnbondAmount(ctx: Context, del: Uint8Array, valAddr: Uint8Array, amount: bigint): bigint {
    const v = this.mustGetValidator(ctx, valAddr);
    const d = this.getDelegation(ctx, del, valAddr);
    if (!d) throw ErrNoDelegation;
    if (v.tokens === 0n) throw ErrInvalidRequest.wrap('invalid shares amount');
    let shares = sharesFromTokens(v, amount);
    const truncated = decMulInt(v.delegatorShares, amount) / v.tokens;
    if (truncated > d.shares) throw ErrInvalidRequest.wrap('invalid shares amount');
    if (shares > d.shares) shares = d.shares;
    return shares;
  }

  hasMaxUnbondingEntries(ctx: Context, del: Uint8Array, val: Uint8Array): boolean {
    const u = this.getUnbondingDelegation(ctx, del, val);
    return (u?.entries.length ?? 0) >= this.getParams(ctx).maxEntries;
  }

  /** Begins unbonding `shares`; returns the completion time and amount (`Undelegate`). */
  undelegate(
    ctx: Context,
    del: Uint8Array,
    valAddr: Uint8Array,
    shares: bigint,
  ): { completionTimeNs: bigint; amount: bigint } {
    const v = this.mustGetValidator(ctx, valAddr);
    if (this.hasMaxUnbondingEntries(ctx, del, valAddr)) throw ErrMaxUnbondingDelegationEntries;
    const amount = this.unbond(ctx, del, valAddr, shares);
    if (isBonded(v)) this.moveBetweenPools(ctx, keys.BondedPoolName, keys.NotBondedPoolName, amount);
    const completionTimeNs = ctx.header.timeNs + this.getParams(ctx).unbondingTimeNs;
    if (amount > 0n) {
      this.setUnbondingDelegationEntry(ctx, del, valAddr, completionTimeNs, amount);
      this.insertQueue(ctx, keys.ubdQueueKey(completionTimeNs), concatLp(del, valAddr));
    }
    return { completionTimeNs, amount };
  }

  /** Pays out the mature entries of an unbonding delegation (`CompleteUnbonding`). */
  completeUnbonding(ctx: Context, del: Uint8Array, valAddr: Uint8Array): bigint {
    const u = this.getUnbondingDelegation(ctx, del, valAddr);
    if (!u) throw ErrNoUnbondingDelegation;
    const now = ctx.header.timeNs;
    let paid = 0n;
    u.entries = u.entries.filter((e) => {
      if (e.completionTimeNs > now) return true;
      paid += e.balance;
      return false;
    });
    if (paid > 0n)
      this.bank.sendCoinsFromModuleToAccount(ctx, keys.NotBondedPoolName, del, [
        { denom: this.bondDenom(ctx), amount: paid },
      ]);
    this.setUnbondingDelegation(ctx, u);
    return paid;
  }

  /** When a redelegation's source completes and at what height (`getBeginInfo`). */
  private beginInfo(
    ctx: Context,
    src: Uint8Array,
  ): { completionTimeNs: bigint; height: bigint; now: boolean } {
    const v = this.getValidator(ctx, src);
    if (!v || isUnbonded(v))
      return { completionTimeNs: ctx.header.timeNs, height: ctx.header.height, now: true };
    if (isBonded(v))
      return {
        completionTimeNs: ctx.header.timeNs + this.getParams(ctx).unbondingTimeNs,
        height: ctx.header.height,
        now: false,
      };
    return { completionTimeNs: v.unbondingTimeNs, height: v.unbondingHeight, now: false };
  }

  beginRedelegation(
    ctx: Context,
    del: Uint8Array,
    srcAddr: Uint8Array,
    dstAddr: Uint8Array,
    shares: bigint,
  ): { completionTimeNs: bigint; amount: bigint } {
    if (bytesEqual(srcAddr, dstAddr)) throw ErrSelfRedelegation;
    const dst = this.getValidator(ctx, dstAddr);
    if (!dst) throw ErrBadRedelegationDst;
    const src = this.mustGetValidator(ctx, srcAddr);
    if (this.hasReceivingRedelegation(ctx, del, srcAddr)) throw ErrTransitiveRedelegation;
    const existing = this.getRedelegation(ctx, del, srcAddr, dstAddr);
    if ((existing?.entries.length ?? 0) >= this.getParams(ctx).maxEntries) throw ErrMaxRedelegationEntries;
    const amount = this.unbond(ctx, del, srcAddr, shares);
    if (amount === 0n) throw ErrTinyRedelegationAmount;
    const sharesCreated = this.delegate(
      ctx,
      del,
      amount,
      src.status,
      this.mustGetValidator(ctx, dstAddr),
      false,
    );
    const info = this.beginInfo(ctx, srcAddr);
    if (info.now) return { completionTimeNs: info.completionTimeNs, amount };
    const r = this.getRedelegation(ctx, del, srcAddr, dstAddr) ?? {
      delegator: del,
      src: srcAddr,
      dst: dstAddr,
      entries: [],
    };
    r.entries.push({
      creationHeight: info.height,
      completionTimeNs: info.completionTimeNs,
      initialBalance: amount,
      sharesDst: sharesCreated,
    });
    this.setRedelegation(ctx, r);
    this.insertQueue(ctx, keys.redQueueKey(info.completionTimeNs), concatLp(del, srcAddr, dstAddr));
    return { completionTimeNs: info.completionTimeNs, amount };
  }

  /** Drops the mature entries of a redelegation (`CompleteRedelegation`): no tokens move. */
  completeRedelegation(ctx: Context, del: Uint8Array, src: Uint8Array, dst: Uint8Array): bigint {
    const r = this.getRedelegation(ctx, del, src, dst);
    if (!r) return 0n;
    const now = ctx.header.timeNs;
    let done = 0n;
    r.entries = r.entries.filter((e) => {
      if (e.completionTimeNs > now) return true;
      done += e.initialBalance;
      return false;
    });
    this.setRedelegation(ctx, r);
    return done;
  }

  /** Re-delegates part of an unbonding entry to its validator (`CancelUnbondingDelegation`). */
  cancelUnbondingDelegation(
    ctx: Context,
    del: Uint8Array,
    valAddr: Uint8Array,
    amount: bigint,
    creationHeight: bigint,
  ): void {
    const v = this.mustGetValidator(ctx, valAddr);
    if (invalidExRate(v)) throw ErrDelegatorShareExRateInvalid;
    if (v.jailed) throw ErrValidatorJailed;
    const u = this.getUnbondingDelegation(ctx, del, valAddr);
    if (!u)
      throw ErrNoUnbondingDelegation.wrap(
        `unbonding delegation with delegator ${addressToBech32(del)} not found for validator ${addressToBech32(valAddr, VALOPER_PREFIX)}`,
      );
    const i = u.entries.findIndex((e) => e.creationHeight === creationHeight);
    const entry = u.entries[i];
    if (!entry)
      throw ErrInvalidRequest.wrap(
        `unbonding delegation entry is not found at block height ${creationHeight}`,
      );
    if (entry.balance < amount)
      throw ErrInvalidRequest.wrap('amount is greater than the unbonding delegation entry balance');
    if (entry.completionTimeNs < ctx.header.timeNs)
      throw ErrInvalidRequest.wrap('unbonding delegation is already processed');
    this.delegate(ctx, del, amount, Unbonding, v, false);
    entry.balance -= amount;
    entry.initialBalance -= amount;
    if (entry.balance === 0n) u.entries.splice(i, 1);
    this.setUnbondingDelegation(ctx, u);
  }

  // --- validator state transitions ----------------------------------------------------------

  private bondValidator(ctx: Context, v: Validator): Validator {
    this.deleteValidatorByPowerIndex(ctx, v);
    if (isUnbonding(v)) this.deleteValidatorQueueEntry(ctx, v);
    const nv = { ...v, status: Bonded };
    this.setValidator(ctx, nv);
    this.setValidatorByPowerIndex(ctx, nv);
    for (const h of this.hooks) h.afterValidatorBonded?.(ctx, valConsAddr(nv), nv.operator);
    return nv;
  }

  private beginUnbondingValidator(ctx: Context, v: Validator): Validator {
    if (!isBonded(v)) throw ErrLogic.wrap('bad state transition bondedToUnbonding');
    const nv = {
      ...v,
      status: Unbonding,
      unbondingTimeNs: ctx.header.timeNs + this.getParams(ctx).unbondingTimeNs,
      unbondingHeight: ctx.header.height,
    };
    this.setValidator(ctx, nv);
    this.insertQueue(ctx, keys.validatorQueueKey(nv.unbondingTimeNs, nv.unbondingHeight), nv.operator);
    for (const h of this.hooks) h.afterValidatorBeginUnbonding?.(ctx, valConsAddr(nv), nv.operator);
    return nv;
  }

  private deleteValidatorQueueEntry(ctx: Context, v: Validator): void {
    const key = keys.validatorQueueKey(v.unbondingTimeNs, v.unbondingHeight);
    const s = this.store(ctx);
    const cur = s.get(key);
    if (!cur) return;
    const rest = splitItems(cur).filter((a) => !bytesEqual(a, v.operator));
    if (rest.length === 0) s.delete(key);
    else s.set(key, new Uint8Array(rest.flatMap((a) => [...lpItem(a)])));
  }

  jailValidator(ctx: Context, v: Validator): void {
    if (v.jailed)
      throw ErrLogic.wrap(
        `cannot jail already jailed validator, validator: ${addressToBech32(v.operator, VALOPER_PREFIX)}`,
      );
    this.deleteValidatorByPowerIndex(ctx, v);
    this.setValidator(ctx, { ...v, jailed: true });
  }

  unjailValidator(ctx: Context, v: Validator): void {
    if (!v.jailed) throw ErrLogic.wrap('cannot unjail already unjailed validator');
    const nv = { ...v, jailed: false };
    this.setValidator(ctx, nv);
    this.setValidatorByPowerIndex(ctx, nv);
  }

  jail(ctx: Context, cons: Uint8Array): void {
    const v = this.getValidatorByConsAddr(ctx, cons);
    if (v && !v.jailed) this.jailValidator(ctx, v);
  }

  unjail(ctx: Context, cons: Uint8Array): void {
    const v = this.getValidatorByConsAddr(ctx, cons);
    if (v?.jailed) this.unjailValidator(ctx, v);
  }

  // --- slashing -----------------------------------------------------------------------------

  /**
   * Slashes `fraction` of the stake a validator had at `infractionHeight` (given as consensus
   * `power`): first the unbonding delegations and redelegations that began at or after the
   * infraction, then the validator's own tokens for the rest. Returns the tokens burned from
   * the validator itself (`Slash`).
   */
  slash(ctx: Context, cons: Uint8Array, infractionHeight: bigint, power: bigint, fraction: bigint): bigint {
    if (fraction < 0n || fraction > DEC_ONE) throw ErrLogic.wrap('slash fraction must be within [0, 1]');
    const amount = power * 10n ** 6n;
    const slashAmount = truncateInt(decMul(decFromInt(amount), fraction));
    let v = this.getValidatorByConsAddr(ctx, cons);
    if (!v) return 0n; // the validator may have been removed: nothing at stake any more
    if (isUnbonded(v)) throw ErrLogic.wrap('should not be slashing unbonded validator');
    if (infractionHeight > ctx.header.height)
      throw ErrLogic.wrap('impossible attempt to slash future infraction');
    let remaining = slashAmount;
    if (infractionHeight < ctx.header.height) {
      for (const u of [...this.validatorUnbondingDelegations(ctx, v.operator)])
        remaining -= this.slashUnbondingDelegation(ctx, u, infractionHeight, fraction);
      for (const r of [...this.redelegationsFromValidator(ctx, v.operator)])
        remaining -= this.slashRedelegation(ctx, r, infractionHeight, fraction);
      v = this.mustGetValidator(ctx, v.operator);
    }
    let toBurn = decMin(remaining, v.tokens);
    if (toBurn < 0n) toBurn = 0n;
    if (v.tokens > 0n) {
      let effective = decQuoRoundUp(decFromInt(toBurn), decFromInt(v.tokens));
      if (effective > DEC_ONE) effective = DEC_ONE;
      for (const h of this.hooks) h.beforeValidatorSlashed?.(ctx, v.operator, effective);
    }
    v = this.removeValidatorTokens(ctx, v, toBurn);
    this.burnFromPool(ctx, isBonded(v) ? keys.BondedPoolName : keys.NotBondedPoolName, toBurn);
    return toBurn;
  }

  private slashUnbondingDelegation(
    ctx: Context,
    u: UnbondingDelegation,
    infractionHeight: bigint,
    fraction: bigint,
  ): bigint {
    const now = ctx.header.timeNs;
    let total = 0n;
    let burned = 0n;
    for (const e of u.entries) {
      if (e.creationHeight < infractionHeight) continue;
      if (e.completionTimeNs <= now) continue; // mature: already out of reach
      const amount = truncateInt(decMulInt(fraction, e.initialBalance));
      total += amount;
      const cut = decMin(amount, e.balance);
      if (cut === 0n) continue;
      burned += cut;
      e.balance -= cut;
    }
    this.setUnbondingDelegation(ctx, u);
    this.burnFromPool(ctx, keys.NotBondedPoolName, burned);
    return total;
  }

  private slashRedelegation(
    ctx: Context,
    r: Redelegation,
    infractionHeight: bigint,
    fraction: bigint,
  ): bigint {
    const now = ctx.header.timeNs;
    let total = 0n;
    let bondedBurn = 0n;
    let notBondedBurn = 0n;
    for (const e of r.entries) {
      if (e.creationHeight < infractionHeight) continue;
      if (e.completionTimeNs <= now) continue;
      total += truncateInt(decMulInt(fraction, e.initialBalance));
      let shares = decMul(fraction, e.sharesDst);
      if (shares === 0n) continue;
      const d = this.getDelegation(ctx, r.delegator, r.dst);
      if (!d) continue;
      if (shares > d.shares) shares = d.shares;
      const tokens = this.unbond(ctx, r.delegator, r.dst, shares);
      const dst = this.getValidator(ctx, r.dst);
      if (dst && isBonded(dst)) bondedBurn += tokens;
      else notBondedBurn += tokens;
    }
    this.burnFromPool(ctx, keys.BondedPoolName, bondedBurn);
    this.burnFromPool(ctx, keys.NotBondedPoolName, notBondedBurn);
    return total;
  }

  // --- end block ----------------------------------------------------------------------------

  /**
   * Recomputes the bonded set from the power index and returns the changes for consensus
   * (`ApplyAndReturnValidatorSetUpdates`): new or re-powered validators with their power,
   * validators that left with power 0.
   */
  applyAndReturnValidatorSetUpdates(ctx: Context): ValidatorUpdate[] {
    const params = this.getParams(ctx);
    const last = new Map<string, bigint>();
    for (const { operator, power } of this.iterateLastValidatorPowers(ctx))
      last.set(Buffer.from(operator).toString('hex'), power);
    const updates: ValidatorUpdate[] = [];
    let toBonded = 0n;
    let toNotBonded = 0n;
    let totalPower = 0n;
    let count = 0;
    const s = this.store(ctx);
    // Collect the candidates first: bonding rewrites power-index entries under the iterator.
    const ranked: Uint8Array[] = [];
    for (const [, op] of prefixIterator(s, keys.ValidatorsByPowerIndexPrefix, true)) {
      if (ranked.length >= params.maxValidators) break;
      ranked.push(Uint8Array.from(op));
    }
    for (const op of ranked) {
      if (count >= params.maxValidators) break;
      let v = this.mustGetValidator(ctx, op);
      if (v.jailed) throw ErrLogic.wrap('should never retrieve a jailed validator from the power store');
      if (potentialPower(v) === 0n) break;
      if (!isBonded(v)) {
        toBonded += v.tokens;
        v = this.bondValidator(ctx, v);
      }
      const key = Buffer.from(op).toString('hex');
      const oldPower = last.get(key);
      const newPower = consensusPower(v);
      if (oldPower === undefined || oldPower !== newPower) {
        updates.push(abciUpdate(v, newPower));
        s.set(keys.lastValidatorPowerKey(op), encodeInt64Value(newPower));
      }
      last.delete(key);
      count++;
      totalPower += newPower;
    }
    const leaving = [...last.keys()].sort();
    for (const hex of leaving) {
      const op = Uint8Array.from(Buffer.from(hex, 'hex'));
      let v = this.mustGetValidator(ctx, op);
      toNotBonded += v.tokens;
      v = this.beginUnbondingValidator(ctx, v);
      s.delete(keys.lastValidatorPowerKey(op));
      updates.push(abciUpdate(v, 0n));
    }
    this.moveBetweenPools(ctx, keys.NotBondedPoolName, keys.BondedPoolName, toBonded);
    this.moveBetweenPools(ctx, keys.BondedPoolName, keys.NotBondedPoolName, toNotBonded);
    if (updates.length > 0) this.setLastTotalPower(ctx, totalPower);
    return updates;
  }

  /** Unbonding validators whose time has come become unbonded (and are removed when empty). */
  unbondAllMatureValidators(ctx: Context): void {
    const s = this.store(ctx);
    const end = prefixEnd(keys.validatorQueueKey(ctx.header.timeNs, ctx.header.height));
    const due = [...s.iterator(keys.ValidatorQueuePrefix, end)].map(
      ([k, v]) => [Uint8Array.from(k), Uint8Array.from(v)] as const,
    );
    for (const [k, v] of due) {
      const tlen = Number(readU64BE(k, 1));
      const timeNs = keys.parseSortableTime(fromUtf8(k.subarray(9, 9 + tlen)));
      const height = readU64BE(k, 9 + tlen);
      if (height > ctx.header.height || timeNs > ctx.header.timeNs) continue;
      for (const op of splitItems(v)) {
        const val = this.getValidator(ctx, op);
        if (!val || !isUnbonding(val)) continue;
        const nv = { ...val, status: Unbonded };
        this.setValidator(ctx, nv);
        if (nv.delegatorShares === 0n) this.removeValidator(ctx, op);
      }
      s.delete(k);
    }
  }

  private *dequeueMature(ctx: Context, prefix: Uint8Array, at: Uint8Array): Generator<Uint8Array[]> {
    const s = this.store(ctx);
    const end = prefixEnd(at);
    const due = [...s.iterator(prefix, end)].map(
      ([k, v]) => [Uint8Array.from(k), Uint8Array.from(v)] as const,
    );
    for (const [k, v] of due) {
      s.delete(k);
      for (const item of splitItems(v)) yield keys.splitLengthPrefixed(item);
    }
  }

  /** Staking's EndBlock: the set updates, then the maturity queues (`BlockValidatorUpdates`). */
  endBlock(ctx: Context): ValidatorUpdate[] {
    const updates = this.applyAndReturnValidatorSetUpdates(ctx);
    this.unbondAllMatureValidators(ctx);
    const denom = this.bondDenom(ctx);
    for (const [del, val] of this.dequeueMature(
      ctx,
      keys.UnbondingQueuePrefix,
      keys.ubdQueueKey(ctx.header.timeNs),
    )) {
      if (!this.getUnbondingDelegation(ctx, del!, val!)) continue;
      const paid = this.completeUnbonding(ctx, del!, val!);
      ctx.events.emit(ev.EventTypeCompleteUnbonding, [
        [ev.AttributeKeyAmount, paid > 0n ? `${paid}${denom}` : ''],
        [ev.AttributeKeyValidator, addressToBech32(val!, VALOPER_PREFIX)],
        [ev.AttributeKeyDelegator, addressToBech32(del!)],
      ]);
    }
    for (const [del, src, dst] of this.dequeueMature(
      ctx,
      keys.RedelegationQueuePrefix,
      keys.redQueueKey(ctx.header.timeNs),
    )) {
      if (!this.getRedelegation(ctx, del!, src!, dst!)) continue;
      const done = this.completeRedelegation(ctx, del!, src!, dst!);
      ctx.events.emit(ev.EventTypeCompleteRedelegation, [
        [ev.AttributeKeyAmount, done > 0n ? `${done}${denom}` : ''],
        [ev.AttributeKeyDelegator, addressToBech32(del!)],
        [ev.AttributeKeySrcValidator, addressToBech32(src!, VALOPER_PREFIX)],
        [ev.AttributeKeyDstValidator, addressToBech32(dst!, VALOPER_PREFIX)],
      ]);
    }
    return updates;
  }

  // --- genesis import -----------------------------------------------------------------------

  /** Stores a validator from genesis with its indexes; a fresh (non-exported) one runs the creation hook. */
  importValidator(ctx: Context, v: Validator, exported: boolean): void {
    this.setValidator(ctx, v);
    this.setValidatorByConsAddr(ctx, v);
    this.setValidatorByPowerIndex(ctx, v);
    if (!exported) this.afterValidatorCreated(ctx, v.operator);
    if (isUnbonding(v))
      this.insertQueue(ctx, keys.validatorQueueKey(v.unbondingTimeNs, v.unbondingHeight), v.operator);
  }

  importDelegation(ctx: Context, d: Delegation, exported: boolean): void {
    if (!exported) for (const h of this.hooks) h.beforeDelegationCreated?.(ctx, d.delegator, d.validator);
    this.setDelegation(ctx, d);
    if (!exported) for (const h of this.hooks) h.afterDelegationModified?.(ctx, d.delegator, d.validator);
  }

  importUnbondingDelegation(ctx: Context, u: UnbondingDelegation): void {
    this.setUnbondingDelegation(ctx, u);
    for (const e of u.entries)
      this.insertQueue(ctx, keys.ubdQueueKey(e.completionTimeNs), concatLp(u.delegator, u.validator));
  }

  importRedelegation(ctx: Context, r: Redelegation): void {
    this.setRedelegation(ctx, r);
    for (const e of r.entries)
      this.insertQueue(ctx, keys.redQueueKey(e.completionTimeNs), concatLp(r.delegator, r.src, r.dst));
  }

  setLastValidatorPower(ctx: Context, val: Uint8Array, power: bigint): void {
    this.store(ctx).set(keys.lastValidatorPowerKey(val), encodeInt64Value(power));
  }

  // --- historical info ----------------------------------------------------------------------

  /** Records this block's bonded set and prunes entries beyond `historical_entries` (BeginBlock). */
  trackHistoricalInfo(ctx: Context): void {
    const n = BigInt(this.getParams(ctx).historicalEntries);
    const s = this.store(ctx);
    const h = ctx.header.height;
    for (let i = h - n; i >= 0n; i--) {
      const k = keys.historicalInfoKey(i);
      if (!s.has(k)) break;
      s.delete(k);
    }
    if (n === 0n) return;
    const valset = this.bondedValidatorsByPower(ctx).map(validatorToProto);
    const info: HistoricalInfo = {
      header: {
        version: { block: 11n, app: 0n },
        chainId: ctx.header.chainId,
        height: h,
        time: nsToTimestamp(ctx.header.timeNs),
        lastBlockId: { hash: new Uint8Array(), partSetHeader: { total: 0, hash: new Uint8Array() } },
        lastCommitHash: new Uint8Array(),
        dataHash: new Uint8Array(),
        validatorsHash: new Uint8Array(),
        nextValidatorsHash: new Uint8Array(),
        consensusHash: new Uint8Array(),
        appHash: new Uint8Array(),
        lastResultsHash: new Uint8Array(),
        evidenceHash: new Uint8Array(),
        proposerAddress: ctx.header.proposer,
      },
      valset,
    };
    s.set(keys.historicalInfoKey(h), encodeProto(HistoricalInfo, info));
  }

  getHistoricalInfo(ctx: Context, height: bigint): HistoricalInfo | undefined {
    const b = this.store(ctx).get(keys.historicalInfoKey(height));
    return b ? HistoricalInfo.decode(b) : undefined;
  }

  /** Validators sorted by operator address, for deterministic iteration in tests and exports. */
  allValidatorsSorted(ctx: Context): Validator[] {
    return [...this.iterateValidators(ctx)].sort((a, b) => compareBytes(a.operator, b.operator));
  }
}

function lpItem(b: Uint8Array): Uint8Array {
  if (b.length > 255) throw ErrLogic.wrap('queue item too long');
  const out = new Uint8Array(b.length + 1);
  out[0] = b.length;
  out.set(b, 1);
  return out;
}

function concatLp(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(parts.flatMap((p) => [...lpItem(p)]));
}

function splitItems(b: Uint8Array): Uint8Array[] {
  return keys.splitLengthPrefixed(b).map((x) => Uint8Array.from(x));
}
