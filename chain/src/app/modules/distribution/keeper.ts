/**
 * x/distribution keeper (Cosmos SDK v0.50 x/distribution/keeper) with F1 fee distribution
 * (Ojha, "F1 Fee Distribution"): each validator keeps a running sum of reward per token
 * ("cumulative reward ratio") indexed by period; a delegation remembers the period and stake it
 * started with, and its rewards are stake × (ratio now − ratio then), with the stake reduced at
 * each slash event in between. Amounts owed are tracked as DecCoins so that nothing is lost to
 * rounding; fractional dust goes to the community pool when coins leave the module.
 */
import {
  DelegatorStartingInfo,
  FeePool,
  Params,
  ValidatorAccumulatedCommission,
  ValidatorCurrentRewards,
  ValidatorHistoricalRewards,
  ValidatorOutstandingRewards,
  ValidatorSlashEvent,
} from 'cosmjs-types/cosmos/distribution/v1beta1/distribution';
import type { VoteInfo } from 'cosmjs-types/tendermint/abci/types';
import { BlockIDFlag } from 'cosmjs-types/tendermint/types/validator';
import { encodeProto } from '../../../codec/protoWriter.js';
import { addressToBech32, VALOPER_PREFIX } from '../../types/address.js';
import { type Coins, coinsToString } from '../../types/coins.js';
import type { Context } from '../../types/context.js';
import { DEC_ONE } from '../../types/decimal.js';
import { ErrLogic, ErrUnauthorized } from '../../types/errors.js';
import { prefixIterator, readU64BE } from '../../types/keys.js';
import {
  addDecCoins,
  type DecCoins,
  decCoinsFromCoins,
  decCoinsFromProto,
  decCoinsToProto,
  decCoinsToString,
  decFromInt,
  decFromProto,
  decMulTrunc,
  decToProto,
  intersectDecCoins,
  isZeroDecCoins,
  mulDecCoins,
  mulDecCoinsTrunc,
  quoDecCoinsTrunc,
  subDecCoins,
  truncateDecCoins,
} from '../../types/legacyDec.js';
import { FeeCollectorName } from '../auth/keys.js';
import type { StakingHooks } from '../staking/expectedKeepers.js';
import {
  type Delegation,
  tokensFromShares,
  tokensFromSharesTruncated,
  type Validator,
} from '../staking/types.js';
import {
  ErrEmptyDelegationDistInfo,
  ErrNoValidatorCommission,
  ErrNoValidatorDistInfo,
  ErrSetWithdrawAddrDisabled,
} from './errors.js';
import * as ev from './events.js';
import type { DistrAccountKeeper, DistrBankKeeper, DistrStakingKeeper } from './expectedKeepers.js';
import * as keys from './keys.js';
import { type DistrParams, distrParamsFromProto, distrParamsToProto } from './params.js';

export interface StartingInfo {
  previousPeriod: bigint;
  stake: bigint;
  height: bigint;
}

export interface SlashEvent {
  height: bigint;
  validatorPeriod: bigint;
  fraction: bigint;
}

const SMALLEST_DEC_TIMES_3 = 3n;

/** Whether a vote of the last commit counts as having signed (commit or nil precommit). */
export const voteSigned = (v: VoteInfo) =>
  v.blockIdFlag !== BlockIDFlag.BLOCK_ID_FLAG_ABSENT && v.blockIdFlag !== BlockIDFlag.BLOCK_ID_FLAG_UNKNOWN;

export class DistributionKeeper {
  constructor(
    readonly ak: DistrAccountKeeper,
    readonly bank: DistrBankKeeper,
    readonly staking: DistrStakingKeeper,
  ) {}

  private store(ctx: Context) {
    return ctx.kvStore(keys.StoreKey);
  }

  // --- params, fee pool, withdraw addresses -------------------------------------------------

  getParams(ctx: Context): DistrParams {
    const b = this.store(ctx).get(keys.ParamsKey);
    if (!b) throw ErrLogic.wrap('distribution params are not set');
    return distrParamsFromProto(Params.decode(b));
  }

