/**
 * x/market: deployments, groups, orders, bids and leases (after Akash's x/deployment and
 * x/market), with what Akash's users asked for: open bids and orders expire, every state change
 * emits an event (lease closures included, with a reason), losing bids are refunded one by one
 * so that one failure cannot lock the others, leases stop in the block their escrow runs out,
 * and providers that close leases early forfeit part of their bid deposit to the tenant.
 *
 * Bid deposits sit in the `market` module account: bank(market) == Σ deposits of open and
 * active bids.
 */
import { escrowV1, marketV1 } from '@hearth/sdk';
import type { CacheMultiStore } from '../../../store/types.js';
import { addressFromBech32, addressToBech32 } from '../../types/address.js';
import type { Context } from '../../types/context.js';
import {
  type DecAmount,
  decCoinFromProto,
  decCoinToProto,
  mulIntFloor,
  parseFraction,
} from '../../types/decCoin.js';
import { ErrLogic } from '../../types/errors.js';
import { EventManager } from '../../types/events.js';
import { prefixIterator, readU64BE } from '../../types/keys.js';
import type { EscrowHooks } from '../escrow/expectedKeepers.js';
import type { ProviderHooks } from '../provider/expectedKeepers.js';
import {
  ErrBidDepositTooLow,
  ErrBidExists,
  ErrBidNotFound,
  ErrBidState,
  ErrDeploymentClosed,
  ErrDeploymentExists,
  ErrDeploymentNotFound,
  ErrDepositTooLow,
  ErrEscrowOverdrawn,
  ErrGroupNotFound,
  ErrGroupState,
  ErrInvalidDenom,
  ErrLeaseNotActive,
  ErrLeaseNotFound,
  ErrOrderNotFound,
  ErrOrderNotOpen,
  ErrPriceTooHigh,
  ErrRequirementsNotMet,
  ErrTooManyBids,
} from './errors.js';
import * as ev from './events.js';
import type { MarketBankKeeper, MarketEscrowKeeper, MarketProviderKeeper } from './expectedKeepers.js';
import {
  type BId,
  BidExpiryPrefix,
  BidPrefix,
  bidByProviderKey,
  bidExpiryKey,
  bidKey,
  bidsOfOrderPrefix,
  bidsOfProviderPrefix,
  DeploymentPrefix,
  type DId,
  deploymentKey,
  type GId,
  GroupPrefix,
  groupKey,
  groupsOfDeploymentPrefix,
  LeasePrefix,
  leaseByProviderKey,
  leaseKey,
  leasesOfOrderPrefix,
  leasesOfProviderPrefix,
  ModuleName,
  type OId,
  OrderExpiryPrefix,
  OrderPrefix,
  orderExpiryKey,
  orderKey,
  ParamsKey,
  readOPart,
  StoreKey,
} from './keys.js';
import type { MarketParams } from './params.js';

const M = marketV1;
const { DeploymentState, GroupState, OrderState, BidState, LeaseState, LeaseCloseReason } = marketV1;
type Deployment = marketV1.Deployment;
type Group = marketV1.Group;
type Order = marketV1.Order;
type Bid = marketV1.Bid;
type Lease = marketV1.Lease;
type GroupSpec = marketV1.GroupSpec;

const amt = (c: { amount: string } | undefined): bigint => BigInt(c?.amount ?? '0');
const eq = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0;

export const toBId = (x: marketV1.BidID): BId => ({
  owner: addressFromBech32(x.owner),
  dseq: x.dseq,
  gseq: x.gseq,
  oseq: x.oseq,
  provider: addressFromBech32(x.provider),
});
const protoBId = (id: BId): marketV1.BidID => ({
  owner: addressToBech32(id.owner),
  dseq: id.dseq,
  gseq: id.gseq,
  oseq: id.oseq,
  provider: addressToBech32(id.provider),
});
const protoGId = (id: GId): marketV1.GroupID => ({
  owner: addressToBech32(id.owner),
  dseq: id.dseq,
  gseq: id.gseq,
});
const rawG = (g: marketV1.GroupID): GId => ({
  owner: addressFromBech32(g.owner),
  dseq: g.dseq,
  gseq: g.gseq,
});
const rawO = (o: marketV1.OrderID): OId => ({ ...rawG(o), oseq: o.oseq });

function idAttrs(id: {
  owner: string;
  dseq: bigint;
  gseq?: number;
  oseq?: number;
  provider?: string;
}): [string, string][] {
  const out: [string, string][] = [
    [ev.AttrOwner, id.owner],
    [ev.AttrDseq, id.dseq.toString()],
  ];
  if (id.gseq !== undefined) out.push([ev.AttrGseq, String(id.gseq)]);
  if (id.oseq !== undefined) out.push([ev.AttrOseq, String(id.oseq)]);
  if (id.provider !== undefined) out.push([ev.AttrProvider, id.provider]);
  return out;
}

