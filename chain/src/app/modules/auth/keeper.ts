/**
 * x/auth: accounts (number, sequence, public key), module accounts and params.
 * Accounts are stored as `google.protobuf.Any` of BaseAccount or ModuleAccount, as the SDK does,
 * so proofs over the `acc` store decode with standard tooling.
 */
import { BaseAccount, ModuleAccount, Params } from 'cosmjs-types/cosmos/auth/v1beta1/auth';
import { PubKey } from 'cosmjs-types/cosmos/crypto/secp256k1/keys';
import { Any } from 'cosmjs-types/google/protobuf/any';
import { decodeProto } from '../../../codec/protoReader.js';
import { encodeProto } from '../../../codec/protoWriter.js';
import { addressFromBech32, addressToBech32, moduleAddress } from '../../types/address.js';
import type { Context } from '../../types/context.js';
import { memoizedDecoder } from '../../types/decodeMemo.js';
import { ErrInvalidPubKey, ErrLogic, ErrUnknownAddress } from '../../types/errors.js';
import { prefixIterator, readU64BE, u64BE } from '../../types/keys.js';
import { encodeBaseAccountAny } from './accountCodec.js';
import {
  AccountsPrefix,
  accountKey,
  accountNumberKey,
  GlobalAccountNumberKey,
  ParamsKey,
  StoreKey,
} from './keys.js';
import type { AuthParams } from './params.js';

export const BaseAccountTypeUrl = '/cosmos.auth.v1beta1.BaseAccount';
export const ModuleAccountTypeUrl = '/cosmos.auth.v1beta1.ModuleAccount';
export const Secp256k1PubKeyTypeUrl = '/cosmos.crypto.secp256k1.PubKey';

export interface Account {
  address: Uint8Array;
  /** Compressed secp256k1 public key, recorded on the account's first signed tx. */
  pubKey?: Uint8Array;
  accountNumber: bigint;
  sequence: bigint;
  /** Set for module accounts. */
  module?: { name: string; permissions: string[] };
}

export function pubKeyToAny(key: Uint8Array): Any {
  return { typeUrl: Secp256k1PubKeyTypeUrl, value: encodeProto(PubKey, { key }) };
}

/**
 * Keys by their Any: a tx's signer infos are decoded once and then read by pre-verification,
 * CheckTx and FinalizeBlock. The Any objects are never modified, and the key bytes are shared.
 */
const pubKeysByAny = new WeakMap<Any, Uint8Array>();

export function pubKeyFromAny(any: Any): Uint8Array {
  const hit = pubKeysByAny.get(any);
  if (hit !== undefined) return hit;
  const key = parsePubKeyAny(any);
  pubKeysByAny.set(any, key);
  return key;
}

function parsePubKeyAny(any: Any): Uint8Array {
  if (any.typeUrl !== Secp256k1PubKeyTypeUrl)
    throw ErrInvalidPubKey.wrap(`unsupported public key type ${any.typeUrl}`);
  let key: Uint8Array;
  try {
    key = decodeProto(PubKey, any.value).key;
  } catch {
    throw ErrInvalidPubKey.wrap('malformed secp256k1 public key');
  }
  if (key.length !== 33 || (key[0] !== 2 && key[0] !== 3)) {
    throw ErrInvalidPubKey.wrap('secp256k1 public key must be 33 bytes, compressed');
  }
  return key;
}

export function accountToAny(acc: Account): Any {
  const base: BaseAccount = {
    address: addressToBech32(acc.address),
    pubKey: acc.pubKey ? pubKeyToAny(acc.pubKey) : undefined,
    accountNumber: acc.accountNumber,
    sequence: acc.sequence,
  };
  if (acc.module) {
    return {
      typeUrl: ModuleAccountTypeUrl,
      value: encodeProto(ModuleAccount, {
        baseAccount: base,
        name: acc.module.name,
        permissions: acc.module.permissions,
      }),
    };
  }
  return { typeUrl: BaseAccountTypeUrl, value: encodeProto(BaseAccount, base) };
}

const decodeParams = memoizedDecoder((b) => Params.decode(b));
/** A stored account (an Any), decoded once per stored value. */
const decodeStoredAccount = memoizedDecoder((b) => accountFromAny(decodeProto(Any, b)));

export function accountFromAny(any: Any): Account {
  const fromBase = (b: BaseAccount): Account => ({
    address: addressFromBech32(b.address),
    pubKey: b.pubKey ? pubKeyFromAny(b.pubKey) : undefined,
    accountNumber: b.accountNumber,
    sequence: b.sequence,
  });
  if (any.typeUrl === BaseAccountTypeUrl) return fromBase(decodeProto(BaseAccount, any.value));
  if (any.typeUrl === ModuleAccountTypeUrl) {
    const m = ModuleAccount.decode(any.value);
    if (!m.baseAccount) throw ErrLogic.wrap('module account without base account');
    return { ...fromBase(m.baseAccount), module: { name: m.name, permissions: m.permissions } };
  }
  throw ErrLogic.wrap(`unknown account type ${any.typeUrl}`);
}