  setParams(ctx: Context, p: DistrParams): void {
    this.store(ctx).set(keys.ParamsKey, encodeProto(Params, distrParamsToProto(p)));
  }

  getCommunityPool(ctx: Context): DecCoins {
    const b = this.store(ctx).get(keys.FeePoolKey);
    return b ? decCoinsFromProto(FeePool.decode(b).communityPool) : [];
  }

  setCommunityPool(ctx: Context, pool: DecCoins): void {
    this.store(ctx).set(keys.FeePoolKey, encodeProto(FeePool, { communityPool: decCoinsToProto(pool) }));
  }

  private addToCommunityPool(ctx: Context, amount: DecCoins): void {
    if (amount.length === 0) return;
    this.setCommunityPool(ctx, addDecCoins(this.getCommunityPool(ctx), amount));
  }

  getWithdrawAddr(ctx: Context, del: Uint8Array): Uint8Array {
    return this.store(ctx).get(keys.withdrawAddrKey(del)) ?? del;
  }

  setWithdrawAddr(ctx: Context, del: Uint8Array, withdraw: Uint8Array): void {
    if (this.ak.isModuleAddress(withdraw))
      throw ErrUnauthorized.wrap(`${addressToBech32(withdraw)} is not allowed to receive external funds`);
    if (!this.getParams(ctx).withdrawAddrEnabled) throw ErrSetWithdrawAddrDisabled;
    ctx.events.emit(ev.EventTypeSetWithdrawAddress, [
      [ev.AttributeKeyWithdrawAddress, addressToBech32(withdraw)],
    ]);
    this.store(ctx).set(keys.withdrawAddrKey(del), withdraw);
  }

  *iterateWithdrawAddrs(ctx: Context): Generator<{ del: Uint8Array; withdraw: Uint8Array }> {
    for (const [k, v] of prefixIterator(this.store(ctx), keys.DelegatorWithdrawAddrPrefix))
      yield { del: Uint8Array.from(k.subarray(1, 1 + k[0]!)), withdraw: Uint8Array.from(v) };
  }

  getPreviousProposer(ctx: Context): Uint8Array | undefined {
    return this.store(ctx).get(keys.ProposerKey);
  }

  // --- per-validator records ----------------------------------------------------------------

  getOutstanding(ctx: Context, val: Uint8Array): DecCoins {
    const b = this.store(ctx).get(keys.outstandingKey(val));
    return b ? decCoinsFromProto(ValidatorOutstandingRewards.decode(b).rewards) : [];
  }

  setOutstanding(ctx: Context, val: Uint8Array, rewards: DecCoins): void {
    this.store(ctx).set(
      keys.outstandingKey(val),
      encodeProto(ValidatorOutstandingRewards, { rewards: decCoinsToProto(rewards) }),
    );
  }

  *iterateOutstanding(ctx: Context): Generator<{ val: Uint8Array; rewards: DecCoins }> {
    for (const [k, v] of prefixIterator(this.store(ctx), keys.ValidatorOutstandingRewardsPrefix))
      yield {
        val: Uint8Array.from(k.subarray(1, 1 + k[0]!)),
        rewards: decCoinsFromProto(ValidatorOutstandingRewards.decode(v).rewards),
      };
  }

  getCommission(ctx: Context, val: Uint8Array): DecCoins {
    const b = this.store(ctx).get(keys.commissionKey(val));
    return b ? decCoinsFromProto(ValidatorAccumulatedCommission.decode(b).commission) : [];
  }

  setCommission(ctx: Context, val: Uint8Array, c: DecCoins): void {
    this.store(ctx).set(
      keys.commissionKey(val),
      encodeProto(ValidatorAccumulatedCommission, { commission: decCoinsToProto(c) }),
    );
  }