/** Sum over a group's resources of price * count. */
export function groupPrice(spec: GroupSpec): DecAmount {
  let denom = '';
  let total = 0n;
  for (const r of spec.resources) {
    const p = decCoinFromProto(r.price, 'price');
    denom = p.denom;
    total += p.amount * BigInt(r.count);
  }
  return { denom, amount: total };
}

type LeaseOutcome = 'owner' | 'provider' | 'fault' | 'decommission' | 'insufficient_funds';

export class MarketKeeper implements EscrowHooks, ProviderHooks {
  constructor(
    private readonly bank: MarketBankKeeper,
    private readonly providers: MarketProviderKeeper,
    private readonly escrow: MarketEscrowKeeper,
    readonly authority: Uint8Array,
  ) {}

  // --- params and records ------------------------------------------------------------------

  getParams(ctx: Context): MarketParams {
    const b = ctx.kvStore(StoreKey).get(ParamsKey);
    if (!b) throw ErrLogic.wrap('market params are not set');
    return M.Params.decode(b);
  }

  setParams(ctx: Context, p: MarketParams): void {
    ctx.kvStore(StoreKey).set(ParamsKey, M.Params.encode(p).finish());
  }

  getDeployment(ctx: Context, id: DId): Deployment | undefined {
    const b = ctx.kvStore(StoreKey).get(deploymentKey(id));
    return b ? M.Deployment.decode(b) : undefined;
  }
  setDeployment(ctx: Context, d: Deployment): void {
    const id = { owner: addressFromBech32(d.id!.owner), dseq: d.id!.dseq };
    ctx.kvStore(StoreKey).set(deploymentKey(id), M.Deployment.encode(d).finish());
  }
  getGroup(ctx: Context, id: GId): Group | undefined {
    const b = ctx.kvStore(StoreKey).get(groupKey(id));
    return b ? M.Group.decode(b) : undefined;
  }
  setGroup(ctx: Context, g: Group): void {
    ctx.kvStore(StoreKey).set(groupKey(rawG(g.id!)), M.Group.encode(g).finish());
  }
  getOrder(ctx: Context, id: OId): Order | undefined {
    const b = ctx.kvStore(StoreKey).get(orderKey(id));
    return b ? M.Order.decode(b) : undefined;
  }
  /** Writes the order, keeping the order expiry index for open orders. */
  setOrder(ctx: Context, o: Order): void {
    const store = ctx.kvStore(StoreKey);
    const id = rawO(o.id!);
    const old = this.getOrder(ctx, id);
    if (old?.state === OrderState.ORDER_STATE_OPEN && old.expiresAt !== 0n)
      store.delete(orderExpiryKey(old.expiresAt, id));
    if (o.state === OrderState.ORDER_STATE_OPEN && o.expiresAt !== 0n)
      store.set(orderExpiryKey(o.expiresAt, id), Uint8Array.of(1));
    store.set(orderKey(id), M.Order.encode(o).finish());
  }
  getBid(ctx: Context, id: BId): Bid | undefined {
    const b = ctx.kvStore(StoreKey).get(bidKey(id));
    return b ? M.Bid.decode(b) : undefined;
  }
  /** Writes the bid, keeping the provider index and the expiry index for open bids. */
  setBid(ctx: Context, b: Bid): void {
    const store = ctx.kvStore(StoreKey);
    const id = toBId(b.id!);
    const old = this.getBid(ctx, id);
    if (old?.state === BidState.BID_STATE_OPEN) store.delete(bidExpiryKey(old.expiresAt, id));
    if (b.state === BidState.BID_STATE_OPEN) store.set(bidExpiryKey(b.expiresAt, id), Uint8Array.of(1));
    store.set(bidByProviderKey(id), Uint8Array.of(1));
    store.set(bidKey(id), M.Bid.encode(b).finish());
  }
  getLease(ctx: Context, id: BId): Lease | undefined {
    const b = ctx.kvStore(StoreKey).get(leaseKey(id));
    return b ? M.Lease.decode(b) : undefined;
  }
  setLease(ctx: Context, l: Lease): void {
    const id = toBId(l.id!);
    const store = ctx.kvStore(StoreKey);
    store.set(leaseByProviderKey(id), Uint8Array.of(1));
    store.set(leaseKey(id), M.Lease.encode(l).finish());
  }

