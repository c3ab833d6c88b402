/**
 * x/staking genesis (`app_state.staking`), in the SDK's JSON layout. A new chain starts from
 * params alone and gets its validators from gen_txs (x/genutil). An exported state (a restart)
 * is imported as the SDK does: validators, delegations, unbonding delegations, redelegations
 * and last powers; with `exported: false` the creation hooks run so that distribution and
 * slashing records are created, with `exported: true` they are imported by those modules.
 * Strict: the pools must hold exactly the tokens the records account for.
 */
import {
  BondStatus,
  bondStatusFromJSON,
  bondStatusToJSON,
} from 'cosmjs-types/cosmos/staking/v1beta1/staking';
import type { ValidatorUpdate } from 'cosmjs-types/tendermint/abci/types';
import { addressFromBech32, addressToBech32, compareBytes, VALOPER_PREFIX } from '../../types/address.js';
import type { Context } from '../../types/context.js';
import { formatDec } from '../../types/decimal.js';
import { formatTimestampJson, parseTimestampJson } from '../../types/duration.js';
import { arr, at, bool, GenesisError, obj, str, uint } from '../../types/json.js';
import { decFromString } from '../../types/legacyDec.js';
import type { StakingKeeper } from './keeper.js';
import { BondedPoolName, NotBondedPoolName } from './keys.js';
import {
  defaultStakingParams,
  type StakingParams,
  stakingParamsFromJson,
  stakingParamsToJson,
} from './params.js';
import {
  abciUpdate,
  type Delegation,
  delegationToProto,
  ed25519PubKeyFromAny,
  ed25519PubKeyToAny,
  isBonded,
  type Redelegation,
  redToProto,
  type UnbondingDelegation,
  ubdToProto,
  type Validator,
} from './types.js';

function validatorToJson(v: Validator) {
  return {
    operator_address: addressToBech32(v.operator, VALOPER_PREFIX),
    consensus_pubkey: {
      '@type': '/cosmos.crypto.ed25519.PubKey',
      key: Buffer.from(v.consPubKey).toString('base64'),
    },
    jailed: v.jailed,
    status: bondStatusToJSON(v.status),
    tokens: v.tokens.toString(),
    delegator_shares: formatDec(v.delegatorShares),
    description: {
      moniker: v.description.moniker,
      identity: v.description.identity,
      website: v.description.website,
      security_contact: v.description.securityContact,
      details: v.description.details,
    },
    unbonding_height: v.unbondingHeight.toString(),
    unbonding_time: formatTimestampJson(v.unbondingTimeNs),
    commission: {
      commission_rates: {
        rate: formatDec(v.commission.rate),
        max_rate: formatDec(v.commission.maxRate),
        max_change_rate: formatDec(v.commission.maxChangeRate),
      },
      update_time: formatTimestampJson(v.commission.updateTimeNs),
    },
    min_self_delegation: v.minSelfDelegation.toString(),
  };
}

export interface StakingGenesis {
  params: StakingParams;
  lastTotalPower: bigint;
  lastValidatorPowers: { operator: Uint8Array; power: bigint }[];
  validators: Validator[];
  delegations: Delegation[];
  unbondingDelegations: UnbondingDelegation[];
  redelegations: Redelegation[];
  exported: boolean;
}

export const defaultStakingGenesisJson = () => ({
  params: stakingParamsToJson(defaultStakingParams()),
  last_total_power: '0',
  last_validator_powers: [],
  validators: [],
  delegations: [],
  unbonding_delegations: [],
  redelegations: [],
  exported: false,
});

const valoper = (v: unknown, path: string) => at(path, () => addressFromBech32(str(v, path), VALOPER_PREFIX));
const account = (v: unknown, path: string) => at(path, () => addressFromBech32(str(v, path)));
const dec = (v: unknown, path: string) => at(path, () => decFromString(str(v, path)));
const int = (v: unknown, path: string) => {
  const s = str(v, path);
  if (!/^[0-9]{1,78}$/.test(s)) throw new GenesisError(path, 'expected a non-negative integer string');
  return BigInt(s);
};
const time = (v: unknown, path: string) => at(path, () => parseTimestampJson(str(v, path)));

