/**
 * x/bank: balances, supply, denom metadata and send-enabled flags. Layered as the SDK's
 * ViewKeeper ⊂ SendKeeper ⊂ Keeper: other modules receive only the part they need.
 */
import { type Metadata, Metadata as MetadataCodec, Params } from 'cosmjs-types/cosmos/bank/v1beta1/bank';
import { utf8Field } from '../../../codec/exactWriter.js';
import { encodeProto } from '../../../codec/protoWriter.js';
import { addressToBech32 } from '../../types/address.js';
import { type Coin, type Coins, coinsToString, normalizeCoins } from '../../types/coins.js';
import type { Context } from '../../types/context.js';
import { memoizedDecoder } from '../../types/decodeMemo.js';
import { ErrInsufficientFunds, ErrInvalidCoins, ErrLogic, ErrUnauthorized } from '../../types/errors.js';
import { EventTypeMessage, AttributeKeySender as MsgSenderKey } from '../../types/events.js';
import { fromUtf8, prefixIterator } from '../../types/keys.js';
import { Burner, Minter } from '../auth/keys.js';
import { ErrSendDisabled } from './errors.js';
import * as ev from './events.js';
import type { AccountKeeper } from './expectedKeepers.js';
import {
  BalancesPrefix,
  balanceKey,
  balancesPrefixOf,
  DenomMetadataPrefix,
  denomAddressKey,
  denomAddressPrefixOf,
  denomMetadataKey,
  ParamsKey,
  SendEnabledPrefix,
  StoreKey,
  SupplyPrefix,
  sendEnabledKey,
  supplyKey,
} from './keys.js';
import type { BankParams } from './params.js';

const DENOM_OWNER_MARKER = Uint8Array.of(1);
const decodeParams = memoizedDecoder((b) => Params.decode(b));
/** Amounts are stored as decimal strings (as the SDK's math.Int): ASCII digits only. */
const parseStoredAmount = (b: Uint8Array): bigint =>
  BigInt(String.fromCharCode.apply(null, b as unknown as number[]));
const encodeAmount = (a: bigint): Uint8Array => utf8Field(a.toString());

export interface BankViewKeeper {
  getBalance(ctx: Context, addr: Uint8Array, denom: string): bigint;
  getAllBalances(ctx: Context, addr: Uint8Array): Coins;
  spendableCoins(ctx: Context, addr: Uint8Array): Coins;
}

export interface BankSendKeeper extends BankViewKeeper {
  sendCoins(ctx: Context, from: Uint8Array, to: Uint8Array, coins: Coins): void;
  sendCoinsFromAccountToModule(ctx: Context, from: Uint8Array, module: string, coins: Coins): void;
  sendCoinsFromModuleToAccount(ctx: Context, module: string, to: Uint8Array, coins: Coins): void;
  sendCoinsFromModuleToModule(ctx: Context, from: string, to: string, coins: Coins): void;
}

export class BankKeeper implements BankSendKeeper {
  constructor(private readonly ak: AccountKeeper) {}

  // --- params and flags -------------------------------------------------------------------

  getParams(ctx: Context): BankParams {
    const b = ctx.kvStore(StoreKey).get(ParamsKey);
    if (!b) throw ErrLogic.wrap('bank params are not set');
    return decodeParams(b);
  }

  setParams(ctx: Context, p: BankParams): void {
    ctx.kvStore(StoreKey).set(ParamsKey, encodeProto(Params, p));
  }

  getSendEnabledEntry(ctx: Context, denom: string): boolean | undefined {
    const b = ctx.kvStore(StoreKey).get(sendEnabledKey(denom));
    return b === undefined ? undefined : b[0] === 1;
  }

  setSendEnabled(ctx: Context, denom: string, enabled: boolean): void {
    ctx.kvStore(StoreKey).set(sendEnabledKey(denom), Uint8Array.of(enabled ? 1 : 0));
  }

  isSendEnabledDenom(ctx: Context, denom: string): boolean {
    return this.getSendEnabledEntry(ctx, denom) ?? this.getParams(ctx).defaultSendEnabled;
  }

  *iterateSendEnabled(ctx: Context): Generator<{ denom: string; enabled: boolean }> {
    for (const [k, v] of prefixIterator(ctx.kvStore(StoreKey), SendEnabledPrefix)) {
      yield { denom: fromUtf8(k), enabled: v[0] === 1 };
    }
  }

  assertSendEnabled(ctx: Context, coins: Coins): void {
    for (const c of coins) {
      if (!this.isSendEnabledDenom(ctx, c.denom))
        throw ErrSendDisabled.wrap(`${c.denom} transfers are currently disabled`);
    }
  }

  // --- balances ---------------------------------------------------------------------------

