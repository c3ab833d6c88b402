// End-to-end marketplace flows at keeper level: provider registration and bond, deployment,
// bids, lease, block-by-block payment, withdrawal, overdraw at end of block, top-up, closures.
import { escrowV1, marketV1, providerV1 } from '@hearth/sdk';
import { beforeEach, describe, expect, it } from 'vitest';
import { addr, attrOf, bech, DENOM, eventsOf, groupSpec, Harness } from './harness.js';

const { GroupState, OrderState, BidState, LeaseState, LeaseCloseReason } = marketV1;
const tenant = addr('tenant');
const prov = addr('provider-1');
const prov2 = addr('provider-2');
const coin = (amount: bigint | number) => ({ denom: DENOM, amount: String(amount) });

async function setupProvider(h: Harness, who: Uint8Array, attrs = [{ key: 'region', value: 'eu' }]) {
  h.fund(who, 10_000_000n);
  h.must(providerV1.MsgCreateProvider, {
    owner: bech(who),
    hostUri: 'https://p.example.com:8443',
    attributes: attrs,
  });
  h.must(providerV1.MsgBondProvider, { owner: bech(who), amount: coin(1_000_000) });
}

function createDeployment(h: Harness, dseq = 1n, price = '10', deposit = 1_000_000n) {
  return h.must(marketV1.MsgCreateDeployment, {
    owner: bech(tenant),
    dseq,
    groups: [groupSpec('web', price)],
    manifestHash: new Uint8Array(32).fill(7),
    deposit: coin(deposit),
  });
}

const bidId = (provider: Uint8Array, dseq = 1n, oseq = 1) => ({
  owner: bech(tenant),
  dseq,
  gseq: 1,
  oseq,
  provider: bech(provider),
});
const orderId = (dseq = 1n, oseq = 1) => ({ owner: bech(tenant), dseq, gseq: 1, oseq });

function bid(h: Harness, provider: Uint8Array, price = '8', oseq = 1) {
  return h.tx(marketV1.MsgCreateBid, {
    provider: bech(provider),
    order: orderId(1n, oseq),
    price: { denom: DENOM, amount: price },
    deposit: coin(100_000),
  });
}

