/**
 * Test harness for the marketplace modules: a memory multistore, real auth and bank keepers,
 * the three Hearth modules wired as app.ts will wire them, a fake community pool, and a block
 * driver (txs in branches that are discarded on error, end blockers escrow → provider → market).
 */
import { createHash } from 'node:crypto';
import { marketV1 } from '@hearth/sdk';
import { openMemoryCommitMultiStore, type RootCommitMultiStore } from '../../../../store/index.js';
import type { CacheMultiStore } from '../../../../store/types.js';
import { addressToBech32, moduleAddress } from '../../../types/address.js';
import type { Coins } from '../../../types/coins.js';
import { Context } from '../../../types/context.js';
import { SdkError } from '../../../types/errors.js';
import { type Event, EventManager } from '../../../types/events.js';
import type { AppModule, MsgHandler } from '../../../types/module.js';
import type { TsProtoCodec } from '../../../types/tsproto.js';
import { AuthKeeper } from '../../auth/keeper.js';
import { StoreKey as AuthStoreKey, Minter } from '../../auth/keys.js';
import { BankKeeper } from '../../bank/keeper.js';
import { StoreKey as BankStoreKey } from '../../bank/keys.js';
import type { EscrowKeeper } from '../../escrow/keeper.js';
import { type EscrowParams, localnetEscrowParams } from '../../escrow/params.js';
import type { ProviderKeeper } from '../../provider/keeper.js';
import { localnetProviderParams, type ProviderParams } from '../../provider/params.js';
import type { MarketKeeper } from '../keeper.js';
import { createMarketplace, MARKETPLACE_MODULE_PERMISSIONS, MARKETPLACE_STORE_KEYS } from '../marketplace.js';
import { localnetMarketParams, type MarketParams } from '../params.js';

export const DENOM = 'uhth';
export const STORE_NAMES = [AuthStoreKey, BankStoreKey, ...MARKETPLACE_STORE_KEYS].sort();
/** Module accounts and permissions the lead wires into app.ts (plus test-only mint/distribution). */
export const MODULE_PERMISSIONS: Record<string, readonly string[]> = {
  ...MARKETPLACE_MODULE_PERMISSIONS,
  distribution: [],
  mint: [Minter],
};

export const gov = moduleAddress('gov');

export function addr(label: string): Uint8Array {
  return createHash('sha256').update(`hearth-test/${label}`).digest().subarray(0, 20);
}
export const bech = (a: Uint8Array) => addressToBech32(a);

export interface TxResult {
  ok: boolean;
  error?: SdkError;
  events: Event[];
}

export class Harness {
  height = 1n;
  block!: CacheMultiStore;
  readonly auth = new AuthKeeper(MODULE_PERMISSIONS);
  readonly bank = new BankKeeper(this.auth);
  readonly escrow: EscrowKeeper;
  readonly provider: ProviderKeeper;
  readonly market: MarketKeeper;
  readonly modules: AppModule[];
  readonly endBlockOrder: readonly string[];
  readonly handlers = new Map<string, MsgHandler<any>>();
  /** Coins created by `fund` (the only minting in these tests). */
  minted = 0n;
  blockEvents: Event[] = [];

  private constructor(readonly store: RootCommitMultiStore) {
    const distr = {
      fundCommunityPool: (ctx: Context, coins: Coins, from: Uint8Array) =>
        this.bank.sendCoins(ctx, from, this.auth.moduleAddress('distribution'), coins),
    };
    const mp = createMarketplace({ bank: this.bank, auth: this.auth, distribution: distr, authority: gov });
    this.escrow = mp.escrow;
    this.provider = mp.provider;
    this.market = mp.market;
    this.modules = mp.modules;
    this.endBlockOrder = mp.endBlockOrder;
    for (const m of this.modules) for (const h of m.msgHandlers ?? []) this.handlers.set(h.typeUrl, h);
  }

  static async create(
    opts: {
      provider?: Partial<ProviderParams>;
      market?: Partial<MarketParams>;
      escrow?: Partial<EscrowParams>;
    } = {},
  ): Promise<Harness> {
    const store = await openMemoryCommitMultiStore({ storeNames: STORE_NAMES, keepRecent: 0 });
    const h = new Harness(store);
    h.block = store.cacheMultiStore();
    const ctx = h.ctx();
    h.bank.setParams(ctx, { sendEnabled: [], defaultSendEnabled: true });
    h.provider.setParams(ctx, { ...localnetProviderParams(), ...opts.provider });
    h.market.setParams(ctx, { ...localnetMarketParams(), ...opts.market });
    h.escrow.setParams(ctx, { ...localnetEscrowParams(), ...opts.escrow });
    return h;
  }

