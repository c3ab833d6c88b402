/**
 * x/genutil (`app_state.genutil.gen_txs`): the signed MsgCreateValidator transactions that
 * create a new chain's validators. At InitChain, after auth and bank (and the other modules)
 * have loaded their genesis, each gentx is delivered through the app's normal tx runner; the
 * validator set staking then computes is InitChain's answer to consensus.
 */
import type { ValidatorUpdate } from 'cosmjs-types/tendermint/abci/types';
import { addressFromBech32, addressToBech32, VALOPER_PREFIX } from '../../types/address.js';
import type { Context } from '../../types/context.js';
import { arr, at, GenesisError, obj, str } from '../../types/json.js';
import { genTxJsonToRaw } from './genTx.js';

export const ModuleName = 'genutil';

export interface GenTx {
  raw: Uint8Array;
  /** Operator (= delegator) account bytes, the bond amount and denom. */
  operator: Uint8Array;
  amount: bigint;
  denom: string;
}

/** The `genutil` section (or its `gen_txs` array) -> parsed gentxs; throws naming the bad path. */
export function parseGenTxsDetailed(v: unknown): GenTx[] {
  const list = Array.isArray(v) ? v : arr(obj(v ?? {}, 'genutil').gen_txs, 'genutil.gen_txs', true);
  const seen = new Set<string>();
  return list.map((tx, i) => {
    const path = `genutil.gen_txs[${i}]`;
    const { raw, msgs } = genTxJsonToRaw(tx, path);
    if (msgs.length !== 1)
      throw new GenesisError(`${path}.body.messages`, 'a gentx must hold exactly one MsgCreateValidator');
    const m = msgs[0]!;
    const operator = at(`${path}.body.messages[0].validator_address`, () =>
      addressFromBech32(m.validatorAddress, VALOPER_PREFIX),
    );
    const key = Buffer.from(operator).toString('hex');
    if (seen.has(key)) throw new GenesisError(path, `duplicate gentx for validator ${m.validatorAddress}`);
    seen.add(key);
    return { raw, operator, amount: BigInt(m.value.amount), denom: m.value.denom };
  });
}

/** TxRaw bytes of every gentx, in file order. */
export function parseGenTxs(v: unknown): Uint8Array[] {
  return parseGenTxsDetailed(v).map((g) => g.raw);
}

/**
 * Checks gentxs against the rest of `app_state`: the bond denom is staking's, and each
 * operator's genesis balance covers its self-delegation (the SDK's ValidateAccountInGenesis).
 */
export function validateGenTxs(appState: unknown): GenTx[] {
  const state = obj(appState, 'app_state');
  const txs = parseGenTxsDetailed(state.genutil);
  const staking = obj(state.staking ?? {}, 'app_state.staking');
  const params = obj(staking.params ?? {}, 'app_state.staking.params');
  const bondDenom =
    params.bond_denom === undefined ? 'uhth' : str(params.bond_denom, 'app_state.staking.params.bond_denom');
  const bank = obj(state.bank ?? {}, 'app_state.bank');
  const balances = new Map<string, bigint>();
  for (const [i, b] of arr(bank.balances, 'app_state.bank.balances', true).entries()) {
    const bo = obj(b, `app_state.bank.balances[${i}]`);
    const address = str(bo.address, `app_state.bank.balances[${i}].address`);
    for (const c of arr(bo.coins, `app_state.bank.balances[${i}].coins`, true)) {
      const co = obj(c, `app_state.bank.balances[${i}].coins`);
      if (co.denom === bondDenom)
        balances.set(address, BigInt(str(co.amount, `app_state.bank.balances[${i}].coins.amount`)));
    }
  }
  txs.forEach((g, i) => {
    const path = `genutil.gen_txs[${i}]`;
    if (g.denom !== bondDenom)
      throw new GenesisError(
        `${path}.body.messages[0].value.denom`,
        `must be the bond denom ${bondDenom}, got ${g.denom}`,
      );
    const account = addressToBech32(g.operator);
    const have = balances.get(account);
    if (have === undefined)
      throw new GenesisError(path, `account ${account} does not have a balance in the genesis state`);
    if (have < g.amount)
      throw new GenesisError(
        path,
        `account ${account} has a balance in genesis, but it only has ${have}${bondDenom} available to stake, not ${g.amount}${bondDenom}`,
      );
  });
  return txs;
}

/** Runs one tx through the app's tx runner on the genesis context's store. */
export type DeliverGenTx = (ctx: Context, txBytes: Uint8Array) => { code: number; log: string };

/**
 * Delivers every gentx in order and fails InitChain on the first that does not succeed
 * (code != 0), naming it; then returns the validator set staking computes.
 */
export function deliverGenTxs(
  ctx: Context,
  txs: readonly Uint8Array[],
  deliver: DeliverGenTx,
  applyValidatorSetUpdates: (ctx: Context) => ValidatorUpdate[],
): ValidatorUpdate[] {
  txs.forEach((tx, i) => {
    const r = deliver(ctx, tx);
    if (r.code !== 0)
      throw new GenesisError(`genutil.gen_txs[${i}]`, `failed to deliver gentx (code ${r.code}): ${r.log}`);
  });
  return applyValidatorSetUpdates(ctx);
}