  *iterate<T>(ctx: Context, prefix: Uint8Array, codec: { decode(b: Uint8Array): T }): Generator<T> {
    for (const [, v] of prefixIterator(ctx.kvStore(StoreKey), prefix)) yield codec.decode(v);
  }
  deployments = (ctx: Context) => this.iterate(ctx, DeploymentPrefix, M.Deployment);
  groups = (ctx: Context) => this.iterate(ctx, GroupPrefix, M.Group);
  orders = (ctx: Context) => this.iterate(ctx, OrderPrefix, M.Order);
  bids = (ctx: Context) => this.iterate(ctx, BidPrefix, M.Bid);
  leases = (ctx: Context) => this.iterate(ctx, LeasePrefix, M.Lease);

  mustDeployment(ctx: Context, id: DId): Deployment {
    const d = this.getDeployment(ctx, id);
    if (!d) throw ErrDeploymentNotFound.wrap(`${addressToBech32(id.owner)}/${id.dseq}`);
    return d;
  }
  mustActiveDeployment(ctx: Context, id: DId): Deployment {
    const d = this.mustDeployment(ctx, id);
    if (d.state !== DeploymentState.DEPLOYMENT_STATE_ACTIVE)
      throw ErrDeploymentClosed.wrap(`${d.id!.owner}/${d.id!.dseq}`);
    return d;
  }
  mustGroup(ctx: Context, id: GId): Group {
    const g = this.getGroup(ctx, id);
    if (!g) throw ErrGroupNotFound.wrap(`${addressToBech32(id.owner)}/${id.dseq}/${id.gseq}`);
    return g;
  }

  private groupsOf(ctx: Context, id: DId): Group[] {
    return [...this.iterate(ctx, groupsOfDeploymentPrefix(id), M.Group)];
  }

  private emitGroup(ctx: Context, g: Group): void {
    ctx.events.emit(ev.EventTypeGroupState, [...idAttrs(g.id!), [ev.AttrState, GroupState[g.state]!]]);
  }

  // --- deployments ---------------------------------------------------------------------------

  createDeployment(
    ctx: Context,
    owner: Uint8Array,
    dseq: bigint,
    specs: GroupSpec[],
    manifestHash: Uint8Array,
    deposit: { denom: string; amount: bigint },
  ): void {
    const params = this.getParams(ctx);
    const id = { owner, dseq };
    if (this.getDeployment(ctx, id)) throw ErrDeploymentExists.wrap(`${addressToBech32(owner)}/${dseq}`);
    const denom = params.minDeposit!.denom;
    if (deposit.denom !== denom) throw ErrInvalidDenom.wrap(`deposit must be in ${denom}`);
    if (deposit.amount < amt(params.minDeposit))
      throw ErrDepositTooLow.wrap(`${deposit.amount}${denom} < ${params.minDeposit!.amount}${denom}`);
    for (const s of specs)
      for (const r of s.resources)
        if (r.price?.denom !== denom)
          throw ErrInvalidDenom.wrap(`prices must be in ${denom}, got ${r.price?.denom}`);
    const h = ctx.header.height;
    const d: Deployment = {
      id: { owner: addressToBech32(owner), dseq },
      state: DeploymentState.DEPLOYMENT_STATE_ACTIVE,
      manifestHash,
      createdAt: h,
      denom,
      groupCount: specs.length,
    };
    this.setDeployment(ctx, d);
    ctx.events.emit(ev.EventTypeDeploymentCreated, [
      ...idAttrs(d.id!),
      [ev.AttrManifestHash, Buffer.from(manifestHash).toString('hex')],
    ]);
    this.escrow.createAccount(ctx, owner, dseq, denom, deposit.amount);
    specs.forEach((spec, i) => {
      const g: Group = {
        id: protoGId({ owner, dseq, gseq: i + 1 }),
        state: GroupState.GROUP_STATE_OPEN,
        spec,
        createdAt: h,
        lastOseq: 0,
      };
      this.emitGroup(ctx, g);
      this.openOrder(ctx, g, params);
    });
  }

  updateDeployment(ctx: Context, id: DId, manifestHash: Uint8Array): void {
    const d = this.mustActiveDeployment(ctx, id);
    d.manifestHash = manifestHash;
    this.setDeployment(ctx, d);
    ctx.events.emit(ev.EventTypeDeploymentUpdated, [
      ...idAttrs(d.id!),
      [ev.AttrManifestHash, Buffer.from(manifestHash).toString('hex')],
    ]);
  }

