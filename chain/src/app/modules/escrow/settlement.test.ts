// Settlement arithmetic: whatever the touch points (withdrawals, deposits, end blocks), a lease
// at rate r has been paid exactly floor(r * n) after n blocks, and an account whose funds run
// out is overdrawn at the end of the very block in which they end, having paid out every coin.
import { escrowV1, marketV1, providerV1 } from '@hearth/sdk';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEC_ONE } from '../../types/decimal.js';
import { addr, bech, DENOM, groupSpec, Harness } from '../market/test/harness.js';

const LONG = !!process.env.HEARTH_LONG;
/** A ceiling for slow machines, not a speed assertion. */
const TIMEOUT = LONG ? 1_800_000 : 120_000;
const tenant = addr('tenant');
const prov = addr('provider');
const friend = addr('friend');
const coin = (n: bigint | number) => ({ denom: DENOM, amount: String(n) });
const pid = { owner: tenant, dseq: 1n, gseq: 1, oseq: 1, provider: prov };

/** A decimal string with up to 18 fractional digits from a scaled bigint. */
const decText = (v: bigint) => `${v / DEC_ONE}.${(v % DEC_ONE).toString().padStart(18, '0')}`;

async function leaseAt(rate: bigint, deposit: bigint): Promise<{ h: Harness; start: bigint }> {
  const h = await Harness.create({
    provider: { heartbeatInterval: 1_000_000n },
    market: { orderTtlBlocks: 0n },
  });
  h.fund(tenant, 10n ** 15n);
  h.fund(friend, 10n ** 15n);
  h.fund(prov, 10_000_000n);
  h.must(providerV1.MsgCreateProvider, { owner: bech(prov), hostUri: 'https://p.example.com' });
  h.must(providerV1.MsgBondProvider, { owner: bech(prov), amount: coin(1_000_000) });
  h.must(marketV1.MsgCreateDeployment, {
    owner: bech(tenant),
    dseq: 1n,
    groups: [groupSpec('g', decText(rate))],
    deposit: coin(deposit),
  });
  h.must(marketV1.MsgCreateBid, {
    provider: bech(prov),
    order: { owner: bech(tenant), dseq: 1n, gseq: 1, oseq: 1 },
    price: { denom: DENOM, amount: decText(rate) },
    deposit: coin(100_000),
  });
  h.must(marketV1.MsgCreateLease, {
    owner: bech(tenant),
    bid: { owner: bech(tenant), dseq: 1n, gseq: 1, oseq: 1, provider: bech(prov) },
  });
  return { h, start: h.height };
}

const paidSoFar = (h: Harness) => {
  const p = h.escrow.getPayment(h.ctx(), pid)!;
  return BigInt(p.balance!.amount) + BigInt(p.withdrawn!.amount);
};

const rateArb = fc.bigInt({ min: 1n, max: 5_000n * DEC_ONE });

describe('escrow settlement', () => {
  it(
    'pays exactly floor(rate * blocks) whatever the touch points',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          rateArb,
          fc.array(
            fc.record({
              blocks: fc.integer({ min: 1, max: 9 }),
              touch: fc.constantFrom('none', 'withdraw', 'deposit'),
            }),
            { maxLength: 12 },
          ),
          async (rate, steps) => {
            const { h, start } = await leaseAt(rate, 10n ** 13n);
            for (const s of steps) {
              await h.advance(s.blocks);
              if (s.touch === 'withdraw')
                h.must(escrowV1.MsgWithdrawLease, {
                  provider: bech(prov),
                  owner: bech(tenant),
                  dseq: 1n,
                  gseq: 1,
                  oseq: 1,
                });
              if (s.touch === 'deposit')
                h.must(escrowV1.MsgDepositDeployment, {
                  depositor: bech(friend),
                  owner: bech(tenant),
                  dseq: 1n,
                  amount: coin(7),
                });
              h.escrow.settle(h.ctx(), tenant, 1n);
              expect(paidSoFar(h)).toBe((rate * (h.height - start)) / DEC_ONE);
            }
            expect(h.brokenInvariants()).toEqual([]);
          },
        ),
        { numRuns: LONG ? 300 : 30 },
      );
    },
    TIMEOUT,
  );

  it(
    'overdraws at the end of the block the funds end in, paying out every coin',
    async () => {
      await fc.assert(
        fc.asyncProperty(rateArb, fc.bigInt({ min: 100_000n, max: 3_000_000n }), async (rate, deposit) => {
          const { h, start } = await leaseAt(rate, deposit);
          const a = h.escrow.getAccount(h.ctx(), tenant, 1n)!;
          // The first block whose cumulative cost exceeds the deposit.
          let d = 1n;
          let lo = 1n;
          let hi = 1n;
          while ((rate * hi) / DEC_ONE <= deposit) hi *= 2n;
          while (lo < hi) {
            const mid = (lo + hi) / 2n;
            if ((rate * mid) / DEC_ONE > deposit) hi = mid;
            else lo = mid + 1n;
          }
          d = start + lo;
          // Funds that outlast every 64-bit height never deplete.
          expect(a.depletionHeight).toBe(d >= 2n ** 64n ? 0n : d);
          if (d - start > 2000n) return; // too long to walk block by block; the height itself is checked
          await h.advance(Number(d - h.height));
          expect(h.escrow.getAccount(h.ctx(), tenant, 1n)!.state).toBe(
            escrowV1.AccountState.ACCOUNT_STATE_OPEN,
          );
          await h.endBlock();
          const after = h.escrow.getAccount(h.ctx(), tenant, 1n)!;
          expect(after.state).toBe(escrowV1.AccountState.ACCOUNT_STATE_OVERDRAWN);
          expect(after.balance?.amount).toBe('0');
          expect(after.transferred?.amount).toBe(deposit.toString());
          const p = h.escrow.getPayment(h.ctx(), pid)!;
          expect(BigInt(p.unsettled!.amount)).toBe((rate * lo) / DEC_ONE - deposit);
          expect(h.market.getLease(h.ctx(), pid)?.state).toBe(
            marketV1.LeaseState.LEASE_STATE_INSUFFICIENT_FUNDS,
          );
          expect(h.brokenInvariants()).toEqual([]);
        }),
        { numRuns: LONG ? 200 : 20 },
      );
    },
    TIMEOUT,
  );

  it('spends the oldest deposit first and refunds each depositor what is left of theirs', async () => {
    const { h, start } = await leaseAt(100n * DEC_ONE, 100_000n);
    h.must(escrowV1.MsgDepositDeployment, {
      depositor: bech(friend),
      owner: bech(tenant),
      dseq: 1n,
      amount: coin(50_000),
    });
    await h.advance(1_200);
    // 1200 blocks * 100 = 120000: the tenant's 100000 is gone, 20000 of the friend's is spent.
    const tenantBefore = h.balance(tenant);
    const friendBefore = h.balance(friend);
    h.must(marketV1.MsgCloseDeployment, { owner: bech(tenant), dseq: 1n });
    const spent = (h.height - start) * 100n - 100_000n;
    expect(h.balance(friend) - friendBefore).toBe(50_000n - spent);
    // Nothing is left of the tenant's own deposit.
    expect(h.balance(tenant) - tenantBefore).toBe(0n);
    expect(h.brokenInvariants()).toEqual([]);
  });
});