  getCurrentRewards(ctx: Context, val: Uint8Array): { rewards: DecCoins; period: bigint } | undefined {
    const b = this.store(ctx).get(keys.currentRewardsKey(val));
    if (!b) return undefined;
    const p = ValidatorCurrentRewards.decode(b);
    return { rewards: decCoinsFromProto(p.rewards), period: p.period };
  }

  setCurrentRewards(ctx: Context, val: Uint8Array, r: { rewards: DecCoins; period: bigint }): void {
    this.store(ctx).set(
      keys.currentRewardsKey(val),
      encodeProto(ValidatorCurrentRewards, { rewards: decCoinsToProto(r.rewards), period: r.period }),
    );
  }

  getHistoricalRewards(
    ctx: Context,
    val: Uint8Array,
    period: bigint,
  ): { ratio: DecCoins; refs: number } | undefined {
    const b = this.store(ctx).get(keys.historicalRewardsKey(val, period));
    if (!b) return undefined;
    const p = ValidatorHistoricalRewards.decode(b);
    return { ratio: decCoinsFromProto(p.cumulativeRewardRatio), refs: p.referenceCount };
  }

  setHistoricalRewards(
    ctx: Context,
    val: Uint8Array,
    period: bigint,
    h: { ratio: DecCoins; refs: number },
  ): void {
    this.store(ctx).set(
      keys.historicalRewardsKey(val, period),
      encodeProto(ValidatorHistoricalRewards, {
        cumulativeRewardRatio: decCoinsToProto(h.ratio),
        referenceCount: h.refs,
      }),
    );
  }

  *iterateHistoricalRewards(ctx: Context): Generator<{ val: Uint8Array; period: bigint; refs: number }> {
    for (const [k, v] of prefixIterator(this.store(ctx), keys.ValidatorHistoricalRewardsPrefix)) {
      const len = k[0]!;
      const period = new DataView(k.buffer, k.byteOffset + 1 + len, 8).getBigUint64(0, true);
      yield {
        val: Uint8Array.from(k.subarray(1, 1 + len)),
        period,
        refs: ValidatorHistoricalRewards.decode(v).referenceCount,
      };
    }
  }

  private mustHistorical(ctx: Context, val: Uint8Array, period: bigint) {
    const h = this.getHistoricalRewards(ctx, val, period);
    if (!h)
      throw ErrLogic.wrap(
        `historical rewards for period ${period} of ${addressToBech32(val, VALOPER_PREFIX)} missing`,
      );
    return h;
  }

  private incrementReferenceCount(ctx: Context, val: Uint8Array, period: bigint): void {
    const h = this.mustHistorical(ctx, val, period);
    if (h.refs > 2) throw ErrLogic.wrap('reference count should never exceed 2');
    this.setHistoricalRewards(ctx, val, period, { ...h, refs: h.refs + 1 });
  }

  private decrementReferenceCount(ctx: Context, val: Uint8Array, period: bigint): void {
    const h = this.mustHistorical(ctx, val, period);
    if (h.refs === 0) throw ErrLogic.wrap('cannot set negative reference count');
    if (h.refs === 1) this.store(ctx).delete(keys.historicalRewardsKey(val, period));
    else this.setHistoricalRewards(ctx, val, period, { ...h, refs: h.refs - 1 });
  }

  getStartingInfo(ctx: Context, val: Uint8Array, del: Uint8Array): StartingInfo | undefined {
    const b = this.store(ctx).get(keys.startingInfoKey(val, del));
    if (!b) return undefined;
    const p = DelegatorStartingInfo.decode(b);
    return { previousPeriod: p.previousPeriod, stake: decFromProto(p.stake), height: p.height };
  }

  setStartingInfo(ctx: Context, val: Uint8Array, del: Uint8Array, s: StartingInfo): void {
    this.store(ctx).set(
      keys.startingInfoKey(val, del),
      encodeProto(DelegatorStartingInfo, {
        previousPeriod: s.previousPeriod,
        stake: decToProto(s.stake),
        height: s.height,
      }),
    );
  }