  closeDeployment(ctx: Context, id: DId): void {
    const d = this.mustActiveDeployment(ctx, id);
    this.escrow.settle(ctx, id.owner, id.dseq);
    for (const g of this.groupsOf(ctx, id)) {
      if (g.state !== GroupState.GROUP_STATE_CLOSED) this.stopGroup(ctx, g, GroupState.GROUP_STATE_CLOSED);
    }
    this.escrow.closeAccount(ctx, id.owner, id.dseq);
    d.state = DeploymentState.DEPLOYMENT_STATE_CLOSED;
    this.setDeployment(ctx, d);
    ctx.events.emit(ev.EventTypeDeploymentClosed, idAttrs(d.id!));
  }

  // --- groups and orders ---------------------------------------------------------------------

  private openOrder(ctx: Context, g: Group, params: MarketParams): Order {
    const h = ctx.header.height;
    g.lastOseq += 1;
    this.setGroup(ctx, g);
    const price = groupPrice(g.spec!);
    const o: Order = {
      id: { ...g.id!, oseq: g.lastOseq },
      state: OrderState.ORDER_STATE_OPEN,
      price: decCoinToProto(price),
      createdAt: h,
      openBids: 0,
      expiresAt: params.orderTtlBlocks === 0n ? 0n : h + params.orderTtlBlocks,
    };
    this.setOrder(ctx, o);
    ctx.events.emit(ev.EventTypeOrderCreated, [
      ...idAttrs(o.id!),
      [ev.AttrPrice, `${o.price!.amount}${o.price!.denom}`],
    ]);
    return o;
  }

  private currentOrder(ctx: Context, g: Group): Order | undefined {
    if (g.lastOseq === 0) return undefined;
    return this.getOrder(ctx, { ...rawG(g.id!), oseq: g.lastOseq });
  }

  private activeLeaseOf(ctx: Context, o: Order): Lease | undefined {
    for (const l of this.iterate(ctx, leasesOfOrderPrefix(rawO(o.id!)), M.Lease))
      if (l.state === LeaseState.LEASE_STATE_ACTIVE) return l;
    return undefined;
  }

  /** Closes the group's current order (and its lease or open bids) and moves the group to `state`. */
  private stopGroup(
    ctx: Context,
    g: Group,
    state: marketV1.GroupState,
    leaseOutcome: LeaseOutcome = 'owner',
  ): void {
    const o = this.currentOrder(ctx, g);
    if (o && o.state === OrderState.ORDER_STATE_ACTIVE) {
      const l = this.activeLeaseOf(ctx, o);
      if (l) this.endLease(ctx, l, leaseOutcome);
    }
    const o2 = this.currentOrder(ctx, g);
    if (o2 && o2.state !== OrderState.ORDER_STATE_CLOSED) this.closeOrder(ctx, o2);
    const fresh = this.mustGroup(ctx, rawG(g.id!));
    fresh.state = state;
    this.setGroup(ctx, fresh);
    this.emitGroup(ctx, fresh);
  }

  private closeOrder(ctx: Context, o: Order, expired = false): void {
    this.closeOpenBids(ctx, o, BidState.BID_STATE_CLOSED);
    const fresh = this.getOrder(ctx, rawO(o.id!))!;
    fresh.state = OrderState.ORDER_STATE_CLOSED;
    this.setOrder(ctx, fresh);
    ctx.events.emit(ev.EventTypeOrderClosed, [
      ...idAttrs(fresh.id!),
      [ev.AttrReason, expired ? 'expired' : 'closed'],
    ]);
  }

  pauseGroup(ctx: Context, id: GId): void {
    this.mustActiveDeployment(ctx, id);
    const g = this.mustGroup(ctx, id);
    if (g.state !== GroupState.GROUP_STATE_OPEN)
      throw ErrGroupState.wrap(`group is ${GroupState[g.state]}, not open`);
    this.stopGroup(ctx, g, GroupState.GROUP_STATE_PAUSED);
  }

  startGroup(ctx: Context, id: GId): void {
    this.mustActiveDeployment(ctx, id);
    const g = this.mustGroup(ctx, id);
    if (g.state !== GroupState.GROUP_STATE_PAUSED)
      throw ErrGroupState.wrap(`group is ${GroupState[g.state]}, not paused`);
    this.escrow.settle(ctx, id.owner, id.dseq);
    const acct = this.escrow.getAccount(ctx, id.owner, id.dseq);
    if (acct && acct.state !== escrowV1.AccountState.ACCOUNT_STATE_OPEN) throw ErrEscrowOverdrawn;
    const fresh = this.mustGroup(ctx, id);
    fresh.state = GroupState.GROUP_STATE_OPEN;
    this.emitGroup(ctx, fresh);
    this.openOrder(ctx, fresh, this.getParams(ctx));
  }