  getBalance(ctx: Context, addr: Uint8Array, denom: string): bigint {
    const b = ctx.kvStore(StoreKey).get(balanceKey(addr, denom));
    return b ? parseStoredAmount(b) : 0n;
  }

  getAllBalances(ctx: Context, addr: Uint8Array): Coins {
    const out: Coin[] = [];
    for (const [k, v] of prefixIterator(ctx.kvStore(StoreKey), balancesPrefixOf(addr))) {
      out.push({ denom: fromUtf8(k), amount: parseStoredAmount(v) });
    }
    return out;
  }

  /** Without vesting accounts every coin an account holds is spendable. */
  spendableCoins(ctx: Context, addr: Uint8Array): Coins {
    return this.getAllBalances(ctx, addr);
  }

  /** `previous` is the balance being replaced (the caller has just read it). */
  private setBalance(ctx: Context, addr: Uint8Array, denom: string, amount: bigint, previous: bigint): void {
    const store = ctx.kvStore(StoreKey);
    if (amount === 0n) {
      store.delete(balanceKey(addr, denom));
      store.delete(denomAddressKey(denom, addr));
    } else {
      store.set(balanceKey(addr, denom), encodeAmount(amount));
      // The holder index changes only when a holder appears. The marker is non-empty because
      // ICS23 can prove neither an empty value nor the absence of keys next to one.
      if (previous === 0n) store.set(denomAddressKey(denom, addr), DENOM_OWNER_MARKER);
    }
  }

  /** Every (address, balance) in store order: for genesis export and invariants. */
  *iterateAllBalances(ctx: Context): Generator<{ address: Uint8Array; denom: string; amount: bigint }> {
    for (const [k, v] of prefixIterator(ctx.kvStore(StoreKey), BalancesPrefix)) {
      const len = k[0]!;
      yield {
        address: k.subarray(1, 1 + len),
        denom: fromUtf8(k.subarray(1 + len)),
        amount: parseStoredAmount(v),
      };
    }
  }

  /** Holders of a denom, from the reverse index, in address-key order. */
  *iterateDenomOwners(ctx: Context, denom: string): Generator<Uint8Array> {
    for (const [k] of prefixIterator(ctx.kvStore(StoreKey), denomAddressPrefixOf(denom)))
      yield k.subarray(1, 1 + k[0]!);
  }

  subUnlockedCoins(ctx: Context, addr: Uint8Array, coins: Coins): void {
    for (const c of coins) {
      const have = this.getBalance(ctx, addr, c.denom);
      if (have < c.amount) {
        throw ErrInsufficientFunds.wrap(
          `spendable balance ${have}${c.denom} is smaller than ${c.amount}${c.denom}`,
        );
      }
      this.setBalance(ctx, addr, c.denom, have - c.amount, have);
    }
    ctx.events.emit(ev.EventTypeCoinSpent, [
      [ev.AttributeKeySpender, addressToBech32(addr)],
      [ev.AttributeKeyAmount, coinsToString(coins)],
    ]);
  }

  addCoins(ctx: Context, addr: Uint8Array, coins: Coins): void {
    for (const c of coins) {
      const have = this.getBalance(ctx, addr, c.denom);
      this.setBalance(ctx, addr, c.denom, have + c.amount, have);
    }
    ctx.events.emit(ev.EventTypeCoinReceived, [
      [ev.AttributeKeyReceiver, addressToBech32(addr)],
      [ev.AttributeKeyAmount, coinsToString(coins)],
    ]);
  }

  sendCoins(ctx: Context, from: Uint8Array, to: Uint8Array, coins: Coins): void {
    this.subUnlockedCoins(ctx, from, coins);
    this.addCoins(ctx, to, coins);
    // Sending to an address creates its account, as the SDK does.
    if (!this.ak.hasAccount(ctx, to)) this.ak.setAccount(ctx, this.ak.newAccount(ctx, to));
    ctx.events.emit(ev.EventTypeTransfer, [
      [ev.AttributeKeyRecipient, addressToBech32(to)],
      [ev.AttributeKeySender, addressToBech32(from)],
      [ev.AttributeKeyAmount, coinsToString(coins)],
    ]);
    ctx.events.emit(EventTypeMessage, [[MsgSenderKey, addressToBech32(from)]]);
  }

  /** One input to many outputs (MsgMultiSend); the caller checks that the sums match. */
  inputOutputCoins(
    ctx: Context,
    input: { address: Uint8Array; coins: Coins },
    outputs: { address: Uint8Array; coins: Coins }[],
  ): void {
    this.subUnlockedCoins(ctx, input.address, input.coins);
    ctx.events.emit(EventTypeMessage, [[MsgSenderKey, addressToBech32(input.address)]]);
    for (const out of outputs) {
      this.addCoins(ctx, out.address, out.coins);
      if (!this.ak.hasAccount(ctx, out.address))
        this.ak.setAccount(ctx, this.ak.newAccount(ctx, out.address));
      ctx.events.emit(ev.EventTypeTransfer, [
        [ev.AttributeKeyRecipient, addressToBech32(out.address)],
        [ev.AttributeKeyAmount, coinsToString(out.coins)],
      ]);
    }
  }