  *slashEventsBetween(ctx: Context, val: Uint8Array, from: bigint, to: bigint): Generator<SlashEvent> {
    const s = this.store(ctx);
    const start = keys.slashEventHeightPrefix(val, from);
    const end = keys.slashEventHeightPrefix(val, to + 1n);
    const plen = keys.slashEventsPrefix(val).length;
    for (const [k, v] of s.iterator(start, end)) {
      const e = ValidatorSlashEvent.decode(v);
      yield {
        height: readU64BE(k, plen),
        validatorPeriod: e.validatorPeriod,
        fraction: decFromProto(e.fraction),
      };
    }
  }

  countSlashEvents(ctx: Context): number {
    let n = 0;
    for (const _ of prefixIterator(this.store(ctx), keys.ValidatorSlashEventPrefix)) n++;
    return n;
  }

  countStartingInfos(ctx: Context): number {
    let n = 0;
    for (const _ of prefixIterator(this.store(ctx), keys.DelegatorStartingInfoPrefix)) n++;
    return n;
  }

  // --- iteration for export ---------------------------------------------------------------

  private *iterateLp<T>(
    ctx: Context,
    prefix: Uint8Array,
    decode: (rest: Uint8Array, v: Uint8Array, val: Uint8Array) => T,
  ) {
    for (const [k, v] of prefixIterator(this.store(ctx), prefix)) {
      const val = Uint8Array.from(k.subarray(1, 1 + k[0]!));
      yield decode(k.subarray(1 + k[0]!), v, val);
    }
  }

  iterateCommissions(ctx: Context) {
    return this.iterateLp(ctx, keys.ValidatorAccumulatedCommissionPrefix, (_r, v, val) => ({
      val,
      commission: decCoinsFromProto(ValidatorAccumulatedCommission.decode(v).commission),
    }));
  }

  iterateCurrentRewards(ctx: Context) {
    return this.iterateLp(ctx, keys.ValidatorCurrentRewardsPrefix, (_r, v, val) => {
      const p = ValidatorCurrentRewards.decode(v);
      return { val, rewards: decCoinsFromProto(p.rewards), period: p.period };
    });
  }

  iterateHistoricalRewardsFull(ctx: Context) {
    return this.iterateLp(ctx, keys.ValidatorHistoricalRewardsPrefix, (rest, v, val) => {
      const p = ValidatorHistoricalRewards.decode(v);
      const period = new DataView(rest.buffer, rest.byteOffset, 8).getBigUint64(0, true);
      return { val, period, ratio: decCoinsFromProto(p.cumulativeRewardRatio), refs: p.referenceCount };
    });
  }

  iterateStartingInfos(ctx: Context) {
    return this.iterateLp(ctx, keys.DelegatorStartingInfoPrefix, (rest, v, val) => {
      const p = DelegatorStartingInfo.decode(v);
      return {
        val,
        del: Uint8Array.from(rest.subarray(1, 1 + rest[0]!)),
        info: { previousPeriod: p.previousPeriod, stake: decFromProto(p.stake), height: p.height },
      };
    });
  }

  iterateSlashEvents(ctx: Context) {
    return this.iterateLp(ctx, keys.ValidatorSlashEventPrefix, (rest, v, val) => {
      const e = ValidatorSlashEvent.decode(v);
      return {
        val,
        height: readU64BE(rest, 0),
        period: readU64BE(rest, 8),
        validatorPeriod: e.validatorPeriod,
        fraction: decFromProto(e.fraction),
      };
    });
  }

  setSlashEvent(
    ctx: Context,
    val: Uint8Array,
    height: bigint,
    period: bigint,
    e: { validatorPeriod: bigint; fraction: bigint },
  ): void {
    this.store(ctx).set(
      keys.slashEventKey(val, height, period),
      encodeProto(ValidatorSlashEvent, {
        validatorPeriod: e.validatorPeriod,
        fraction: decToProto(e.fraction),
      }),
    );
  }