  closeGroup(ctx: Context, id: GId): void {
    this.mustActiveDeployment(ctx, id);
    const g = this.mustGroup(ctx, id);
    if (g.state === GroupState.GROUP_STATE_CLOSED) throw ErrGroupState.wrap('group is already closed');
    this.escrow.settle(ctx, id.owner, id.dseq);
    this.stopGroup(ctx, this.mustGroup(ctx, id), GroupState.GROUP_STATE_CLOSED);
  }

  // --- bids ----------------------------------------------------------------------------------

  createBid(
    ctx: Context,
    provider: Uint8Array,
    oid: OId,
    price: DecAmount,
    deposit: { denom: string; amount: bigint },
  ): void {
    const params = this.getParams(ctx);
    this.mustActiveDeployment(ctx, oid);
    const o = this.getOrder(ctx, oid);
    if (!o) throw ErrOrderNotFound;
    if (o.state !== OrderState.ORDER_STATE_OPEN) throw ErrOrderNotOpen.wrap(OrderState[o.state]!);
    const g = this.mustGroup(ctx, oid);
    if (g.state !== GroupState.GROUP_STATE_OPEN) throw ErrGroupState.wrap(`group is ${GroupState[g.state]}`);
    const orderPrice = decCoinFromProto(o.price, 'order price');
    if (price.denom !== orderPrice.denom) throw ErrInvalidDenom.wrap(`price must be in ${orderPrice.denom}`);
    if (price.amount > orderPrice.amount)
      throw ErrPriceTooHigh.wrap(`${decCoinToProto(price).amount} > ${o.price!.amount}`);
    const min = params.bidMinDeposit!;
    if (deposit.denom !== min.denom) throw ErrInvalidDenom.wrap(`bid deposit must be in ${min.denom}`);
    if (deposit.amount < amt(min)) throw ErrBidDepositTooLow.wrap(`${deposit.amount} < ${min.amount}`);
    const id: BId = { ...oid, provider };
    if (this.getBid(ctx, id)) throw ErrBidExists;
    if (o.openBids >= params.orderMaxBids) throw ErrTooManyBids.wrap(`max ${params.orderMaxBids}`);
    const p = this.providers.assertCanBid(ctx, provider);
    this.checkRequirements(ctx, provider, p.attributes, g.spec!);
    this.bank.sendCoinsFromAccountToModule(ctx, provider, ModuleName, [deposit]);
    const h = ctx.header.height;
    const b: Bid = {
      id: protoBId(id),
      state: BidState.BID_STATE_OPEN,
      price: decCoinToProto(price),
      deposit: { denom: deposit.denom, amount: deposit.amount.toString() },
      createdAt: h,
      expiresAt: h + params.bidTtlBlocks,
    };
    this.setBid(ctx, b);
    o.openBids += 1;
    this.setOrder(ctx, o);
    this.providers.onBidOpened(ctx, provider);
    ctx.events.emit(ev.EventTypeBidCreated, [
      ...idAttrs(b.id!),
      [ev.AttrPrice, `${b.price!.amount}${b.price!.denom}`],
      [ev.AttrAmount, `${deposit.amount}${deposit.denom}`],
    ]);
  }

  private checkRequirements(
    ctx: Context,
    provider: Uint8Array,
    attrs: { key: string; value: string }[],
    spec: GroupSpec,
  ): void {
    const req = spec.requirements;
    const need = [...(req?.attributes ?? []), ...spec.resources.flatMap((r) => r.gpu?.attributes ?? [])];
    for (const a of need)
      if (!attrs.some((x) => x.key === a.key && x.value === a.value))
        throw ErrRequirementsNotMet.wrap(`missing attribute ${a.key}=${a.value}`);
    const signed = (auditor: string) => {
      const rec = this.providers.getAuditedAttributes(ctx, provider, addressFromBech32(auditor));
      if (!rec) return false;
      return (req?.attributes ?? []).every((a) =>
        rec.attributes.some((x) => x.key === a.key && x.value === a.value),
      );
    };
    for (const a of req?.signedBy?.allOf ?? [])
      if (!signed(a)) throw ErrRequirementsNotMet.wrap(`attributes not signed by ${a}`);
    const any = req?.signedBy?.anyOf ?? [];
    if (any.length > 0 && !any.some(signed))
      throw ErrRequirementsNotMet.wrap('attributes not signed by any required auditor');
  }