  /** Module accounts cannot receive user sends: funds there would be unreachable or corrupt accounting. */
  isBlockedAddress(addr: Uint8Array): boolean {
    return this.ak.isModuleAddress(addr);
  }

  sendCoinsFromAccountToModule(ctx: Context, from: Uint8Array, module: string, coins: Coins): void {
    this.sendCoins(ctx, from, this.ak.getModuleAccount(ctx, module).address, coins);
  }

  sendCoinsFromModuleToAccount(ctx: Context, module: string, to: Uint8Array, coins: Coins): void {
    if (this.isBlockedAddress(to))
      throw ErrUnauthorized.wrap(`${addressToBech32(to)} is not allowed to receive funds`);
    this.sendCoins(ctx, this.ak.getModuleAccount(ctx, module).address, to, coins);
  }

  sendCoinsFromModuleToModule(ctx: Context, from: string, to: string, coins: Coins): void {
    this.sendCoins(
      ctx,
      this.ak.getModuleAccount(ctx, from).address,
      this.ak.getModuleAccount(ctx, to).address,
      coins,
    );
  }

  // --- supply -----------------------------------------------------------------------------

  getSupply(ctx: Context, denom: string): bigint {
    const b = ctx.kvStore(StoreKey).get(supplyKey(denom));
    return b ? parseStoredAmount(b) : 0n;
  }

  setSupply(ctx: Context, denom: string, amount: bigint): void {
    if (amount === 0n) ctx.kvStore(StoreKey).delete(supplyKey(denom));
    else ctx.kvStore(StoreKey).set(supplyKey(denom), encodeAmount(amount));
  }

  *iterateTotalSupply(ctx: Context): Generator<Coin> {
    for (const [k, v] of prefixIterator(ctx.kvStore(StoreKey), SupplyPrefix)) {
      yield { denom: fromUtf8(k), amount: parseStoredAmount(v) };
    }
  }

  mintCoins(ctx: Context, module: string, coins: Coins): void {
    if (!this.ak.hasPermission(module, Minter))
      throw ErrUnauthorized.wrap(`module account ${module} does not have permissions to mint tokens`);
    if (coins.length === 0) return;
    const acc = this.ak.getModuleAccount(ctx, module);
    this.addCoins(ctx, acc.address, coins);
    for (const c of coins) this.setSupply(ctx, c.denom, this.getSupply(ctx, c.denom) + c.amount);
    ctx.events.emit(ev.EventTypeCoinMint, [
      [ev.AttributeKeyMinter, addressToBech32(acc.address)],
      [ev.AttributeKeyAmount, coinsToString(coins)],
    ]);
  }

  burnCoins(ctx: Context, module: string, coins: Coins): void {
    if (!this.ak.hasPermission(module, Burner))
      throw ErrUnauthorized.wrap(`module account ${module} does not have permissions to burn tokens`);
    if (coins.length === 0) return;
    const acc = this.ak.getModuleAccount(ctx, module);
    this.subUnlockedCoins(ctx, acc.address, coins);
    for (const c of coins) {
      const s = this.getSupply(ctx, c.denom);
      if (s < c.amount) throw ErrInvalidCoins.wrap(`burning ${c.amount}${c.denom} exceeds supply`);
      this.setSupply(ctx, c.denom, s - c.amount);
    }
    ctx.events.emit(ev.EventTypeCoinBurn, [
      [ev.AttributeKeyBurner, addressToBech32(acc.address)],
      [ev.AttributeKeyAmount, coinsToString(coins)],
    ]);
  }

  // --- denom metadata ---------------------------------------------------------------------

  getDenomMetadata(ctx: Context, denom: string): Metadata | undefined {
    const b = ctx.kvStore(StoreKey).get(denomMetadataKey(denom));
    return b ? MetadataCodec.decode(b) : undefined;
  }

  setDenomMetadata(ctx: Context, m: Metadata): void {
    ctx.kvStore(StoreKey).set(denomMetadataKey(m.base), encodeProto(MetadataCodec, m));
  }

  *iterateDenomMetadata(ctx: Context): Generator<Metadata> {
    for (const [, v] of prefixIterator(ctx.kvStore(StoreKey), DenomMetadataPrefix))
      yield MetadataCodec.decode(v);
  }

  /** Sum of every balance, per denom: what the supply invariant compares against. */
  sumOfBalances(ctx: Context): Coins {
    return normalizeCoins(
      [...this.iterateAllBalances(ctx)].map((b) => ({ denom: b.denom, amount: b.amount })),
    );
  }
}