  setPreviousProposer(ctx: Context, cons: Uint8Array): void {
    this.store(ctx).set(keys.ProposerKey, cons);
  }

  setWithdrawAddrRaw(ctx: Context, del: Uint8Array, withdraw: Uint8Array): void {
    this.store(ctx).set(keys.withdrawAddrKey(del), withdraw);
  }

  // --- F1 -----------------------------------------------------------------------------------

  initializeValidator(ctx: Context, val: Uint8Array): void {
    this.setHistoricalRewards(ctx, val, 0n, { ratio: [], refs: 1 });
    this.setCurrentRewards(ctx, val, { rewards: [], period: 1n });
    this.setCommission(ctx, val, []);
    this.setOutstanding(ctx, val, []);
  }

  /** Ends the validator's current period; returns the period just ended (`IncrementValidatorPeriod`). */
  incrementValidatorPeriod(ctx: Context, v: Validator): bigint {
    const cur = this.getCurrentRewards(ctx, v.operator);
    if (!cur) throw ErrLogic.wrap('validator current rewards missing');
    let current: DecCoins;
    if (v.tokens === 0n) {
      // Nobody to pay: the rewards go to the community pool.
      this.addToCommunityPool(ctx, cur.rewards);
      current = [];
    } else {
      current = quoDecCoinsTrunc(cur.rewards, decFromInt(v.tokens));
    }
    const prev = this.mustHistorical(ctx, v.operator, cur.period - 1n);
    this.decrementReferenceCount(ctx, v.operator, cur.period - 1n);
    this.setHistoricalRewards(ctx, v.operator, cur.period, {
      ratio: addDecCoins(prev.ratio, current),
      refs: 1,
    });
    this.setCurrentRewards(ctx, v.operator, { rewards: [], period: cur.period + 1n });
    return cur.period;
  }

  /** The ratio the current period would end at, without ending it (for queries). */
  private virtualEndingRatio(ctx: Context, v: Validator): DecCoins {
    const cur = this.getCurrentRewards(ctx, v.operator);
    if (!cur) throw ErrLogic.wrap('validator current rewards missing');
    const prev = this.mustHistorical(ctx, v.operator, cur.period - 1n);
    if (v.tokens === 0n) return prev.ratio;
    return addDecCoins(prev.ratio, quoDecCoinsTrunc(cur.rewards, decFromInt(v.tokens)));
  }

  private initializeDelegation(ctx: Context, val: Uint8Array, del: Uint8Array): void {
    const cur = this.getCurrentRewards(ctx, val);
    const v = this.staking.getValidator(ctx, val);
    const d = this.staking.getDelegation(ctx, del, val);
    if (!cur || !v || !d) throw ErrLogic.wrap('initializing a delegation without validator or delegation');
    const previousPeriod = cur.period - 1n;
    this.incrementReferenceCount(ctx, val, previousPeriod);
    const stake = tokensFromSharesTruncated(v, d.shares);
    this.setStartingInfo(ctx, val, del, { previousPeriod, stake, height: ctx.header.height });
  }

  private rewardsBetween(ratioStart: DecCoins, ratioEnd: DecCoins, stake: bigint): DecCoins {
    if (stake < 0n) throw ErrLogic.wrap('stake should not be negative');
    const diff = subDecCoins(ratioEnd, ratioStart);
    return mulDecCoinsTrunc(diff, stake);
  }