  /** Moves an open bid to a final state and returns its deposit (less `forfeit` to the owner). */
  private finishBid(ctx: Context, b: Bid, state: marketV1.BidState, forfeit = 0n): void {
    const id = toBId(b.id!);
    const wasOpen = b.state === BidState.BID_STATE_OPEN;
    b.state = state;
    this.setBid(ctx, b);
    const denom = b.deposit!.denom;
    const total = amt(b.deposit);
    if (forfeit > 0n) {
      this.bank.sendCoinsFromModuleToAccount(ctx, ModuleName, id.owner, [{ denom, amount: forfeit }]);
      ctx.events.emit(ev.EventTypeForfeit, [...idAttrs(b.id!), [ev.AttrAmount, `${forfeit}${denom}`]]);
    }
    if (total - forfeit > 0n)
      this.bank.sendCoinsFromModuleToAccount(ctx, ModuleName, id.provider, [
        { denom, amount: total - forfeit },
      ]);
    if (wasOpen) {
      const o = this.getOrder(ctx, id);
      if (o && o.openBids > 0) {
        o.openBids -= 1;
        this.setOrder(ctx, o);
      }
      this.providers.onBidClosed(ctx, id.provider);
    }
    ctx.events.emit(ev.EventTypeBidState, [...idAttrs(b.id!), [ev.AttrState, BidState[state]!]]);
  }

  /**
   * Ends every open bid of an order. Each refund runs in its own branch: one that fails leaves
   * that bid open (it expires and is refunded later) without blocking the others.
   */
  private closeOpenBids(ctx: Context, o: Order, state: marketV1.BidState, except?: BId): void {
    const open = [...this.iterate(ctx, bidsOfOrderPrefix(rawO(o.id!)), M.Bid)].filter(
      (b) => b.state === BidState.BID_STATE_OPEN && !(except && eq(toBId(b.id!).provider, except.provider)),
    );
    for (const b of open) {
      const store = ctx.store as Partial<CacheMultiStore>;
      if (typeof store.cacheMultiStore !== 'function') {
        this.finishBid(ctx, b, state);
        continue;
      }
      const branch = store.cacheMultiStore();
      const events = new EventManager();
      try {
        this.finishBid(ctx.withStore(branch).withEvents(events), b, state);
        branch.write();
        ctx.events.emitEvents(events.events());
      } catch (e) {
        ctx.events.emit(ev.EventTypeRefundFailed, [
          ...idAttrs(b.id!),
          [ev.AttrReason, e instanceof Error ? e.message : 'error'],
        ]);
      }
    }
  }

  closeBid(ctx: Context, id: BId): void {
    const b = this.getBid(ctx, id);
    if (!b) throw ErrBidNotFound;
    if (b.state !== BidState.BID_STATE_OPEN)
      throw ErrBidState.wrap(`bid is ${BidState[b.state]}; close the lease to end an active bid`);
    this.finishBid(ctx, b, BidState.BID_STATE_CLOSED);
  }

  // --- leases --------------------------------------------------------------------------------

  createLease(ctx: Context, id: BId): void {
    this.mustActiveDeployment(ctx, id);
    const b = this.getBid(ctx, id);
    if (!b) throw ErrBidNotFound;
    if (b.state !== BidState.BID_STATE_OPEN) throw ErrBidState.wrap(`bid is ${BidState[b.state]}, not open`);
    const o = this.getOrder(ctx, id);
    if (!o || o.state !== OrderState.ORDER_STATE_OPEN) throw ErrOrderNotOpen;
    const g = this.mustGroup(ctx, id);
    if (g.state !== GroupState.GROUP_STATE_OPEN) throw ErrGroupState.wrap(`group is ${GroupState[g.state]}`);
    this.providers.assertCanBid(ctx, id.provider);
    this.escrow.settle(ctx, id.owner, id.dseq);
    const acct = this.escrow.getAccount(ctx, id.owner, id.dseq);
    if (acct?.state !== escrowV1.AccountState.ACCOUNT_STATE_OPEN) throw ErrEscrowOverdrawn;
    const params = this.getParams(ctx);
    const h = ctx.header.height;
    // The winner first (its deposit stays locked for the lease), then every other bid loses.
    b.state = BidState.BID_STATE_ACTIVE;
    this.setBid(ctx, b);
    const o2 = this.getOrder(ctx, id)!;
    o2.openBids -= 1;
    o2.state = OrderState.ORDER_STATE_ACTIVE;
    this.setOrder(ctx, o2);
    this.providers.onBidClosed(ctx, id.provider);
    ctx.events.emit(ev.EventTypeBidState, [...idAttrs(b.id!), [ev.AttrState, BidState[b.state]!]]);
    ctx.events.emit(ev.EventTypeOrderState, [...idAttrs(o2.id!), [ev.AttrState, OrderState[o2.state]!]]);
    this.closeOpenBids(ctx, o2, BidState.BID_STATE_LOST, id);
    const price = decCoinFromProto(b.price, 'bid price');
    const l: Lease = {
      id: b.id,
      state: LeaseState.LEASE_STATE_ACTIVE,
      price: b.price,
      createdAt: h,
      closedAt: 0n,
      closeReason: LeaseCloseReason.LEASE_CLOSE_REASON_UNSPECIFIED,
      reclaimAfter: h + params.reclamationWindowBlocks,
    };
    this.setLease(ctx, l);
    this.escrow.openPayment(ctx, id, price);
    this.providers.onLeaseOpened(ctx, id.provider);
    ctx.events.emit(ev.EventTypeLeaseCreated, [
      ...idAttrs(l.id!),
      [ev.AttrPrice, `${l.price!.amount}${l.price!.denom}`],
    ]);
  }