  ctx(events = new EventManager()): Context {
    return new Context(
      this.block,
      {
        chainId: 'hearth-test',
        height: this.height,
        timeNs: this.height * 6_000_000_000n,
        proposer: new Uint8Array(20),
      },
      'finalize',
      undefined,
      events,
    );
  }

  fund(who: Uint8Array, amount: bigint, denom = DENOM): void {
    const ctx = this.ctx();
    this.bank.mintCoins(ctx, 'mint', [{ denom, amount }]);
    this.bank.sendCoinsFromModuleToAccount(ctx, 'mint', who, [{ denom, amount }]);
    if (denom === DENOM) this.minted += amount;
  }

  balance(who: Uint8Array, denom = DENOM): bigint {
    return this.bank.getBalance(this.ctx(), who, denom);
  }

  moduleBalance(name: string, denom = DENOM): bigint {
    return this.balance(this.auth.moduleAddress(name), denom);
  }

  /** Runs one message as a tx of its own: encoded, decoded, checked, handled in a branch. */
  tx<T>(codec: TsProtoCodec<T>, value: Partial<T>, signer?: Uint8Array): TxResult {
    const h = this.handlers.get(`/${codec.$type}`);
    if (!h) throw new Error(`no handler for ${codec.$type}`);
    const msg = h.decode(codec.encode(codec.fromPartial(value as never)).finish());
    const branch = this.block.cacheMultiStore();
    const events = new EventManager();
    const ctx = this.ctx(events).withStore(branch);
    try {
      const signers = h.signers(msg);
      if (signer && (signers.length !== 1 || Buffer.compare(signers[0]!, signer) !== 0))
        throw new Error('test signer does not match the message signer');
      h.validateBasic(msg);
      h.handle(ctx, msg);
      branch.write();
      return { ok: true, events: events.events() };
    } catch (e) {
      if (!(e instanceof SdkError)) throw e;
      return { ok: false, error: e, events: [] };
    }
  }

  /** Like `tx`, but throws when the message fails. */
  must<T>(codec: TsProtoCodec<T>, value: Partial<T>): Event[] {
    const r = this.tx(codec, value);
    if (!r.ok) throw new Error(`${codec.$type} failed: ${r.error?.message}`);
    return r.events;
  }

  /** Ends the current block (end blockers in app order), commits and starts the next. */
  async endBlock(): Promise<Event[]> {
    const events = new EventManager();
    const ctx = this.ctx(events);
    for (const name of this.endBlockOrder) this.modules.find((x) => x.name === name)?.endBlock?.(ctx);
    this.block.write();
    await this.store.commit();
    this.height += 1n;
    this.block = this.store.cacheMultiStore();
    this.blockEvents = events.events();
    return this.blockEvents;
  }

  async advance(n: number): Promise<Event[]> {
    const all: Event[] = [];
    for (let i = 0; i < n; i++) all.push(...(await this.endBlock()));
    return all;
  }

  /** Every invariant of the three modules, plus conservation of the test denom. */
  brokenInvariants(): string[] {
    const ctx = this.ctx();
    const out: string[] = [];
    for (const m of this.modules)
      for (const inv of m.invariants ?? []) {
        const r = inv.check(ctx);
        if (r) out.push(`${inv.name}: ${r}`);
      }
    let total = 0n;
    for (const b of this.bank.iterateAllBalances(ctx)) if (b.denom === DENOM) total += b.amount;
    if (total !== this.minted) out.push(`conservation: balances add up to ${total}, minted ${this.minted}`);
    if (this.bank.getSupply(ctx, DENOM) !== this.minted) out.push('conservation: supply differs from minted');
    return out;
  }

  /** A digest of every store's contents, to prove a failed message changed nothing. */
  stateDigest(): string {
    const h = createHash('sha256');
    for (const name of STORE_NAMES) {
      h.update(name);
      for (const [k, v] of this.block.getKVStore(name).iterator()) {
        h.update(k);
        h.update(v);
      }
    }
    return h.digest('hex');
  }
}

// --- message builders ------------------------------------------------------------------------

export function resources(
  price: string,
  count = 1,
  extra: Partial<marketV1.ResourceUnit> = {},
): marketV1.ResourceUnit {
  return marketV1.ResourceUnit.fromPartial({
    cpuMillicores: 1000n,
    memoryBytes: 1n << 30n,
    storage: [{ name: 'data', bytes: 1n << 30n }],
    endpoints: 1,
    count,
    price: { denom: DENOM, amount: price },
    ...extra,
  });
}

export function groupSpec(
  name: string,
  price: string,
  extra: Partial<marketV1.GroupSpec> = {},
): marketV1.GroupSpec {
  return marketV1.GroupSpec.fromPartial({ name, resources: [resources(price)], ...extra });
}

export const attrOf = (ev: Event, key: string) => ev.attributes.find((a) => a.key === key)?.value;
export const eventsOf = (evs: Event[], type: string) => evs.filter((e) => e.type === type);
