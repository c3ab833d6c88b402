/**
 * x/mint keeper (Cosmos SDK v0.50 x/mint): every block, inflation moves toward the goal bonded
 * ratio, annual provisions are recomputed from the staking token supply, and one block's
 * provision is minted into the fee collector for x/distribution to allocate.
 */
import { Minter, Params } from 'cosmjs-types/cosmos/mint/v1beta1/mint';
import { encodeProto } from '../../../codec/protoWriter.js';
import type { Context } from '../../types/context.js';
import { DEC_ONE } from '../../types/decimal.js';
import { ErrLogic } from '../../types/errors.js';
import {
  decFromInt,
  decMul,
  decMulInt,
  decQuo,
  decQuoInt,
  decToString,
  truncateInt,
} from '../../types/legacyDec.js';
import { FeeCollectorName } from '../auth/keys.js';
import * as ev from './events.js';
import type { MintBankKeeper, MintStakingKeeper } from './expectedKeepers.js';
import { MinterKey, ModuleName, ParamsKey, StoreKey } from './keys.js';
import {
  type MinterState,
  type MintParams,
  minterFromProto,
  minterToProto,
  mintParamsFromProto,
  mintParamsToProto,
} from './params.js';

/** `Minter.NextInflationRate`: adjusts by (1 - bonded/goal) × rate change per year, per block. */
export function nextInflationRate(m: MinterState, p: MintParams, bondedRatio: bigint): bigint {
  const perYear = decMul(DEC_ONE - decQuo(bondedRatio, p.goalBonded), p.inflationRateChange);
  const perBlock = decQuo(perYear, decFromInt(p.blocksPerYear));
  let inflation = m.inflation + perBlock;
  if (inflation > p.inflationMax) inflation = p.inflationMax;
  if (inflation < p.inflationMin) inflation = p.inflationMin;
  return inflation;
}

/** `Minter.NextAnnualProvisions`. */
export const nextAnnualProvisions = (m: MinterState, supply: bigint): bigint =>
  decMulInt(m.inflation, supply);

/** `Minter.BlockProvision`: the whole tokens of one block's share of the annual provisions. */
export const blockProvision = (m: MinterState, p: MintParams): bigint =>
  truncateInt(decQuoInt(m.annualProvisions, p.blocksPerYear));

export class MintKeeper {
  constructor(
    private readonly staking: MintStakingKeeper,
    private readonly bank: MintBankKeeper,
  ) {}

  getParams(ctx: Context): MintParams {
    const b = ctx.kvStore(StoreKey).get(ParamsKey);
    if (!b) throw ErrLogic.wrap('mint params are not set');
    return mintParamsFromProto(Params.decode(b));
  }

  setParams(ctx: Context, p: MintParams): void {
    ctx.kvStore(StoreKey).set(ParamsKey, encodeProto(Params, mintParamsToProto(p)));
  }

  getMinter(ctx: Context): MinterState {
    const b = ctx.kvStore(StoreKey).get(MinterKey);
    if (!b) throw ErrLogic.wrap('minter is not set');
    return minterFromProto(Minter.decode(b));
  }

  setMinter(ctx: Context, m: MinterState): void {
    ctx.kvStore(StoreKey).set(MinterKey, encodeProto(Minter, minterToProto(m)));
  }

  /** Mint's BeginBlock. Returns the amount minted. */
  beginBlock(ctx: Context): bigint {
    const params = this.getParams(ctx);
    const minter = this.getMinter(ctx);
    const supply = this.staking.stakingTokenSupply(ctx);
    const bondedRatio = this.staking.bondedRatio(ctx);
    minter.inflation = nextInflationRate(minter, params, bondedRatio);
    minter.annualProvisions = nextAnnualProvisions(minter, supply);
    this.setMinter(ctx, minter);
    const amount = blockProvision(minter, params);
    if (amount > 0n) {
      const coins = [{ denom: params.mintDenom, amount }];
      this.bank.mintCoins(ctx, ModuleName, coins);
      this.bank.sendCoinsFromModuleToModule(ctx, ModuleName, FeeCollectorName, coins);
    }
    ctx.events.emit(ev.EventTypeMint, [
      [ev.AttributeKeyBondedRatio, decToString(bondedRatio)],
      [ev.AttributeKeyInflation, decToString(minter.inflation)],
      [ev.AttributeKeyAnnualProvisions, decToString(minter.annualProvisions)],
      [ev.AttributeKeyAmount, amount.toString()],
    ]);
    return amount;
  }
}
