/**
 * x/distribution genesis (`app_state.distribution`) in the SDK's JSON layout: params, the
 * community pool and, for a restart from an export, every per-validator and per-delegation F1
 * record. Strict as the SDK's: the module account must hold exactly what the records owe.
 */
import { addressFromBech32, addressToBech32, VALCONS_PREFIX, VALOPER_PREFIX } from '../../types/address.js';
import { coinsEqual, coinsToString } from '../../types/coins.js';
import type { Context } from '../../types/context.js';
import { arr, at, GenesisError, obj, str, uint } from '../../types/json.js';
import {
  addDecCoins,
  type DecCoins,
  decFromString,
  decToString,
  truncateDecCoins,
} from '../../types/legacyDec.js';
import type { DistributionKeeper, StartingInfo } from './keeper.js';
import { ModuleName } from './keys.js';
import { type DistrParams, defaultDistrParams, distrParamsFromJson, distrParamsToJson } from './params.js';

interface ValRecord<T> {
  val: Uint8Array;
  value: T;
}

export interface DistrGenesis {
  params: DistrParams;
  communityPool: DecCoins;
  withdrawInfos: { del: Uint8Array; withdraw: Uint8Array }[];
  previousProposer: Uint8Array | undefined;
  outstanding: ValRecord<DecCoins>[];
  commissions: ValRecord<DecCoins>[];
  historical: { val: Uint8Array; period: bigint; ratio: DecCoins; refs: number }[];
  current: { val: Uint8Array; rewards: DecCoins; period: bigint }[];
  startingInfos: { val: Uint8Array; del: Uint8Array; info: StartingInfo }[];
  slashEvents: {
    val: Uint8Array;
    height: bigint;
    period: bigint;
    validatorPeriod: bigint;
    fraction: bigint;
  }[];
}

export const defaultDistrGenesisJson = () => ({
  params: distrParamsToJson(defaultDistrParams()),
  fee_pool: { community_pool: [] },
  delegator_withdraw_infos: [],
  previous_proposer: '',
  outstanding_rewards: [],
  validator_accumulated_commissions: [],
  validator_historical_rewards: [],
  validator_current_rewards: [],
  delegator_starting_infos: [],
  validator_slash_events: [],
});

const decCoinsJson = (c: DecCoins) => c.map((x) => ({ denom: x.denom, amount: decToString(x.amount) }));

function decCoinsFromJson(v: unknown, path: string): DecCoins {
  let out: DecCoins = [];
  arr(v, path, true).forEach((c, i) => {
    const co = obj(c, `${path}[${i}]`);
    const amount = at(`${path}[${i}].amount`, () => decFromString(str(co.amount, `${path}[${i}].amount`)));
    if (amount < 0n) throw new GenesisError(`${path}[${i}].amount`, 'must not be negative');
    out = addDecCoins(out, [{ denom: str(co.denom, `${path}[${i}].denom`), amount }]);
  });
  return out;
}

const valoper = (v: unknown, path: string) => at(path, () => addressFromBech32(str(v, path), VALOPER_PREFIX));
const account = (v: unknown, path: string) => at(path, () => addressFromBech32(str(v, path)));

export function parseDistrGenesis(v: unknown): DistrGenesis {
  const o = obj(v, 'distribution');
  const params = distrParamsFromJson(o.params ?? {}, 'distribution.params');
  const feePool = obj(o.fee_pool ?? {}, 'distribution.fee_pool');
  const list = (field: string) => arr(o[field], `distribution.${field}`, true);
  const proposer = str(o.previous_proposer, 'distribution.previous_proposer', true);
  return {
    params,
    communityPool: decCoinsFromJson(feePool.community_pool, 'distribution.fee_pool.community_pool'),
    withdrawInfos: list('delegator_withdraw_infos').map((x, i) => {
      const p = `distribution.delegator_withdraw_infos[${i}]`;
      const wo = obj(x, p);
      return {
        del: account(wo.delegator_address, `${p}.delegator_address`),
        withdraw: account(wo.withdraw_address, `${p}.withdraw_address`),
      };
    }),
    previousProposer:
      proposer === ''
        ? undefined
        : at('distribution.previous_proposer', () => addressFromBech32(proposer, VALCONS_PREFIX)),
    outstanding: list('outstanding_rewards').map((x, i) => {
      const p = `distribution.outstanding_rewards[${i}]`;
      const r = obj(x, p);
      return {
        val: valoper(r.validator_address, `${p}.validator_address`),
        value: decCoinsFromJson(r.outstanding_rewards, `${p}.outstanding_rewards`),
      };
    }),
    commissions: list('validator_accumulated_commissions').map((x, i) => {
      const p = `distribution.validator_accumulated_commissions[${i}]`;
      const r = obj(x, p);
      const acc = obj(r.accumulated ?? {}, `${p}.accumulated`);
      return {
        val: valoper(r.validator_address, `${p}.validator_address`),
        value: decCoinsFromJson(acc.commission, `${p}.accumulated.commission`),
      };
    }),
    historical: list('validator_historical_rewards').map((x, i) => {
      const p = `distribution.validator_historical_rewards[${i}]`;
      const r = obj(x, p);
      const rw = obj(r.rewards, `${p}.rewards`);
      const refs = uint(rw.reference_count, `${p}.rewards.reference_count`);
      if (refs > 2n)
        throw new GenesisError(`${p}.rewards.reference_count`, 'reference count should never exceed 2');
      return {
        val: valoper(r.validator_address, `${p}.validator_address`),
        period: uint(r.period, `${p}.period`),
        ratio: decCoinsFromJson(rw.cumulative_reward_ratio, `${p}.rewards.cumulative_reward_ratio`),
        refs: Number(refs),
      };
    }),
    current: list('validator_current_rewards').map((x, i) => {
      const p = `distribution.validator_current_rewards[${i}]`;
      const r = obj(x, p);
      const rw = obj(r.rewards, `${p}.rewards`);
      return {
        val: valoper(r.validator_address, `${p}.validator_address`),
        rewards: decCoinsFromJson(rw.rewards, `${p}.rewards.rewards`),
        period: uint(rw.period, `${p}.rewards.period`),
      };
    }),
    startingInfos: list('delegator_starting_infos').map((x, i) => {
      const p = `distribution.delegator_starting_infos[${i}]`;
      const r = obj(x, p);
      const si = obj(r.starting_info, `${p}.starting_info`);
      return {
        val: valoper(r.validator_address, `${p}.validator_address`),
        del: account(r.delegator_address, `${p}.delegator_address`),
        info: {
          previousPeriod: uint(si.previous_period, `${p}.starting_info.previous_period`),
          stake: at(`${p}.starting_info.stake`, () =>
            decFromString(str(si.stake, `${p}.starting_info.stake`)),
          ),
          height: uint(si.height, `${p}.starting_info.height`),
        },
      };
    }),
    slashEvents: list('validator_slash_events').map((x, i) => {
      const p = `distribution.validator_slash_events[${i}]`;
      const r = obj(x, p);
      const e = obj(r.validator_slash_event, `${p}.validator_slash_event`);
      return {
        val: valoper(r.validator_address, `${p}.validator_address`),
        height: uint(r.height, `${p}.height`),
        period: uint(r.period, `${p}.period`),
        validatorPeriod: uint(e.validator_period, `${p}.validator_slash_event.validator_period`),
        fraction: at(`${p}.validator_slash_event.fraction`, () =>
          decFromString(str(e.fraction, `${p}.validator_slash_event.fraction`)),
        ),
      };
    }),
  };
}

