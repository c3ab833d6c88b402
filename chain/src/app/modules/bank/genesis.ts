/**
 * x/bank genesis (`app_state.bank`). Strict as the SDK's: the supply, when given, must equal
 * the sum of the balances; when omitted it is computed from them.
 */
import type { Metadata } from 'cosmjs-types/cosmos/bank/v1beta1/bank';
import { addressFromBech32, addressToBech32 } from '../../types/address.js';
import {
  addCoins,
  type Coins,
  coinsEqual,
  coinsFromProto,
  coinsToProto,
  coinsToString,
  validateDenom,
} from '../../types/coins.js';
import type { Context } from '../../types/context.js';
import { arr, at, bool, GenesisError, obj, str, uint } from '../../types/json.js';
import type { BankKeeper } from './keeper.js';
import { type BankParams, bankParamsFromJson, bankParamsToJson, defaultBankParams } from './params.js';

export interface BankGenesis {
  params: BankParams;
  balances: { address: Uint8Array; coins: Coins }[];
  supply: Coins;
  denomMetadata: Metadata[];
  sendEnabled: { denom: string; enabled: boolean }[];
}

export const defaultBankGenesisJson = () => ({
  params: bankParamsToJson(defaultBankParams()),
  balances: [],
  supply: [],
  denom_metadata: [],
  send_enabled: [],
});

function coinsFromJson(v: unknown, path: string): Coins {
  const list = arr(v, path, true).map((c, i) => {
    const o = obj(c, `${path}[${i}]`);
    return { denom: str(o.denom, `${path}[${i}].denom`), amount: str(o.amount, `${path}[${i}].amount`) };
  });
  return at(path, () => coinsFromProto(list));
}

function metadataFromJson(v: unknown, path: string): Metadata {
  const o = obj(v, path);
  const m: Metadata = {
    description: str(o.description, `${path}.description`, true),
    denomUnits: arr(o.denom_units, `${path}.denom_units`).map((u, i) => {
      const uo = obj(u, `${path}.denom_units[${i}]`);
      return {
        denom: str(uo.denom, `${path}.denom_units[${i}].denom`),
        exponent: Number(uint(uo.exponent ?? 0, `${path}.denom_units[${i}].exponent`)),
        aliases: arr(uo.aliases, `${path}.denom_units[${i}].aliases`, true).map((a, j) =>
          str(a, `${path}.denom_units[${i}].aliases[${j}]`),
        ),
      };
    }),
    base: str(o.base, `${path}.base`),
    display: str(o.display, `${path}.display`),
    name: str(o.name, `${path}.name`, true),
    symbol: str(o.symbol, `${path}.symbol`, true),
    uri: str(o.uri, `${path}.uri`, true),
    uriHash: str(o.uri_hash, `${path}.uri_hash`, true),
  };
  at(`${path}.base`, () => validateDenom(m.base));
  const first = m.denomUnits[0];
  if (!first || first.denom !== m.base || first.exponent !== 0) {
    throw new GenesisError(`${path}.denom_units`, 'the first unit must be the base denom with exponent 0');
  }
  for (let i = 1; i < m.denomUnits.length; i++) {
    if (m.denomUnits[i]!.exponent <= m.denomUnits[i - 1]!.exponent) {
      throw new GenesisError(`${path}.denom_units`, 'units must be sorted by strictly increasing exponent');
    }
  }
  if (!m.denomUnits.some((u) => u.denom === m.display)) {
    throw new GenesisError(`${path}.display`, `${m.display} is not one of the denom units`);
  }
  return m;
}

export function parseBankGenesis(v: unknown): BankGenesis {
  const o = obj(v, 'bank');
  const params = at('bank.params', () => bankParamsFromJson(o.params ?? {}, 'bank.params'));
  const seen = new Set<string>();
  const balances = arr(o.balances, 'bank.balances', true).map((b, i) => {
    const path = `bank.balances[${i}]`;
    const bo = obj(b, path);
    const address = at(`${path}.address`, () => addressFromBech32(str(bo.address, `${path}.address`)));
    const key = Buffer.from(address).toString('hex');
    if (seen.has(key))
      throw new GenesisError(path, `duplicate balance for address ${addressToBech32(address)}`);
    seen.add(key);
    return { address, coins: coinsFromJson(bo.coins, `${path}.coins`) };
  });
  let total: Coins = [];
  for (const b of balances) total = addCoins(total, b.coins);
  const supply = coinsFromJson(o.supply, 'bank.supply');
  if (supply.length > 0 && !coinsEqual(supply, total)) {
    throw new GenesisError(
      'bank.supply',
      `genesis supply is incorrect, expected ${coinsToString(supply)}, got ${coinsToString(total)} as the sum of balances`,
    );
  }
  const denomMetadata = arr(o.denom_metadata, 'bank.denom_metadata', true).map((m, i) =>
    metadataFromJson(m, `bank.denom_metadata[${i}]`),
  );
  const bases = new Set<string>();
  denomMetadata.forEach((m, i) => {
    if (bases.has(m.base))
      throw new GenesisError(`bank.denom_metadata[${i}]`, `duplicate metadata for ${m.base}`);
    bases.add(m.base);
  });
  const sendEnabled = arr(o.send_enabled, 'bank.send_enabled', true).map((s, i) => {
    const so = obj(s, `bank.send_enabled[${i}]`);
    const denom = str(so.denom, `bank.send_enabled[${i}].denom`);
    at(`bank.send_enabled[${i}].denom`, () => validateDenom(denom));
    return { denom, enabled: bool(so.enabled, `bank.send_enabled[${i}].enabled`) };
  });
  return { params, balances, supply: total, denomMetadata, sendEnabled };
}

export function initBankGenesis(ctx: Context, k: BankKeeper, g: BankGenesis): void {
  k.setParams(ctx, g.params);
  for (const s of g.sendEnabled) k.setSendEnabled(ctx, s.denom, s.enabled);
  for (const b of g.balances) k.addCoins(ctx, b.address, b.coins);
  for (const c of g.supply) k.setSupply(ctx, c.denom, c.amount);
  for (const m of g.denomMetadata) k.setDenomMetadata(ctx, m);
}

export function exportBankGenesis(ctx: Context, k: BankKeeper) {
  const byAddr = new Map<string, { address: string; coins: { denom: string; amount: string }[] }>();
  for (const b of k.iterateAllBalances(ctx)) {
    const address = addressToBech32(b.address);
    let e = byAddr.get(address);
    if (!e) {
      e = { address, coins: [] };
      byAddr.set(address, e);
    }
    e.coins.push({ denom: b.denom, amount: b.amount.toString() });
  }
  return {
    params: bankParamsToJson(k.getParams(ctx)),
    balances: [...byAddr.values()].sort((a, b) =>
      a.address < b.address ? -1 : a.address > b.address ? 1 : 0,
    ),
    supply: coinsToProto([...k.iterateTotalSupply(ctx)]),
    denom_metadata: [...k.iterateDenomMetadata(ctx)].map((m) => ({
      description: m.description,
      denom_units: m.denomUnits.map((u) => ({ denom: u.denom, exponent: u.exponent, aliases: u.aliases })),
      base: m.base,
      display: m.display,
      name: m.name,
      symbol: m.symbol,
      uri: m.uri,
      uri_hash: m.uriHash,
    })),
    send_enabled: [...k.iterateSendEnabled(ctx)],
  };
}
