/** x/auth genesis: params and accounts, in the SDK's JSON layout (`app_state.auth`). */
import { addressFromBech32, addressToBech32 } from '../../types/address.js';
import type { Context } from '../../types/context.js';
import { arr, at, GenesisError, obj, str, uint } from '../../types/json.js';
import {
  type Account,
  type AuthKeeper,
  BaseAccountTypeUrl,
  ModuleAccountTypeUrl,
  Secp256k1PubKeyTypeUrl,
} from './keeper.js';
import { type AuthParams, authParamsFromJson, authParamsToJson, defaultAuthParams } from './params.js';

export interface AuthGenesis {
  params: AuthParams;
  accounts: Account[];
}

export function defaultAuthGenesisJson() {
  return { params: authParamsToJson(defaultAuthParams()), accounts: [] };
}

function pubKeyFromJson(v: unknown, path: string): Uint8Array | undefined {
  if (v === null || v === undefined) return undefined;
  const o = obj(v, path);
  if (o['@type'] !== Secp256k1PubKeyTypeUrl)
    throw new GenesisError(`${path}.@type`, `unsupported key type ${String(o['@type'])}`);
  const key = Buffer.from(str(o.key, `${path}.key`), 'base64');
  if (key.length !== 33) throw new GenesisError(`${path}.key`, 'expected a 33-byte compressed secp256k1 key');
  return new Uint8Array(key);
}

function baseAccountFromJson(v: unknown, path: string): Account {
  const o = obj(v, path);
  return {
    address: at(`${path}.address`, () => addressFromBech32(str(o.address, `${path}.address`))),
    pubKey: pubKeyFromJson(o.pub_key, `${path}.pub_key`),
    accountNumber: uint(o.account_number, `${path}.account_number`, 0n),
    sequence: uint(o.sequence, `${path}.sequence`, 0n),
  };
}

export function parseAuthGenesis(v: unknown): AuthGenesis {
  const o = obj(v, 'auth');
  const params = authParamsFromJson(o.params ?? {}, 'auth.params');
  const accounts = arr(o.accounts, 'auth.accounts', true).map((a, i) => {
    const path = `auth.accounts[${i}]`;
    const ao = obj(a, path);
    const type = ao['@type'];
    if (type === BaseAccountTypeUrl) return baseAccountFromJson(ao, path);
    if (type === ModuleAccountTypeUrl) {
      const base = baseAccountFromJson(ao.base_account, `${path}.base_account`);
      const permissions = arr(ao.permissions, `${path}.permissions`, true).map((p, j) =>
        str(p, `${path}.permissions[${j}]`),
      );
      return { ...base, module: { name: str(ao.name, `${path}.name`), permissions } };
    }
    throw new GenesisError(`${path}.@type`, `unknown account type ${JSON.stringify(type)}`);
  });
  const addrs = new Set<string>();
  const numbers = new Set<bigint>();
  accounts.forEach((a, i) => {
    const key = Buffer.from(a.address).toString('hex');
    if (addrs.has(key))
      throw new GenesisError(`auth.accounts[${i}]`, `duplicate account ${addressToBech32(a.address)}`);
    addrs.add(key);
    if (numbers.has(a.accountNumber)) {
      throw new GenesisError(
        `auth.accounts[${i}].account_number`,
        `duplicate account number ${a.accountNumber}`,
      );
    }
    numbers.add(a.accountNumber);
  });
  return { params, accounts };
}

export function initAuthGenesis(ctx: Context, k: AuthKeeper, g: AuthGenesis): void {
  k.setParams(ctx, g.params);
  let next = 0n;
  for (const a of [...g.accounts].sort((x, y) => (x.accountNumber < y.accountNumber ? -1 : 1))) {
    k.setAccount(ctx, a);
    if (a.accountNumber >= next) next = a.accountNumber + 1n;
  }
  k.setGlobalAccountNumber(ctx, next);
}

function accountToJson(a: Account) {
  const base = {
    address: addressToBech32(a.address),
    pub_key: a.pubKey
      ? { '@type': Secp256k1PubKeyTypeUrl, key: Buffer.from(a.pubKey).toString('base64') }
      : null,
    account_number: a.accountNumber.toString(),
    sequence: a.sequence.toString(),
  };
  if (a.module) {
    return {
      '@type': ModuleAccountTypeUrl,
      base_account: base,
      name: a.module.name,
      permissions: a.module.permissions,
    };
  }
  return { '@type': BaseAccountTypeUrl, ...base };
}

export function exportAuthGenesis(ctx: Context, k: AuthKeeper) {
  const accounts = [...k.iterateAccounts(ctx)].sort((x, y) => (x.accountNumber < y.accountNumber ? -1 : 1));
  return { params: authParamsToJson(k.getParams(ctx)), accounts: accounts.map(accountToJson) };
}