describe('marketplace flow', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.create();
    h.fund(tenant, 100_000_000n);
    await setupProvider(h, prov);
    await setupProvider(h, prov2);
  });

  it('pays a lease exactly floor(rate * blocks), withdraws with the take rate, and keeps the invariants', async () => {
    h = await Harness.create({ provider: { heartbeatInterval: 1000n } });
    h.fund(tenant, 100_000_000n);
    await setupProvider(h, prov);
    await setupProvider(h, prov2);
    createDeployment(h, 1n, '10.5');
    expect(h.market.getOrder(h.ctx(), { owner: tenant, dseq: 1n, gseq: 1, oseq: 1 })?.price?.amount).toBe(
      '10.500000000000000000',
    );
    expect(bid(h, prov, '7.25').ok).toBe(true);
    expect(bid(h, prov2, '9').ok).toBe(true);
    const p2Before = h.balance(prov2);
    const leaseEvents = h.must(marketV1.MsgCreateLease, { owner: bech(tenant), bid: bidId(prov) });
    expect(eventsOf(leaseEvents, 'lease_created')).toHaveLength(1);
    // The losing bid is refunded at once.
    expect(h.balance(prov2)).toBe(p2Before + 100_000n);
    expect(
      h.market.getBid(h.ctx(), { owner: tenant, dseq: 1n, gseq: 1, oseq: 1, provider: prov2 })?.state,
    ).toBe(BidState.BID_STATE_LOST);
    await h.advance(4);
    const provBefore = h.balance(prov);
    const r = h.must(escrowV1.MsgWithdrawLease, {
      provider: bech(prov),
      owner: bech(tenant),
      dseq: 1n,
      gseq: 1,
      oseq: 1,
    });
    // 4 blocks at 7.25 = 29; take 2% floor -> 0 (29*200/10000 = 0.58).
    expect(h.balance(prov) - provBefore).toBe(29n);
    expect(eventsOf(r, 'escrow_payment_withdrawn')).toHaveLength(1);
    await h.advance(96);
    h.must(escrowV1.MsgWithdrawLease, {
      provider: bech(prov),
      owner: bech(tenant),
      dseq: 1n,
      gseq: 1,
      oseq: 1,
    });
    // 100 blocks = 725 owed in total; the pool got floor(696 * 0.02) = 13.
    const pay = h.escrow.getPayment(h.ctx(), { owner: tenant, dseq: 1n, gseq: 1, oseq: 1, provider: prov })!;
    expect(pay.withdrawn?.amount).toBe('725');
    expect(h.moduleBalance('distribution')).toBe(13n);
    expect(h.brokenInvariants()).toEqual([]);
  });

  it('settles at the end of the block the funds run out in, with no provider transaction', async () => {
    // min deposit 100000 at 30000/block: 3 full blocks, then 10000 of the 4th.
    createDeployment(h, 1n, '40000', 100_000n);
    bid(h, prov, '30000');
    h.must(marketV1.MsgCreateLease, { owner: bech(tenant), bid: bidId(prov) });
    const start = h.height;
    const acct = h.escrow.getAccount(h.ctx(), tenant, 1n)!;
    expect(acct.depletionHeight).toBe(start + 4n);
    await h.advance(4);
    expect(h.escrow.getAccount(h.ctx(), tenant, 1n)!.state).toBe(escrowV1.AccountState.ACCOUNT_STATE_OPEN);
    const evs = await h.endBlock(); // end of block start+4
    expect(eventsOf(evs, 'escrow_account_overdrawn')).toHaveLength(1);
    const closed = eventsOf(evs, 'lease_closed');
    expect(closed).toHaveLength(1);
    expect(attrOf(closed[0]!, 'reason')).toBe('LEASE_CLOSE_REASON_INSUFFICIENT_FUNDS');
    const a = h.escrow.getAccount(h.ctx(), tenant, 1n)!;
    expect(a.balance?.amount).toBe('0');
    const pay = h.escrow.getPayment(h.ctx(), { owner: tenant, dseq: 1n, gseq: 1, oseq: 1, provider: prov })!;
    expect(pay.unsettled?.amount).toBe('20000');
    expect(BigInt(pay.withdrawn!.amount) + BigInt(pay.balance!.amount)).toBe(100_000n);
    const lease = h.market.getLease(h.ctx(), { owner: tenant, dseq: 1n, gseq: 1, oseq: 1, provider: prov })!;
    expect(lease.state).toBe(LeaseState.LEASE_STATE_INSUFFICIENT_FUNDS);
    expect(h.market.getGroup(h.ctx(), { owner: tenant, dseq: 1n, gseq: 1 })?.state).toBe(
      GroupState.GROUP_STATE_INSUFFICIENT_FUNDS,
    );
    expect(h.provider.getProvider(h.ctx(), prov)?.activeLeases).toBe(0n);
    expect(h.brokenInvariants()).toEqual([]);

    // A third party tops up: the debt is paid first, then the group reopens with a new order.
    const friend = addr('friend');
    h.fund(friend, 1_000_000n);
    const dep = h.must(escrowV1.MsgDepositDeployment, {
      depositor: bech(friend),
      owner: bech(tenant),
      dseq: 1n,
      amount: coin(50_000),
    });
    expect(eventsOf(dep, 'escrow_account_refilled')).toHaveLength(1);
    const pay2 = h.escrow.getPayment(h.ctx(), { owner: tenant, dseq: 1n, gseq: 1, oseq: 1, provider: prov })!;
    expect(pay2.unsettled?.amount).toBe('0');
    expect(h.escrow.getAccount(h.ctx(), tenant, 1n)!.balance?.amount).toBe('30000');
    const g = h.market.getGroup(h.ctx(), { owner: tenant, dseq: 1n, gseq: 1 })!;
    expect(g.state).toBe(GroupState.GROUP_STATE_OPEN);
    expect(g.lastOseq).toBe(2);
    expect(h.market.getOrder(h.ctx(), { owner: tenant, dseq: 1n, gseq: 1, oseq: 2 })?.state).toBe(
      OrderState.ORDER_STATE_OPEN,
    );
    // Closing refunds the rest to the friend, who made the only remaining deposit.
    const friendBefore = h.balance(friend);
    h.must(marketV1.MsgCloseDeployment, { owner: bech(tenant), dseq: 1n });
    expect(h.balance(friend) - friendBefore).toBe(30_000n);
    expect(h.brokenInvariants()).toEqual([]);
  });

  it('expires open bids after bid_ttl_blocks with a refund and an event', async () => {
    createDeployment(h);
    bid(h, prov);
    const before = h.balance(prov);
    expect(eventsOf(await h.advance(30), 'bid_state_changed')).toHaveLength(0);
    const evs = await h.advance(1);
    const expired = eventsOf(evs, 'bid_state_changed').filter(
      (e) => attrOf(e, 'state') === 'BID_STATE_EXPIRED',
    );
    expect(expired).toHaveLength(1);
    expect(h.balance(prov)).toBe(before + 100_000n);
    expect(h.market.getOrder(h.ctx(), { owner: tenant, dseq: 1n, gseq: 1, oseq: 1 })?.openBids).toBe(0);
    expect(h.provider.getProvider(h.ctx(), prov)?.openBids).toBe(0n);
  });

  it('closes orders that stay open past order_ttl_blocks and pauses their group', async () => {
    createDeployment(h);
    const evs = await h.advance(101);
    expect(eventsOf(evs, 'order_closed').map((e) => attrOf(e, 'reason'))).toEqual(['expired']);
    expect(h.market.getGroup(h.ctx(), { owner: tenant, dseq: 1n, gseq: 1 })?.state).toBe(
      GroupState.GROUP_STATE_PAUSED,
    );
    h.must(marketV1.MsgStartGroup, { owner: bech(tenant), dseq: 1n, gseq: 1 });
    expect(h.market.getGroup(h.ctx(), { owner: tenant, dseq: 1n, gseq: 1 })?.lastOseq).toBe(2);
  });

  it('tenant closure reopens an order; provider closure pauses the group and forfeits inside the window', async () => {
    createDeployment(h);
    bid(h, prov);
    h.must(marketV1.MsgCreateLease, { owner: bech(tenant), bid: bidId(prov) });
    const closed = h.must(marketV1.MsgCloseLease, { sender: bech(tenant), id: bidId(prov) });
    expect(attrOf(eventsOf(closed, 'lease_closed')[0]!, 'reason')).toBe('LEASE_CLOSE_REASON_OWNER');
    expect(h.market.getOrder(h.ctx(), orderIdRaw(2))?.state).toBe(OrderState.ORDER_STATE_OPEN);
    expect(h.provider.getProvider(h.ctx(), prov)?.leasesCompleted).toBe(1n);

    expect(bid(h, prov, '8', 2).ok).toBe(true);
    h.must(marketV1.MsgCreateLease, { owner: bech(tenant), bid: bidId(prov, 1n, 2) });
    const tenantBefore = h.balance(tenant);
    const provBefore = h.balance(prov);
    const r = h.must(marketV1.MsgCloseLease, {
      sender: bech(prov),
      id: bidId(prov, 1n, 2),
      reason: LeaseCloseReason.LEASE_CLOSE_REASON_PROVIDER_UNSTABLE,
    });
    expect(eventsOf(r, 'bid_deposit_forfeited')).toHaveLength(1);
    expect(h.balance(tenant) - tenantBefore).toBe(50_000n);
    expect(h.balance(prov) - provBefore).toBe(50_000n);
    expect(h.market.getGroup(h.ctx(), { owner: tenant, dseq: 1n, gseq: 1 })?.state).toBe(
      GroupState.GROUP_STATE_PAUSED,
    );
    expect(h.provider.getProvider(h.ctx(), prov)?.leasesClosedByProvider).toBe(1n);
    expect(h.brokenInvariants()).toEqual([]);
  });

  it('a provider that misses its heartbeats is at fault: leases close, bond slashed to escrow, jailed', async () => {
    createDeployment(h);
    bid(h, prov);
    h.must(marketV1.MsgCreateLease, { owner: bech(tenant), bid: bidId(prov) });
    // interval 10, max missed 2: a heartbeat at +15 keeps it alive.
    await h.advance(15);
    h.must(providerV1.MsgProviderHeartbeat, { owner: bech(prov) });
    const acctBefore = BigInt(h.escrow.getAccount(h.ctx(), tenant, 1n)!.balance!.amount);
    let evs = await h.advance(20);
    expect(eventsOf(evs, 'provider_fault')).toHaveLength(0);
    evs = await h.advance(1);
    expect(eventsOf(evs, 'provider_fault')).toHaveLength(1);
    const lc = eventsOf(evs, 'lease_closed');
    expect(attrOf(lc[0]!, 'reason')).toBe('LEASE_CLOSE_REASON_PROVIDER_FAULT');
    const p = h.provider.getProvider(h.ctx(), prov)!;
    expect(p.status).toBe(providerV1.ProviderStatus.PROVIDER_STATUS_JAILED);
    expect(p.faults).toBe(1n);
    // 10% of 1000000 went into the tenant's escrow (less the blocks paid since).
    expect(p.bond?.amount).toBe('900000');
    const acct = h.escrow.getAccount(h.ctx(), tenant, 1n)!;
    expect(acct.deposits.some((d) => d.depositor === bech(tenant) && d.amount?.amount === '100000')).toBe(
      true,
    );
    expect(BigInt(acct.balance!.amount)).toBeGreaterThan(acctBefore);
    // The group got a fresh order; the jailed provider cannot bid on it.
    const r = bid(h, prov, '8', 2);
    expect(r.error?.codespace).toBe('provider');
    expect(r.error?.code).toBe(11);
    expect(h.brokenInvariants()).toEqual([]);
  });

  it('maintenance suspends liveness penalties; deactivation closes leases as decommission', async () => {
    createDeployment(h);
    bid(h, prov);
    h.must(marketV1.MsgCreateLease, { owner: bech(tenant), bid: bidId(prov) });
    h.must(providerV1.MsgSetProviderStatus, {
      owner: bech(prov),
      status: providerV1.ProviderStatus.PROVIDER_STATUS_MAINTENANCE,
    });
    const evs = await h.advance(50);
    expect(eventsOf(evs, 'provider_fault')).toHaveLength(0);
    const d = h.must(providerV1.MsgSetProviderStatus, {
      owner: bech(prov),
      status: providerV1.ProviderStatus.PROVIDER_STATUS_DEACTIVATED,
    });
    expect(attrOf(eventsOf(d, 'lease_closed')[0]!, 'reason')).toBe(
      'LEASE_CLOSE_REASON_PROVIDER_DECOMMISSION',
    );
    expect(h.brokenInvariants()).toEqual([]);
  });

  it('close deployment settles, closes everything and refunds', async () => {
    createDeployment(h, 1n, '10', 1_000_000n);
    bid(h, prov, '10');
    bid(h, prov2, '9');
    h.must(marketV1.MsgCreateLease, { owner: bech(tenant), bid: bidId(prov) });
    await h.advance(10);
    const before = h.balance(tenant);
    const evs = h.must(marketV1.MsgCloseDeployment, { owner: bech(tenant), dseq: 1n });
    expect(eventsOf(evs, 'deployment_closed')).toHaveLength(1);
    expect(eventsOf(evs, 'lease_closed')).toHaveLength(1);
    expect(h.balance(tenant) - before).toBe(1_000_000n - 100n);
    expect(h.escrow.getAccount(h.ctx(), tenant, 1n)?.state).toBe(escrowV1.AccountState.ACCOUNT_STATE_CLOSED);
    expect(h.moduleBalance('escrow')).toBe(0n);
    expect(h.moduleBalance('market')).toBe(0n);
    expect(h.brokenInvariants()).toEqual([]);
  });
});

function orderIdRaw(oseq: number) {
  return { owner: tenant, dseq: 1n, gseq: 1, oseq };
}