function validatorFromJson(v: unknown, path: string): Validator {
  const o = obj(v, path);
  const pk = obj(o.consensus_pubkey, `${path}.consensus_pubkey`);
  if (pk['@type'] !== '/cosmos.crypto.ed25519.PubKey')
    throw new GenesisError(`${path}.consensus_pubkey`, 'only /cosmos.crypto.ed25519.PubKey is supported');
  const key = new Uint8Array(Buffer.from(str(pk.key, `${path}.consensus_pubkey.key`), 'base64'));
  const consPubKey = at(`${path}.consensus_pubkey`, () => ed25519PubKeyFromAny(ed25519PubKeyToAny(key)));
  const status = bondStatusFromJSON(o.status);
  if (status === BondStatus.UNRECOGNIZED || status === BondStatus.BOND_STATUS_UNSPECIFIED)
    throw new GenesisError(`${path}.status`, `invalid status ${String(o.status)}`);
  const d = obj(o.description ?? {}, `${path}.description`);
  const c = obj(o.commission, `${path}.commission`);
  const r = obj(c.commission_rates, `${path}.commission.commission_rates`);
  return {
    operator: valoper(o.operator_address, `${path}.operator_address`),
    consPubKey,
    jailed: bool(o.jailed, `${path}.jailed`, false),
    status,
    tokens: int(o.tokens, `${path}.tokens`),
    delegatorShares: dec(o.delegator_shares, `${path}.delegator_shares`),
    description: {
      moniker: str(d.moniker, `${path}.description.moniker`, true),
      identity: str(d.identity, `${path}.description.identity`, true),
      website: str(d.website, `${path}.description.website`, true),
      securityContact: str(d.security_contact, `${path}.description.security_contact`, true),
      details: str(d.details, `${path}.description.details`, true),
    },
    unbondingHeight: uint(o.unbonding_height, `${path}.unbonding_height`, 0n),
    unbondingTimeNs: o.unbonding_time === undefined ? 0n : time(o.unbonding_time, `${path}.unbonding_time`),
    commission: {
      rate: dec(r.rate, `${path}.commission.commission_rates.rate`),
      maxRate: dec(r.max_rate, `${path}.commission.commission_rates.max_rate`),
      maxChangeRate: dec(r.max_change_rate, `${path}.commission.commission_rates.max_change_rate`),
      updateTimeNs: c.update_time === undefined ? 0n : time(c.update_time, `${path}.commission.update_time`),
    },
    minSelfDelegation: int(o.min_self_delegation, `${path}.min_self_delegation`),
  };
}

export function parseStakingGenesis(v: unknown): StakingGenesis {
  const o = obj(v, 'staking');
  const params = stakingParamsFromJson(o.params ?? {}, 'staking.params');
  const validators = arr(o.validators, 'staking.validators', true).map((x, i) =>
    validatorFromJson(x, `staking.validators[${i}]`),
  );
  const seen = new Set<string>();
  const seenCons = new Set<string>();
  validators.forEach((val, i) => {
    const k = Buffer.from(val.operator).toString('hex');
    const ck = Buffer.from(val.consPubKey).toString('hex');
    if (seen.has(k) || seenCons.has(ck))
      throw new GenesisError(`staking.validators[${i}]`, 'duplicate validator');
    seen.add(k);
    seenCons.add(ck);
    if (val.jailed && isBonded(val))
      throw new GenesisError(`staking.validators[${i}]`, 'a jailed validator cannot be bonded');
    if (val.delegatorShares === 0n && val.tokens > 0n)
      throw new GenesisError(`staking.validators[${i}]`, 'tokens without delegator shares');
  });
  const delegations = arr(o.delegations, 'staking.delegations', true).map((x, i) => {
    const p = `staking.delegations[${i}]`;
    const d = obj(x, p);
    const del: Delegation = {
      delegator: account(d.delegator_address, `${p}.delegator_address`),
      validator: valoper(d.validator_address, `${p}.validator_address`),
      shares: dec(d.shares, `${p}.shares`),
    };
    if (!seen.has(Buffer.from(del.validator).toString('hex')))
      throw new GenesisError(p, 'delegation to an unknown validator');
    if (del.shares <= 0n) throw new GenesisError(`${p}.shares`, 'must be positive');
    return del;
  });
  const entryCommon = (e: Record<string, unknown>, p: string) => ({
    creationHeight: uint(e.creation_height, `${p}.creation_height`),
    completionTimeNs: time(e.completion_time, `${p}.completion_time`),
    initialBalance: int(e.initial_balance, `${p}.initial_balance`),
  });
  const unbondingDelegations = arr(o.unbonding_delegations, 'staking.unbonding_delegations', true).map(
    (x, i) => {
      const p = `staking.unbonding_delegations[${i}]`;
      const u = obj(x, p);
      return {
        delegator: account(u.delegator_address, `${p}.delegator_address`),
        validator: valoper(u.validator_address, `${p}.validator_address`),
        entries: arr(u.entries, `${p}.entries`).map((e, j) => {
          const eo = obj(e, `${p}.entries[${j}]`);
          return {
            ...entryCommon(eo, `${p}.entries[${j}]`),
            balance: int(eo.balance, `${p}.entries[${j}].balance`),
          };
        }),
      };
    },
  );
  const redelegations = arr(o.redelegations, 'staking.redelegations', true).map((x, i) => {
    const p = `staking.redelegations[${i}]`;
    const r = obj(x, p);
    return {
      delegator: account(r.delegator_address, `${p}.delegator_address`),
      src: valoper(r.validator_src_address, `${p}.validator_src_address`),
      dst: valoper(r.validator_dst_address, `${p}.validator_dst_address`),
      entries: arr(r.entries, `${p}.entries`).map((e, j) => {
        const eo = obj(e, `${p}.entries[${j}]`);
        return {
          ...entryCommon(eo, `${p}.entries[${j}]`),
          sharesDst: dec(eo.shares_dst, `${p}.entries[${j}].shares_dst`),
        };
      }),
    };
  });
  const lastValidatorPowers = arr(o.last_validator_powers, 'staking.last_validator_powers', true).map(
    (x, i) => {
      const p = `staking.last_validator_powers[${i}]`;
      const lo = obj(x, p);
      return { operator: valoper(lo.address, `${p}.address`), power: uint(lo.power, `${p}.power`) };
    },
  );
  return {
    params,
    lastTotalPower:
      o.last_total_power === undefined ? 0n : int(o.last_total_power, 'staking.last_total_power'),
    lastValidatorPowers,
    validators,
    delegations,
    unbondingDelegations,
    redelegations,
    exported: bool(o.exported, 'staking.exported', false),
  };
}