  /**
   * Rewards of a delegation from its starting period up to a period whose ratio is `endRatio`
   * (`CalculateDelegationRewards`), iterating the slash events in between.
   */
  private calculateRewards(ctx: Context, v: Validator, d: Delegation, endRatio: DecCoins): DecCoins {
    const info = this.getStartingInfo(ctx, v.operator, d.delegator);
    if (!info || info.stake === 0n) return [];
    let startPeriod = info.previousPeriod;
    let stake = info.stake;
    let rewards: DecCoins = [];
    // The SDK only looks when the current height is above the starting height; but a delegation
    // can be re-initialised in BeginBlock (a redelegation slash unbonds from the destination)
    // and its validator slashed later in the same BeginBlock. Events at the starting height are
    // safe to include: one recorded before the delegation started has a period <= its start.
    if (ctx.header.height >= info.height) {
      for (const e of this.slashEventsBetween(ctx, v.operator, info.height, ctx.header.height)) {
        if (e.validatorPeriod > startPeriod) {
          rewards = addDecCoins(
            rewards,
            this.rewardsBetween(
              this.mustHistorical(ctx, v.operator, startPeriod).ratio,
              this.mustHistorical(ctx, v.operator, e.validatorPeriod).ratio,
              stake,
            ),
          );
          stake = decMulTrunc(stake, DEC_ONE - e.fraction);
          startPeriod = e.validatorPeriod;
        }
      }
    }
    // Rounding in the exchange rate can leave the tracked stake a hair above the real one;
    // the SDK tolerates 3e-18 and so do we, capping at the real stake either way.
    const currentStake = v.delegatorShares > 0n ? tokensFromShares(v, d.shares) : 0n;
    if (stake > currentStake) {
      if (stake > currentStake + SMALLEST_DEC_TIMES_3) {
        this.stakeOvershoots++;
        this.lastOvershoot = {
          height: ctx.header.height,
          tracked: stake,
          actual: currentStake,
          info,
          val: v.operator,
          del: d.delegator,
        };
      }
      stake = currentStake;
    }
    return addDecCoins(
      rewards,
      this.rewardsBetween(this.mustHistorical(ctx, v.operator, startPeriod).ratio, endRatio, stake),
    );
  }

  /** Counts tracked stakes that exceeded the real stake by more than the SDK's margin (a bug indicator for tests). */
  stakeOvershoots = 0;
  lastOvershoot:
    | {
        height: bigint;
        tracked: bigint;
        actual: bigint;
        info: StartingInfo;
        val: Uint8Array;
        del: Uint8Array;
      }
    | undefined;

  /** Rewards accrued so far, without side effects (queries). */
  delegationRewards(ctx: Context, v: Validator, d: Delegation): DecCoins {
    return this.calculateRewards(ctx, v, d, this.virtualEndingRatio(ctx, v));
  }

  /** Pays a delegation's rewards to its withdraw address (`withdrawDelegationRewards`). */
  withdrawDelegationRewards(ctx: Context, v: Validator, d: Delegation): Coins {
    const info = this.getStartingInfo(ctx, v.operator, d.delegator);
    if (!info) throw ErrEmptyDelegationDistInfo;
    const endingPeriod = this.incrementValidatorPeriod(ctx, v);
    const raw = this.calculateRewards(ctx, v, d, this.mustHistorical(ctx, v.operator, endingPeriod).ratio);
    const outstanding = this.getOutstanding(ctx, v.operator);
    // Never pay more than the validator holds (rounding could otherwise overdraw it).
    const rewards = intersectDecCoins(raw, outstanding);
    const { coins, change } = truncateDecCoins(rewards);
    if (coins.length > 0)
      this.bank.sendCoinsFromModuleToAccount(
        ctx,
        keys.ModuleName,
        this.getWithdrawAddr(ctx, d.delegator),
        coins,
      );
    this.setOutstanding(ctx, v.operator, subDecCoins(outstanding, rewards));
    this.addToCommunityPool(ctx, change);
    this.decrementReferenceCount(ctx, v.operator, info.previousPeriod);
    this.store(ctx).delete(keys.startingInfoKey(v.operator, d.delegator));
    ctx.events.emit(ev.EventTypeWithdrawRewards, [
      [ev.AttributeKeyAmount, coinsToString(coins)],
      [ev.AttributeKeyValidator, addressToBech32(v.operator, VALOPER_PREFIX)],
      [ev.AttributeKeyDelegator, addressToBech32(d.delegator)],
    ]);
    return coins;
  }

