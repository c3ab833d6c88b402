/**
 * Issue "compute marketplace" done-when, end to end on a one-validator localnet through CosmJS
 * with Hearth's generated types: register and bond a provider; create a deployment with a
 * deposit; bid; create the lease; after N blocks the escrow shows exactly N × rate transferred;
 * withdraw (minus the take rate); let the funds run out and see the lease close in that block
 * without any provider tx; stop heartbeats and see the fault penalty paid to the tenant.
 *
 * Every figure is checked exactly: heights come from the tx results, state is read at those
 * heights (`abci_query` with a height), and what the end blockers did is read from that block's
 * finalize-block events.
 */
import { createHearthRegistry, escrowV1, marketV1, providerV1 } from '@hearth/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Actor,
  balanceAt,
  blockEvents,
  blockSigners,
  blocksUntilDepleted,
  DENOM,
  feeOf,
  hearthQueries,
  type MarketplaceChain,
  msg,
  owedFloor,
  send,
  startMarketplaceChain,
  txEvents,
  waitForHeight,
} from './marketplaceKit.js';

const { ProviderStatus } = providerV1;
const { LeaseState, LeaseCloseReason, GroupState, OrderState, BidState } = marketV1;
const { AccountState, PaymentState } = escrowV1;

// Short params so that block-based rules fire within seconds (timeout_commit 200 ms).
const HEARTBEAT_INTERVAL = 10n;
const MAX_MISSED = 4n;
const WINDOW = HEARTBEAT_INTERVAL * MAX_MISSED;
const JAIL = 50n;
const TAKE_BPS = 250n; // not the localnet 200, so the test sees genesis params apply
const BID_DEPOSIT = 100_000n;
const FUNDS = 10_000_000_000_000n;
const BOND = 3_000_000_007n; // above 2^31; 10% of it is not an integer
const SLASH = BOND / 10n; // floor(0.1 × bond)

// Deployment 1: funds that end 30 blocks into the lease (before the 40-block liveness window
// could fault the provider, and long enough for the withdrawal to land first).
const DSEQ1 = 2n ** 31n;
const ORDER1_PRICE = '1200';
const RATE1 = '1000.25';
const DEPOSIT1 = 30_000n; // floor(1000.25 × 29) = 29007 <= 30000 < floor(1000.25 × 30) = 30007
// Deployment 2: a large deposit, a rate with all 18 decimals, the largest dseq.
const DSEQ2 = 2n ** 63n - 1n;
const UNIT2_PRICE = '388.561728394506172839';
const RATE2 = '777.123456789012345678'; // = 2 × UNIT2_PRICE, the order price
const DEPOSIT2 = 5_000_000_000n;

const take = (x: bigint) => (x * TAKE_BPS) / 10_000n;
const coin = (amount: bigint) => ({ denom: DENOM, amount: amount.toString() });

function groupSpec(price: string, count: number, memoryBytes: bigint): marketV1.GroupSpec {
  return marketV1.GroupSpec.fromPartial({
    name: 'web',
    requirements: { signedBy: { allOf: [], anyOf: [] }, attributes: [] },
    resources: [
      {
        cpuMillicores: 500n,
        memoryBytes,
        storage: [{ name: 'data', bytes: 1n << 34n }],
        gpu: { units: 0, attributes: [] },
        endpoints: 1,
        count,
        price: { denom: DENOM, amount: price },
      },
    ],
  });
}