export function initDistrGenesis(ctx: Context, k: DistributionKeeper, g: DistrGenesis): void {
  k.setParams(ctx, g.params);
  k.setCommunityPool(ctx, g.communityPool);
  k.ak.getModuleAccount(ctx, ModuleName);
  for (const w of g.withdrawInfos) k.setWithdrawAddrRaw(ctx, w.del, w.withdraw);
  if (g.previousProposer) k.setPreviousProposer(ctx, g.previousProposer);
  let owed = g.communityPool;
  for (const o of g.outstanding) {
    k.setOutstanding(ctx, o.val, o.value);
    owed = addDecCoins(owed, o.value);
  }
  for (const c of g.commissions) k.setCommission(ctx, c.val, c.value);
  for (const h of g.historical)
    k.setHistoricalRewards(ctx, h.val, h.period, { ratio: h.ratio, refs: h.refs });
  for (const c of g.current) k.setCurrentRewards(ctx, c.val, { rewards: c.rewards, period: c.period });
  for (const s of g.startingInfos) k.setStartingInfo(ctx, s.val, s.del, s.info);
  for (const e of g.slashEvents) k.setSlashEvent(ctx, e.val, e.height, e.period, e);
  const { coins, change } = truncateDecCoins(owed);
  const balance = k.bank.getAllBalances(ctx, k.ak.moduleAddress(ModuleName));
  if (change.length > 0 || !coinsEqual(coins, balance))
    throw new GenesisError(
      'distribution',
      `distribution module balance ${coinsToString(balance)} does not match the module holdings ${coinsToString(coins)}`,
    );
}

export function exportDistrGenesis(ctx: Context, k: DistributionKeeper) {
  const vo = (v: Uint8Array) => addressToBech32(v, VALOPER_PREFIX);
  const proposer = k.getPreviousProposer(ctx);
  return {
    params: distrParamsToJson(k.getParams(ctx)),
    fee_pool: { community_pool: decCoinsJson(k.getCommunityPool(ctx)) },
    delegator_withdraw_infos: [...k.iterateWithdrawAddrs(ctx)].map((w) => ({
      delegator_address: addressToBech32(w.del),
      withdraw_address: addressToBech32(w.withdraw),
    })),
    previous_proposer: proposer && proposer.length > 0 ? addressToBech32(proposer, VALCONS_PREFIX) : '',
    outstanding_rewards: [...k.iterateOutstanding(ctx)].map((o) => ({
      validator_address: vo(o.val),
      outstanding_rewards: decCoinsJson(o.rewards),
    })),
    validator_accumulated_commissions: [...k.iterateCommissions(ctx)].map((c) => ({
      validator_address: vo(c.val),
      accumulated: { commission: decCoinsJson(c.commission) },
    })),
    validator_historical_rewards: [...k.iterateHistoricalRewardsFull(ctx)].map((h) => ({
      validator_address: vo(h.val),
      period: h.period.toString(),
      rewards: { cumulative_reward_ratio: decCoinsJson(h.ratio), reference_count: h.refs },
    })),
    validator_current_rewards: [...k.iterateCurrentRewards(ctx)].map((c) => ({
      validator_address: vo(c.val),
      rewards: { rewards: decCoinsJson(c.rewards), period: c.period.toString() },
    })),
    delegator_starting_infos: [...k.iterateStartingInfos(ctx)].map((s) => ({
      delegator_address: addressToBech32(s.del),
      validator_address: vo(s.val),
      starting_info: {
        previous_period: s.info.previousPeriod.toString(),
        stake: decToString(s.info.stake),
        height: s.info.height.toString(),
      },
    })),
    validator_slash_events: [...k.iterateSlashEvents(ctx)].map((e) => ({
      validator_address: vo(e.val),
      height: e.height.toString(),
      period: e.period.toString(),
      validator_slash_event: {
        validator_period: e.validatorPeriod.toString(),
        fraction: decToString(e.fraction),
      },
    })),
  };
}