  /** Withdraws rewards and restarts the delegation's tracking (MsgWithdrawDelegatorReward). */
  withdrawDelegatorReward(ctx: Context, del: Uint8Array, val: Uint8Array): Coins {
    const v = this.staking.getValidator(ctx, val);
    if (!v) throw ErrNoValidatorDistInfo;
    const d = this.staking.getDelegation(ctx, del, val);
    if (!d) throw ErrEmptyDelegationDistInfo;
    const coins = this.withdrawDelegationRewards(ctx, v, d);
    this.initializeDelegation(ctx, val, del);
    return coins;
  }

  withdrawValidatorCommission(ctx: Context, val: Uint8Array): Coins {
    const commission = this.getCommission(ctx, val);
    if (isZeroDecCoins(commission)) throw ErrNoValidatorCommission;
    const { coins, change } = truncateDecCoins(commission);
    this.setCommission(ctx, val, change);
    this.setOutstanding(ctx, val, subDecCoins(this.getOutstanding(ctx, val), decCoinsFromCoins(coins)));
    if (coins.length > 0)
      this.bank.sendCoinsFromModuleToAccount(ctx, keys.ModuleName, this.getWithdrawAddr(ctx, val), coins);
    ctx.events.emit(ev.EventTypeWithdrawCommission, [[ev.AttributeKeyAmount, coinsToString(coins)]]);
    return coins;
  }

  fundCommunityPool(ctx: Context, amount: Coins, depositor: Uint8Array): void {
    this.bank.sendCoinsFromAccountToModule(ctx, depositor, keys.ModuleName, amount);
    this.addToCommunityPool(ctx, decCoinsFromCoins(amount));
  }

  // --- allocation ---------------------------------------------------------------------------

  allocateTokensToValidator(ctx: Context, v: Validator, tokens: DecCoins): void {
    const commission = mulDecCoins(tokens, v.commission.rate);
    const shared = subDecCoins(tokens, commission);
    const valText = addressToBech32(v.operator, VALOPER_PREFIX);
    ctx.events.emit(ev.EventTypeCommission, [
      [ev.AttributeKeyAmount, decCoinsToString(commission)],
      [ev.AttributeKeyValidator, valText],
    ]);
    this.setCommission(ctx, v.operator, addDecCoins(this.getCommission(ctx, v.operator), commission));
    const cur = this.getCurrentRewards(ctx, v.operator);
    if (!cur) throw ErrLogic.wrap('validator current rewards missing');
    this.setCurrentRewards(ctx, v.operator, {
      rewards: addDecCoins(cur.rewards, shared),
      period: cur.period,
    });
    ctx.events.emit(ev.EventTypeRewards, [
      [ev.AttributeKeyAmount, decCoinsToString(tokens)],
      [ev.AttributeKeyValidator, valText],
    ]);
    this.setOutstanding(ctx, v.operator, addDecCoins(this.getOutstanding(ctx, v.operator), tokens));
  }

  /**
   * Moves everything in the fee collector to this module and splits it: the community tax,
   * then each signer of the previous block by its share of the signing power (`AllocateTokens`).
   */
  allocateTokens(ctx: Context, votes: readonly VoteInfo[]): void {
    const feeCollector = this.ak.moduleAddress(FeeCollectorName);
    const collectedInt = this.bank.getAllBalances(ctx, feeCollector);
    if (collectedInt.length > 0)
      this.bank.sendCoinsFromModuleToModule(ctx, FeeCollectorName, keys.ModuleName, collectedInt);
    const collected = decCoinsFromCoins(collectedInt);
    const signers = votes.filter(voteSigned);
    let totalPower = 0n;
    for (const v of signers) totalPower += v.validator.power;
    if (totalPower <= 0n) {
      this.addToCommunityPool(ctx, collected);
      return;
    }
    let remaining = collected;
    const voteMultiplier = DEC_ONE - this.getParams(ctx).communityTax;
    const feeMultiplier = mulDecCoinsTrunc(collected, voteMultiplier);
    for (const vote of signers) {
      const v = this.staking.getValidatorByConsAddr(ctx, vote.validator.address);
      if (!v) continue; // its share stays in `remaining` and goes to the community pool
      const fraction = (decFromInt(vote.validator.power) * DEC_ONE) / decFromInt(totalPower);
      const reward = mulDecCoinsTrunc(feeMultiplier, fraction);
      this.allocateTokensToValidator(ctx, v, reward);
      remaining = subDecCoins(remaining, reward);
    }
    this.addToCommunityPool(ctx, remaining);
  }