/**
 * Loads staking state (`InitGenesis`). Returns the validator set for consensus when the
 * genesis already has validators: the recorded last powers of an export, or the set computed
 * now for a hand-written genesis; undefined for a new chain whose validators come from gen_txs.
 */
export function initStakingGenesis(
  ctx: Context,
  k: StakingKeeper,
  g: StakingGenesis,
): ValidatorUpdate[] | undefined {
  k.setParams(ctx, g.params);
  k.setLastTotalPower(ctx, g.lastTotalPower);
  // Create the pool accounts now so that their account numbers do not depend on tx order.
  k.ak.getModuleAccount(ctx, BondedPoolName);
  k.ak.getModuleAccount(ctx, NotBondedPoolName);
  let bonded = 0n;
  let notBonded = 0n;
  for (const v of g.validators) {
    k.importValidator(ctx, v, g.exported);
    if (isBonded(v)) bonded += v.tokens;
    else notBonded += v.tokens;
  }
  for (const d of g.delegations) k.importDelegation(ctx, d, g.exported);
  for (const u of g.unbondingDelegations) {
    k.importUnbondingDelegation(ctx, u);
    for (const e of u.entries) notBonded += e.balance;
  }
  for (const r of g.redelegations) k.importRedelegation(ctx, r);
  const bondedPool = k.totalBondedTokens(ctx);
  const notBondedPool = k.notBondedTokens(ctx);
  if (bondedPool !== bonded)
    throw new GenesisError(
      'staking',
      `bonded pool balance ${bondedPool} is different from bonded coins ${bonded}`,
    );
  if (notBondedPool !== notBonded)
    throw new GenesisError(
      'staking',
      `not bonded pool balance ${notBondedPool} is different from not bonded coins ${notBonded}`,
    );
  if (g.exported) {
    const updates: ValidatorUpdate[] = [];
    for (const lp of g.lastValidatorPowers) {
      k.setLastValidatorPower(ctx, lp.operator, lp.power);
      const v = k.getValidator(ctx, lp.operator);
      if (!v) throw new GenesisError('staking.last_validator_powers', 'power for an unknown validator');
      updates.push(abciUpdate(v, lp.power));
    }
    return updates.length > 0 ? updates : undefined;
  }
  if (g.validators.length === 0) return undefined;
  return k.applyAndReturnValidatorSetUpdates(ctx);
}

export function exportStakingGenesis(ctx: Context, k: StakingKeeper) {
  return {
    params: stakingParamsToJson(k.getParams(ctx)),
    last_total_power: k.getLastTotalPower(ctx).toString(),
    last_validator_powers: [...k.iterateLastValidatorPowers(ctx)].map((p) => ({
      address: addressToBech32(p.operator, VALOPER_PREFIX),
      power: p.power.toString(),
    })),
    validators: k
      .allValidatorsSorted(ctx)
      .sort((a, b) => compareBytes(a.operator, b.operator))
      .map(validatorToJson),
    delegations: [...k.iterateAllDelegations(ctx)].map((d) => {
      const p = delegationToProto(d);
      return {
        delegator_address: p.delegatorAddress,
        validator_address: p.validatorAddress,
        shares: formatDec(d.shares),
      };
    }),
    unbonding_delegations: [...k.iterateAllUnbondingDelegations(ctx)].map((u) => {
      const p = ubdToProto(u);
      return {
        delegator_address: p.delegatorAddress,
        validator_address: p.validatorAddress,
        entries: u.entries.map((e) => ({
          creation_height: e.creationHeight.toString(),
          completion_time: formatTimestampJson(e.completionTimeNs),
          initial_balance: e.initialBalance.toString(),
          balance: e.balance.toString(),
        })),
      };
    }),
    redelegations: [...k.iterateAllRedelegations(ctx)].map((r) => {
      const p = redToProto(r);
      return {
        delegator_address: p.delegatorAddress,
        validator_src_address: p.validatorSrcAddress,
        validator_dst_address: p.validatorDstAddress,
        entries: r.entries.map((e) => ({
          creation_height: e.creationHeight.toString(),
          completion_time: formatTimestampJson(e.completionTimeNs),
          initial_balance: e.initialBalance.toString(),
          shares_dst: formatDec(e.sharesDst),
        })),
      };
    }),
    exported: true,
  };
}