describe('compute marketplace end to end through CosmJS', { timeout: 30_000 }, () => {
  let chain: MarketplaceChain;
  let tenant: Actor;
  let provider: Actor;
  const q = (height?: number) => hearthQueries(chain.query, height);
  const bidId = (dseq: bigint, oseq = 1) => ({
    owner: tenant.address,
    dseq,
    gseq: 1,
    oseq,
    provider: provider.address,
  });

  beforeAll(async () => {
    chain = await startMarketplaceChain({
      chainId: 'hearth-market-e2e-1',
      actors: ['tenant', 'provider'],
      funds: FUNDS,
      timeoutCommit: '200ms',
      provider: {
        minProviderBond: coin(1_000_000n),
        heartbeatInterval: HEARTBEAT_INTERVAL,
        maxMissedHeartbeats: MAX_MISSED,
        faultSlashFraction: '0.100000000000000000',
        providerJailDuration: JAIL,
        unbondingBlocks: 20n,
      },
      market: {
        bidMinDeposit: coin(BID_DEPOSIT),
        bidTtlBlocks: 500n,
        minDeposit: coin(10_000n),
        reclamationWindowBlocks: 20n,
        orderTtlBlocks: 0n,
      },
      escrow: { takeRateBps: Number(TAKE_BPS) },
    });
    tenant = chain.actors.tenant!;
    provider = chain.actors.provider!;
  }, 120_000);

  afterAll(async () => {
    if (chain) expect(await chain.stop()).toBe(0);
  });

  it('encodes 64-bit fields from 2^31 to 2^63-1 losslessly through the Hearth registry', () => {
    const registry = createHearthRegistry();
    for (const v of [2n ** 31n, 2n ** 32n + 1n, 2n ** 53n + 1n, 2n ** 63n - 1n]) {
      const m = msg(marketV1.MsgCreateDeployment, {
        owner: 'hearth1j3a5xvmu3mq3ed6yl8jjadhyzacetcrmqlynte',
        dseq: v,
        groups: [groupSpec('1', 1, v)],
        manifestHash: new Uint8Array(32),
        deposit: coin(v),
      });
      const back = registry.decode({ typeUrl: m.typeUrl, value: registry.encode(m) });
      expect(back.dseq).toBe(v);
      expect(back.groups[0].resources[0].memoryBytes).toBe(v);
    }
  });

  it('starts with the short marketplace params from genesis', async () => {
    const { provider: pq, market: mq, escrow: eq } = q();
    expect((await eq.Params({})).params?.takeRateBps).toBe(Number(TAKE_BPS));
    const pp = (await pq.Params({})).params!;
    expect([pp.heartbeatInterval, pp.maxMissedHeartbeats, pp.providerJailDuration]).toEqual([
      HEARTBEAT_INTERVAL,
      MAX_MISSED,
      JAIL,
    ]);
    expect((await mq.Params({})).params?.bidMinDeposit).toEqual(coin(BID_DEPOSIT));
  });

  it('registers and bonds a provider', async () => {
    const res = await send(provider, [
      msg(providerV1.MsgCreateProvider, {
        owner: provider.address,
        hostUri: 'https://provider.example.com:8443',
        attributes: [{ key: 'region', value: 'local' }],
        info: { email: 'ops@example.com', website: 'https://example.com' },
      }),
      msg(providerV1.MsgBondProvider, { owner: provider.address, amount: coin(BOND) }),
    ]);
    expect(res.code, res.rawLog).toBe(0);
    const p = (await q(res.height).provider.Provider({ owner: provider.address })).provider!;
    expect(p.status).toBe(ProviderStatus.PROVIDER_STATUS_ACTIVE);
    expect(p.bond).toEqual(coin(BOND));
    expect(p.createdAt).toBe(BigInt(res.height));
    expect(p.attributes).toEqual([{ key: 'region', value: 'local' }]);
    const fee = await feeOf(provider.client, res.transactionHash);
    expect(await balanceAt(chain.query, provider.address, res.height)).toBe(FUNDS - BOND - fee);
  });

  // A simulation with an empty fee (what CosmJS sends) must still count the fee transfer's gas,
  // or fee "auto" (simulated gas × 1.4) is too little for a small tx such as a heartbeat: before
  // bb3e9d4 a heartbeat during a lease ran out of gas in its block (wanted 45064, used 47313).
  it('simulation covers the gas a heartbeat uses in its block, so fee "auto" works', async () => {
    const hb = [msg(providerV1.MsgProviderHeartbeat, { owner: provider.address })];
    const simulated = await provider.client.simulate(provider.address, hb, '');
    const res = await send(provider, hb, { amount: [coin(20_000n)], gas: '400000' });
    expect(res.code, res.rawLog).toBe(0);
    // Close either way. The estimate can fall a little short: the first fee-paying tx of a block
    // also writes the fee collector's holder-index entry (distribution empties the collector at
    // every block start), which a simulation on the check state cannot foresee. CosmJS's "auto"
    // multiplies by 1.4; 1.1 is ample.
    expect(Number(res.gasUsed)).toBeLessThanOrEqual(Math.ceil(simulated * 1.1));
    expect(Math.abs(simulated - Number(res.gasUsed))).toBeLessThan(5_000);
  });

  it('creates a deployment with a deposit: escrow account opened, order at the group price', async () => {
    const res = await send(tenant, [
      msg(marketV1.MsgCreateDeployment, {
        owner: tenant.address,
        dseq: DSEQ1,
        groups: [groupSpec(ORDER1_PRICE, 1, 512n << 20n)],
        manifestHash: new Uint8Array(32).fill(7),
        deposit: coin(DEPOSIT1),
      }),
    ]);
    expect(res.code, res.rawLog).toBe(0);
    const h = res.height;
    const { market: mq, escrow: eq } = q(h);
    const dep = await mq.Deployment(
      marketV1.QueryDeploymentRequest.fromPartial({ id: { owner: tenant.address, dseq: DSEQ1 } }),
    );
    expect(dep.deployment?.id?.dseq).toBe(DSEQ1);
    expect(dep.groups.map((g) => g.state)).toEqual([GroupState.GROUP_STATE_OPEN]);
    const order = (await mq.Order({ id: { owner: tenant.address, dseq: DSEQ1, gseq: 1, oseq: 1 } })).order!;
    expect(order.state).toBe(OrderState.ORDER_STATE_OPEN);
    expect(order.price).toEqual({ denom: DENOM, amount: '1200.000000000000000000' });
    const acct = (await eq.Account({ owner: tenant.address, dseq: DSEQ1 })).account!;
    expect(acct.state).toBe(AccountState.ACCOUNT_STATE_OPEN);
    expect(acct.balance).toEqual(coin(DEPOSIT1));
    expect(acct.deposits).toEqual([{ depositor: tenant.address, amount: coin(DEPOSIT1), height: BigInt(h) }]);
    const fee = await feeOf(tenant.client, res.transactionHash);
    expect(await balanceAt(chain.query, tenant.address, h)).toBe(FUNDS - DEPOSIT1 - fee);
  });

  it('rejects a bid above the order price with (market, 13) and changes nothing', async () => {
    const tooHigh = msg(marketV1.MsgCreateBid, {
      provider: provider.address,
      order: { owner: tenant.address, dseq: DSEQ1, gseq: 1, oseq: 1 },
      price: { denom: DENOM, amount: '1200.000000000000000001' },
      deposit: coin(BID_DEPOSIT),
    });
    // Fee "auto" simulates first, and the simulation already reports the module's error.
    await expect(send(provider, [tooHigh])).rejects.toThrow(/bid price above the order price/);
    // With an explicit fee the tx passes CheckTx (ante only) and fails in the block.
    const res = await send(provider, [tooHigh], { amount: [coin(10_000n)], gas: '400000' });
    expect(res.code).toBe(13);
    expect(res.rawLog).toMatch(/bid price above the order price/);
    const tx = await provider.client.getTx(res.transactionHash);
    expect(tx?.code).toBe(13);
    // CosmJS drops the codespace from DeliverTxResponse; the block results carry it.
    const results = await chain.comet.blockResults(res.height);
    expect(results.results[res.txIndex]?.code).toBe(13);
    expect(results.results[res.txIndex]?.codespace).toBe('market');
    const { market: mq, provider: pq } = q(res.height);
    const bids = await mq.Bids(marketV1.QueryBidsRequest.fromPartial({ owner: tenant.address }));
    expect(bids.bids).toEqual([]);
    expect(
      (await mq.Order({ id: { owner: tenant.address, dseq: DSEQ1, gseq: 1, oseq: 1 } })).order?.openBids,
    ).toBe(0);
    expect((await pq.Provider({ owner: provider.address })).provider?.openBids).toBe(0n);
    // Only the fee left the provider's account.
    const before = await balanceAt(chain.query, provider.address, res.height - 1);
    expect(await balanceAt(chain.query, provider.address, res.height)).toBe(before - 10_000n);
  });

  let lease1Height = 0;
  let withdrawn1 = 0n;

  it('bids, leases, and after N blocks the escrow has transferred exactly floor(N × rate); withdraw pays it minus the take rate', async () => {
    const bid = await send(provider, [
      msg(marketV1.MsgCreateBid, {
        provider: provider.address,
        order: { owner: tenant.address, dseq: DSEQ1, gseq: 1, oseq: 1 },
        price: { denom: DENOM, amount: RATE1 },
        deposit: coin(BID_DEPOSIT),
      }),
    ]);
    expect(bid.code, bid.rawLog).toBe(0);
    const b = (await q(bid.height).market.Bid({ id: bidId(DSEQ1) })).bid!;
    expect(b.state).toBe(BidState.BID_STATE_OPEN);
    expect(b.deposit).toEqual(coin(BID_DEPOSIT));

    const lease = await send(tenant, [
      msg(marketV1.MsgCreateLease, { owner: tenant.address, bid: bidId(DSEQ1) }),
    ]);
    expect(lease.code, lease.rawLog).toBe(0);
    const L = lease.height;
    lease1Height = L;
    const l = (await q(L).market.Lease({ id: bidId(DSEQ1) })).lease!;
    expect(l.state).toBe(LeaseState.LEASE_STATE_ACTIVE);
    expect(l.price).toEqual({ denom: DENOM, amount: '1000.250000000000000000' });
    expect(l.createdAt).toBe(BigInt(L));

    await waitForHeight(chain.comet, L + 5);
    const w = await send(provider, [
      msg(escrowV1.MsgWithdrawLease, {
        provider: provider.address,
        owner: tenant.address,
        dseq: DSEQ1,
        gseq: 1,
        oseq: 1,
      }),
    ]);
    expect(w.code, w.rawLog).toBe(0);
    const W = w.height;
    const N = BigInt(W - L);
    const depletedAt = L + Number(blocksUntilDepleted(RATE1, DEPOSIT1));
    expect(W, 'the withdrawal must land before the funds run out').toBeLessThan(depletedAt);

    // The escrow at the withdrawal's height: exactly N blocks paid.
    const owed = owedFloor(RATE1, N);
    const acct = (await q(W).escrow.Account({ owner: tenant.address, dseq: DSEQ1 })).account!;
    expect(acct.transferred).toEqual(coin(owed));
    expect(acct.balance).toEqual(coin(DEPOSIT1 - owed));
    expect(acct.settledAt).toBe(BigInt(W));
    expect(acct.depletionHeight).toBe(BigInt(depletedAt));
    const [pay] = (
      await q(W).escrow.Payments(
        escrowV1.QueryPaymentsRequest.fromPartial({ owner: tenant.address, dseq: DSEQ1 }),
      )
    ).payments;
    expect(pay?.paidBlocks).toBe(N);
    expect(pay?.withdrawn).toEqual(coin(owed));
    expect(pay?.balance).toEqual(coin(0n));

    // The provider gets the accrued amount minus the take rate, and exactly that (less its fee).
    const net = owed - take(owed);
    const [resp] = w.msgResponses;
    expect(resp?.typeUrl).toBe('/hearth.escrow.v1.MsgWithdrawLeaseResponse');
    expect(escrowV1.MsgWithdrawLeaseResponse.decode(resp!.value).amount).toEqual(coin(net));
    const [evt] = txEvents(w, 'escrow_payment_withdrawn');
    expect(evt?.amount).toBe(`${net}${DENOM}`);
    expect(evt?.take).toBe(`${take(owed)}${DENOM}`);
    const fee = await feeOf(provider.client, w.transactionHash);
    const before = await balanceAt(chain.query, provider.address, W - 1);
    expect(await balanceAt(chain.query, provider.address, W)).toBe(before + net - fee);
    withdrawn1 = owed;
  });

  it('lets the funds run out: the lease closes in that very block, without any provider tx', async () => {
    const L = lease1Height;
    const E = L + Number(blocksUntilDepleted(RATE1, DEPOSIT1));
    expect(E - L).toBe(30);
    await waitForHeight(chain.comet, E);

    // The block before: still running.
    expect((await q(E - 1).market.Lease({ id: bidId(DSEQ1) })).lease?.state).toBe(
      LeaseState.LEASE_STATE_ACTIVE,
    );
    expect(await blockEvents(chain.comet, E - 1, 'lease_closed')).toEqual([]);

    // Block E: the end blocker overdraws the account and closes the lease.
    const closed = (await blockEvents(chain.comet, E, 'lease_closed')).filter(
      (e) => e.dseq === DSEQ1.toString(),
    );
    expect(closed).toHaveLength(1);
    expect(closed[0]).toMatchObject({
      owner: tenant.address,
      provider: provider.address,
      state: 'LEASE_STATE_INSUFFICIENT_FUNDS',
      reason: 'LEASE_CLOSE_REASON_INSUFFICIENT_FUNDS',
    });
    const unsettled = owedFloor(RATE1, BigInt(E - L)) - DEPOSIT1;
    expect(await blockEvents(chain.comet, E, 'escrow_account_overdrawn')).toEqual([
      expect.objectContaining({ dseq: DSEQ1.toString(), unsettled: `${unsettled}${DENOM}`, height: `${E}` }),
    ]);
    for (const signers of await blockSigners(chain.comet, E))
      for (const key of signers) expect(Buffer.from(key).equals(Buffer.from(provider.pubkey))).toBe(false);

    const { market: mq, escrow: eq } = q(E);
    const l = (await mq.Lease({ id: bidId(DSEQ1) })).lease!;
    expect(l.state).toBe(LeaseState.LEASE_STATE_INSUFFICIENT_FUNDS);
    expect(l.closeReason).toBe(LeaseCloseReason.LEASE_CLOSE_REASON_INSUFFICIENT_FUNDS);
    expect(l.closedAt).toBe(BigInt(E));
    const dep = await mq.Deployment(
      marketV1.QueryDeploymentRequest.fromPartial({ id: { owner: tenant.address, dseq: DSEQ1 } }),
    );
    expect(dep.groups[0]?.state).toBe(GroupState.GROUP_STATE_INSUFFICIENT_FUNDS);
    expect((await mq.Bid({ id: bidId(DSEQ1) })).bid?.state).toBe(BidState.BID_STATE_CLOSED);
    const acct = (await eq.Account({ owner: tenant.address, dseq: DSEQ1 })).account!;
    expect(acct.state).toBe(AccountState.ACCOUNT_STATE_OVERDRAWN);
    expect(acct.balance).toEqual(coin(0n));
    expect(acct.transferred).toEqual(coin(DEPOSIT1));
    const [pay] = (
      await eq.Payments(escrowV1.QueryPaymentsRequest.fromPartial({ owner: tenant.address, dseq: DSEQ1 }))
    ).payments;
    expect(pay?.state).toBe(PaymentState.PAYMENT_STATE_OVERDRAWN);
    expect(pay?.unsettled).toEqual(coin(unsettled));
    expect(pay?.withdrawn).toEqual(coin(DEPOSIT1));

    // In that block the provider, sending nothing, received the rest of the deposit (less the
    // take) and its bid deposit back.
    const rest = DEPOSIT1 - withdrawn1;
    const before = await balanceAt(chain.query, provider.address, E - 1);
    expect(await balanceAt(chain.query, provider.address, E)).toBe(before + rest - take(rest) + BID_DEPOSIT);
    expect((await q(E).provider.Provider({ owner: provider.address })).provider?.activeLeases).toBe(0n);
  });

  let faultHeight = 0;

  it('stops heartbeats: at the deadline the lease closes (provider_fault), the provider is jailed and the slash goes to the tenant escrow', async () => {
    const create = await send(tenant, [
      msg(marketV1.MsgCreateDeployment, {
        owner: tenant.address,
        dseq: DSEQ2,
        groups: [groupSpec(UNIT2_PRICE, 2, 1n << 42n)],
        manifestHash: new Uint8Array(32).fill(9),
        deposit: coin(DEPOSIT2),
      }),
    ]);
    expect(create.code, create.rawLog).toBe(0);
    const dep = await q(create.height).market.Deployment(
      marketV1.QueryDeploymentRequest.fromPartial({ id: { owner: tenant.address, dseq: DSEQ2 } }),
    );
    expect(dep.deployment?.id?.dseq).toBe(DSEQ2);
    expect(dep.groups[0]?.spec?.resources[0]?.memoryBytes).toBe(1n << 42n);
    const order = (
      await q(create.height).market.Order({ id: { owner: tenant.address, dseq: DSEQ2, gseq: 1, oseq: 1 } })
    ).order!;
    expect(order.price?.amount).toBe(RATE2);

    const bid = await send(provider, [
      msg(marketV1.MsgCreateBid, {
        provider: provider.address,
        order: { owner: tenant.address, dseq: DSEQ2, gseq: 1, oseq: 1 },
        price: { denom: DENOM, amount: RATE2 },
        deposit: coin(BID_DEPOSIT),
      }),
    ]);
    expect(bid.code, bid.rawLog).toBe(0);
    const lease = await send(tenant, [
      msg(marketV1.MsgCreateLease, { owner: tenant.address, bid: bidId(DSEQ2) }),
    ]);
    expect(lease.code, lease.rawLog).toBe(0);
    const L = lease.height;

    // One heartbeat, then silence.
    const hb = await send(provider, [msg(providerV1.MsgProviderHeartbeat, { owner: provider.address })]);
    expect(hb.code, hb.rawLog).toBe(0);
    const H = hb.height;
    const ph = (await q(H).provider.Provider({ owner: provider.address })).provider!;
    expect(ph.lastHeartbeat).toBe(BigInt(H));
    expect(ph.livenessFrom).toBe(BigInt(H));
    expect(ph.activeLeases).toBe(1n);

    const F = H + Number(WINDOW);
    faultHeight = F;
    await waitForHeight(chain.comet, F);
    expect((await q(F - 1).market.Lease({ id: bidId(DSEQ2) })).lease?.state).toBe(
      LeaseState.LEASE_STATE_ACTIVE,
    );
    expect(await blockEvents(chain.comet, F - 1, 'provider_fault')).toEqual([]);

    // Block F: fault, lease closed, slash paid into the tenant's escrow.
    expect(await blockEvents(chain.comet, F, 'provider_fault')).toEqual([
      expect.objectContaining({
        owner: provider.address,
        leases_closed: '1',
        jailed_until: `${BigInt(F) + JAIL}`,
        height: `${F}`,
      }),
    ]);
    expect(await blockEvents(chain.comet, F, 'provider_slashed')).toEqual([
      expect.objectContaining({
        owner: provider.address,
        deployment: `${tenant.address}/${DSEQ2}`,
        amount: `${SLASH}${DENOM}`,
      }),
    ]);
    const closed = (await blockEvents(chain.comet, F, 'lease_closed')).filter(
      (e) => e.dseq === DSEQ2.toString(),
    );
    expect(closed).toEqual([
      expect.objectContaining({ state: 'LEASE_STATE_CLOSED', reason: 'LEASE_CLOSE_REASON_PROVIDER_FAULT' }),
    ]);

    const { market: mq, escrow: eq, provider: pq } = q(F);
    const l = (await mq.Lease({ id: bidId(DSEQ2) })).lease!;
    expect(l.state).toBe(LeaseState.LEASE_STATE_CLOSED);
    expect(l.closeReason).toBe(LeaseCloseReason.LEASE_CLOSE_REASON_PROVIDER_FAULT);
    expect(l.closedAt).toBe(BigInt(F));

    const p = (await pq.Provider({ owner: provider.address })).provider!;
    expect(p.status).toBe(ProviderStatus.PROVIDER_STATUS_JAILED);
    expect(p.jailedUntil).toBe(BigInt(F) + JAIL);
    expect(p.faults).toBe(1n);
    expect(p.bond).toEqual(coin(BOND - SLASH));
    expect(p.activeLeases).toBe(0n);

    const paid = owedFloor(RATE2, BigInt(F - L));
    const acct = (await eq.Account({ owner: tenant.address, dseq: DSEQ2 })).account!;
    expect(acct.state).toBe(AccountState.ACCOUNT_STATE_OPEN);
    expect(acct.transferred).toEqual(coin(paid));
    expect(acct.balance).toEqual(coin(DEPOSIT2 - paid + SLASH));
    expect(acct.deposits.at(-1)).toEqual({
      depositor: tenant.address,
      amount: coin(SLASH),
      height: BigInt(F),
    });
    expect(acct.depletionHeight).toBe(0n);
    const [pay] = (
      await eq.Payments(escrowV1.QueryPaymentsRequest.fromPartial({ owner: tenant.address, dseq: DSEQ2 }))
    ).payments;
    expect(pay?.state).toBe(PaymentState.PAYMENT_STATE_CLOSED);
    expect(pay?.withdrawn).toEqual(coin(paid));

    // The slash went into escrow, not to the tenant's bank balance; the provider was paid what
    // the lease earned (less the take) and got its bid deposit back, all without a tx of its own.
    expect(await balanceAt(chain.query, tenant.address, F)).toBe(
      await balanceAt(chain.query, tenant.address, F - 1),
    );
    const before = await balanceAt(chain.query, provider.address, F - 1);
    expect(await balanceAt(chain.query, provider.address, F)).toBe(before + paid - take(paid) + BID_DEPOSIT);

    // The group asks for a new provider right away.
    const reopened = (await mq.Order({ id: { owner: tenant.address, dseq: DSEQ2, gseq: 1, oseq: 2 } }))
      .order!;
    expect(reopened.state).toBe(OrderState.ORDER_STATE_OPEN);
    expect(reopened.createdAt).toBe(BigInt(F));
  });

  it('refuses a bid from the jailed provider with (provider, 11) and changes nothing', async () => {
    const res = await send(
      provider,
      [
        msg(marketV1.MsgCreateBid, {
          provider: provider.address,
          order: { owner: tenant.address, dseq: DSEQ2, gseq: 1, oseq: 2 },
          price: { denom: DENOM, amount: RATE2 },
          deposit: coin(BID_DEPOSIT),
        }),
      ],
      { amount: [coin(10_000n)], gas: '400000' },
    );
    expect(res.height).toBeGreaterThan(faultHeight);
    expect(res.code).toBe(11);
    expect(res.rawLog).toMatch(/provider is jailed/);
    const results = await chain.comet.blockResults(res.height);
    expect(results.results[res.txIndex]?.code).toBe(11);
    expect(results.results[res.txIndex]?.codespace).toBe('provider');
    const order = (
      await q(res.height).market.Order({ id: { owner: tenant.address, dseq: DSEQ2, gseq: 1, oseq: 2 } })
    ).order!;
    expect(order.openBids).toBe(0);
    const before = await balanceAt(chain.query, provider.address, res.height - 1);
    expect(await balanceAt(chain.query, provider.address, res.height)).toBe(before - 10_000n);
  });
});