  /**
   * MsgCloseLease. The tenant's closure gives the group a new order; the provider's pauses the
   * group and, before reclaim_after, forfeits bid_forfeit_fraction of its bid deposit.
   */
  closeLease(ctx: Context, id: BId, byProvider: boolean, reason: marketV1.LeaseCloseReason): void {
    if (!this.getLease(ctx, id)) throw ErrLeaseNotFound;
    this.escrow.settle(ctx, id.owner, id.dseq);
    const l = this.getLease(ctx, id)!;
    if (l.state !== LeaseState.LEASE_STATE_ACTIVE) throw ErrLeaseNotActive.wrap(LeaseState[l.state]!);
    if (!byProvider) {
      this.endLease(ctx, l, 'owner');
      const o = this.getOrder(ctx, id)!;
      this.closeOrder(ctx, o);
      this.openOrder(ctx, this.mustGroup(ctx, id), this.getParams(ctx));
      return;
    }
    this.endLease(
      ctx,
      l,
      reason === LeaseCloseReason.LEASE_CLOSE_REASON_PROVIDER_DECOMMISSION ? 'decommission' : 'provider',
    );
    this.closeOrder(ctx, this.getOrder(ctx, id)!);
    const fresh = this.mustGroup(ctx, id);
    if (fresh.state === GroupState.GROUP_STATE_OPEN) {
      fresh.state = GroupState.GROUP_STATE_PAUSED;
      this.setGroup(ctx, fresh);
      this.emitGroup(ctx, fresh);
    }
  }

  /** Stops the lease's payment, ends the lease and its bid; the order and group are the caller's. */
  private endLease(ctx: Context, l: Lease, outcome: LeaseOutcome): void {
    const id = toBId(l.id!);
    const h = ctx.header.height;
    // Settling may overdraw the account, whose hook ends this very lease: check again after.
    this.escrow.settle(ctx, id.owner, id.dseq);
    if (this.getLease(ctx, id)?.state !== LeaseState.LEASE_STATE_ACTIVE) return;
    this.escrow.closePayment(ctx, id);
    const reason = {
      owner: LeaseCloseReason.LEASE_CLOSE_REASON_OWNER,
      provider: LeaseCloseReason.LEASE_CLOSE_REASON_PROVIDER_UNSTABLE,
      decommission: LeaseCloseReason.LEASE_CLOSE_REASON_PROVIDER_DECOMMISSION,
      fault: LeaseCloseReason.LEASE_CLOSE_REASON_PROVIDER_FAULT,
      insufficient_funds: LeaseCloseReason.LEASE_CLOSE_REASON_INSUFFICIENT_FUNDS,
    }[outcome];
    const fresh = this.getLease(ctx, id)!;
    fresh.state =
      outcome === 'insufficient_funds'
        ? LeaseState.LEASE_STATE_INSUFFICIENT_FUNDS
        : LeaseState.LEASE_STATE_CLOSED;
    fresh.closedAt = h;
    fresh.closeReason = reason;
    this.setLease(ctx, fresh);
    const b = this.getBid(ctx, id);
    if (b && b.state === BidState.BID_STATE_ACTIVE) {
      const byProvider = outcome === 'provider' || outcome === 'decommission';
      const forfeit =
        byProvider && h < fresh.reclaimAfter
          ? mulIntFloor(
              parseFraction(this.getParams(ctx).bidForfeitFraction, 'bid_forfeit_fraction'),
              amt(b.deposit),
            )
          : 0n;
      this.finishBid(ctx, b, BidState.BID_STATE_CLOSED, forfeit);
    }
    this.providers.onLeaseClosed(
      ctx,
      id.provider,
      outcome === 'fault'
        ? 'fault'
        : outcome === 'provider' || outcome === 'decommission'
          ? 'by_provider'
          : 'completed',
    );
    ctx.events.emit(ev.EventTypeLeaseClosed, [
      ...idAttrs(fresh.id!),
      [ev.AttrState, LeaseState[fresh.state]!],
      [ev.AttrReason, LeaseCloseReason[reason]!],
    ]);
  }

  // --- hooks from x/escrow and x/provider ----------------------------------------------------