/** Read-only view of accounts, the narrowest keeper other modules take. */
export interface AccountReader {
  getAccount(ctx: Context, addr: Uint8Array): Account | undefined;
  moduleAddress(name: string): Uint8Array;
}

export class AuthKeeper implements AccountReader {
  private readonly moduleAddrs = new Map<string, Uint8Array>();

  /** `modulePermissions`: every module account this app has, with its permissions. */
  constructor(readonly modulePermissions: Readonly<Record<string, readonly string[]>>) {
    for (const name of Object.keys(modulePermissions)) this.moduleAddrs.set(name, moduleAddress(name));
  }

  moduleAddress(name: string): Uint8Array {
    const a = this.moduleAddrs.get(name);
    if (!a) throw ErrUnknownAddress.wrap(`module account ${name} is not registered`);
    return a;
  }

  isModuleAddress(addr: Uint8Array): boolean {
    for (const a of this.moduleAddrs.values()) if (Buffer.compare(a, addr) === 0) return true;
    return false;
  }

  getParams(ctx: Context): AuthParams {
    const b = ctx.kvStore(StoreKey).get(ParamsKey);
    if (!b) throw ErrLogic.wrap('auth params are not set');
    return decodeParams(b);
  }

  setParams(ctx: Context, p: AuthParams): void {
    ctx.kvStore(StoreKey).set(ParamsKey, encodeProto(Params, p));
  }

  getAccount(ctx: Context, addr: Uint8Array): Account | undefined {
    const b = ctx.kvStore(StoreKey).get(accountKey(addr));
    return b ? decodeStoredAccount(b) : undefined;
  }

  hasAccount(ctx: Context, addr: Uint8Array): boolean {
    return ctx.kvStore(StoreKey).has(accountKey(addr));
  }

  setAccount(ctx: Context, acc: Account): void {
    const store = ctx.kvStore(StoreKey);
    const key = accountKey(acc.address);
    // The number index never changes after creation: writing it again on every sequence bump
    // would cost a tree update per tx for nothing.
    if (!store.has(key)) store.set(accountNumberKey(acc.accountNumber), acc.address);
    const bytes = acc.module
      ? encodeProto(Any, accountToAny(acc))
      : encodeBaseAccountAny(addressToBech32(acc.address), acc.pubKey, acc.accountNumber, acc.sequence);
    store.set(key, bytes);
    decodeStoredAccount.remember(bytes, acc);
  }

  /** Takes the next global account number. */
  nextAccountNumber(ctx: Context): bigint {
    const store = ctx.kvStore(StoreKey);
    const cur = store.get(GlobalAccountNumberKey);
    const n = cur ? readU64BE(cur) : 0n;
    store.set(GlobalAccountNumberKey, u64BE(n + 1n));
    return n;
  }

  /** A fresh account for `addr` with the next number (not yet stored). */
  newAccount(ctx: Context, addr: Uint8Array): Account {
    return { address: addr, accountNumber: this.nextAccountNumber(ctx), sequence: 0n };
  }

  /** The module's account, created on first use as the SDK's GetModuleAccount does. */
  getModuleAccount(ctx: Context, name: string): Account {
    const addr = this.moduleAddress(name);
    const existing = this.getAccount(ctx, addr);
    if (existing) {
      if (!existing.module)
        throw ErrLogic.wrap(`account at module address of ${name} is not a module account`);
      return existing;
    }
    const acc: Account = {
      ...this.newAccount(ctx, addr),
      module: { name, permissions: [...(this.modulePermissions[name] ?? [])] },
    };
    this.setAccount(ctx, acc);
    return acc;
  }

  hasPermission(name: string, permission: string): boolean {
    return (this.modulePermissions[name] ?? []).includes(permission);
  }

  /** Accounts in address order. */
  *iterateAccounts(ctx: Context): Generator<Account> {
    for (const [, v] of prefixIterator(ctx.kvStore(StoreKey), AccountsPrefix))
      yield accountFromAny(Any.decode(v));
  }

  addressByNumber(ctx: Context, num: bigint): Uint8Array | undefined {
    return ctx.kvStore(StoreKey).get(accountNumberKey(num));
  }

  globalAccountNumber(ctx: Context): bigint {
    const cur = ctx.kvStore(StoreKey).get(GlobalAccountNumberKey);
    return cur ? readU64BE(cur) : 0n;
  }

  setGlobalAccountNumber(ctx: Context, n: bigint): void {
    ctx.kvStore(StoreKey).set(GlobalAccountNumberKey, u64BE(n));
  }
}