  /**
   * Distribution's BeginBlock: allocate the previous block's fees by `decided_last_commit`
   * votes (from height 2 on, as the SDK), then remember this block's proposer.
   */
  beginBlock(ctx: Context, votes: readonly VoteInfo[]): void {
    if (ctx.header.height > 1n) this.allocateTokens(ctx, votes);
    this.store(ctx).set(keys.ProposerKey, ctx.header.proposer);
  }

  // --- staking hooks ------------------------------------------------------------------------

  hooks(): StakingHooks {
    return {
      afterValidatorCreated: (ctx, val) => this.initializeValidator(ctx, val),
      afterValidatorRemoved: (ctx, _cons, val) => this.afterValidatorRemoved(ctx, val),
      beforeDelegationCreated: (ctx, _del, val) => {
        const v = this.staking.getValidator(ctx, val);
        if (v) this.incrementValidatorPeriod(ctx, v);
      },
      beforeDelegationSharesModified: (ctx, del, val) => {
        const v = this.staking.getValidator(ctx, val);
        const d = this.staking.getDelegation(ctx, del, val);
        if (v && d) this.withdrawDelegationRewards(ctx, v, d);
      },
      afterDelegationModified: (ctx, del, val) => this.initializeDelegation(ctx, val, del),
      beforeValidatorSlashed: (ctx, val, fraction) => this.updateValidatorSlashFraction(ctx, val, fraction),
    };
  }

  private afterValidatorRemoved(ctx: Context, val: Uint8Array): void {
    let outstanding = this.getOutstanding(ctx, val);
    const commission = this.getCommission(ctx, val);
    if (!isZeroDecCoins(commission)) {
      outstanding = subDecCoins(outstanding, commission);
      const { coins, change } = truncateDecCoins(commission);
      this.addToCommunityPool(ctx, change);
      if (coins.length > 0)
        this.bank.sendCoinsFromModuleToAccount(ctx, keys.ModuleName, this.getWithdrawAddr(ctx, val), coins);
    }
    this.addToCommunityPool(ctx, outstanding);
    const s = this.store(ctx);
    s.delete(keys.outstandingKey(val));
    s.delete(keys.commissionKey(val));
    s.delete(keys.currentRewardsKey(val));
    for (const prefix of [keys.slashEventsPrefix(val), keys.historicalRewardsPrefix(val)]) {
      const doomed = [...prefixIterator(s, prefix)].map(([, , k]) => Uint8Array.from(k));
      for (const k of doomed) s.delete(k);
    }
  }

  private updateValidatorSlashFraction(ctx: Context, val: Uint8Array, fraction: bigint): void {
    if (fraction < 0n || fraction > DEC_ONE)
      throw ErrLogic.wrap(`fraction must be >=0 and <=1, current fraction: ${fraction}`);
    const v = this.staking.getValidator(ctx, val);
    if (!v) throw ErrLogic.wrap('slashing a validator that does not exist');
    const newPeriod = this.incrementValidatorPeriod(ctx, v);
    this.incrementReferenceCount(ctx, val, newPeriod);
    this.store(ctx).set(
      keys.slashEventKey(val, ctx.header.height, newPeriod),
      encodeProto(ValidatorSlashEvent, { validatorPeriod: newPeriod, fraction: decToProto(fraction) }),
    );
  }
}