  onAccountOverdrawn(ctx: Context, owner: Uint8Array, dseq: bigint): void {
    for (const g of this.groupsOf(ctx, { owner, dseq })) {
      if (g.state !== GroupState.GROUP_STATE_OPEN) continue;
      this.stopGroup(ctx, g, GroupState.GROUP_STATE_INSUFFICIENT_FUNDS, 'insufficient_funds');
    }
  }

  onAccountRefilled(ctx: Context, owner: Uint8Array, dseq: bigint): void {
    const d = this.getDeployment(ctx, { owner, dseq });
    if (!d || d.state !== DeploymentState.DEPLOYMENT_STATE_ACTIVE) return;
    const params = this.getParams(ctx);
    for (const g of this.groupsOf(ctx, { owner, dseq })) {
      if (g.state !== GroupState.GROUP_STATE_INSUFFICIENT_FUNDS) continue;
      g.state = GroupState.GROUP_STATE_OPEN;
      this.emitGroup(ctx, g);
      this.openOrder(ctx, g, params);
    }
  }

  closeProviderLeases(
    ctx: Context,
    provider: Uint8Array,
    reason: 'fault' | 'decommission',
  ): { owner: Uint8Array; dseq: bigint }[] {
    const active: Lease[] = [];
    for (const [k] of prefixIterator(ctx.kvStore(StoreKey), leasesOfProviderPrefix(provider))) {
      const { id } = readOPart(k);
      const l = this.getLease(ctx, { ...id, provider });
      if (l?.state === LeaseState.LEASE_STATE_ACTIVE) active.push(l);
    }
    const affected = new Map<string, { owner: Uint8Array; dseq: bigint }>();
    const params = this.getParams(ctx);
    for (const l of active) {
      const id = toBId(l.id!);
      this.escrow.settle(ctx, id.owner, id.dseq);
      const cur = this.getLease(ctx, id)!;
      if (cur.state !== LeaseState.LEASE_STATE_ACTIVE) continue;
      this.endLease(ctx, cur, reason);
      this.closeOrder(ctx, this.getOrder(ctx, id)!);
      const g = this.mustGroup(ctx, id);
      if (g.state === GroupState.GROUP_STATE_OPEN) {
        if (reason === 'fault') this.openOrder(ctx, g, params);
        else {
          g.state = GroupState.GROUP_STATE_PAUSED;
          this.setGroup(ctx, g);
          this.emitGroup(ctx, g);
        }
      }
      affected.set(`${Buffer.from(id.owner).toString('hex')}/${id.dseq.toString().padStart(20, '0')}`, {
        owner: id.owner,
        dseq: id.dseq,
      });
    }
    return [...affected.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
  }

  closeProviderBids(ctx: Context, provider: Uint8Array): void {
    const open: Bid[] = [];
    for (const [k] of prefixIterator(ctx.kvStore(StoreKey), bidsOfProviderPrefix(provider))) {
      const { id } = readOPart(k);
      const b = this.getBid(ctx, { ...id, provider });
      if (b?.state === BidState.BID_STATE_OPEN) open.push(b);
    }
    for (const b of open) this.finishBid(ctx, b, BidState.BID_STATE_CLOSED);
  }

  // --- end block -----------------------------------------------------------------------------

  endBlock(ctx: Context): void {
    const h = ctx.header.height;
    const store = ctx.kvStore(StoreKey);
    const bids: BId[] = [];
    for (const [k] of prefixIterator(store, BidExpiryPrefix)) {
      if (readU64BE(k, 0) > h) break;
      const { id, end } = readOPart(k, 8);
      bids.push({ ...id, provider: k.slice(end + 1, end + 1 + k[end]!) });
    }
    for (const id of bids) {
      const b = this.getBid(ctx, id);
      if (b?.state === BidState.BID_STATE_OPEN) this.finishBid(ctx, b, BidState.BID_STATE_EXPIRED);
    }
    const orders: OId[] = [];
    for (const [k] of prefixIterator(store, OrderExpiryPrefix)) {
      if (readU64BE(k, 0) > h) break;
      orders.push(readOPart(k, 8).id);
    }
    for (const id of orders) {
      const o = this.getOrder(ctx, id);
      if (o?.state !== OrderState.ORDER_STATE_OPEN) continue;
      this.closeOrder(ctx, o, true);
      const g = this.mustGroup(ctx, id);
      if (g.state === GroupState.GROUP_STATE_OPEN && g.lastOseq === id.oseq) {
        g.state = GroupState.GROUP_STATE_PAUSED;
        this.setGroup(ctx, g);
        this.emitGroup(ctx, g);
      }
    }
  }
}
