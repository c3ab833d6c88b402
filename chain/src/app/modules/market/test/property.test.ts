// Random sequences of marketplace messages and block advances. After every block: every module
// invariant (escrow module balance = Σ account + payment balances; bond pool = Σ bonds +
// unbondings; market module = Σ live bid deposits) and conservation (no coins created or lost
// outside the harness' minting). Failed messages must fail with a registered error, never an
// internal one.
import { escrowV1, marketV1, providerV1 } from '@hearth/sdk';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addr, bech, DENOM, groupSpec, Harness } from './harness.js';

const LONG = !!process.env.HEARTH_LONG;
/** A ceiling for slow machines, not a speed assertion. */
const TIMEOUT = LONG ? 1_800_000 : 120_000;
const tenants = [addr('t0'), addr('t1'), addr('t2')];
const providers = [addr('p0'), addr('p1'), addr('p2'), addr('p3')];
const everyone = [...tenants, ...providers];
const coin = (n: bigint | number) => ({ denom: DENOM, amount: String(n) });

const action = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      k: fc.constant('deploy' as const),
      t: fc.nat(2),
      groups: fc.integer({ min: 1, max: 3 }),
      price: fc.integer({ min: 1, max: 50_000 }),
      deposit: fc.integer({ min: 90_000, max: 600_000 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant('deposit' as const),
      who: fc.nat(6),
      pick: fc.nat(),
      amount: fc.integer({ min: 0, max: 300_000 }),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      k: fc.constant('bid' as const),
      p: fc.nat(3),
      pick: fc.nat(),
      pct: fc.integer({ min: 1, max: 110 }),
      deposit: fc.integer({ min: 99_000, max: 200_000 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('closeBid' as const), pick: fc.nat() }) },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('lease' as const), pick: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant('closeLease' as const),
      pick: fc.nat(),
      byProvider: fc.boolean(),
      reason: fc.nat(5),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constantFrom('pause' as const, 'start' as const, 'closeGroup' as const),
      pick: fc.nat(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('closeDeployment' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('withdraw' as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('heartbeat' as const), p: fc.nat(3) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant('status' as const),
      p: fc.nat(3),
      s: fc.integer({ min: 1, max: 4 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constantFrom('bond' as const, 'unbond' as const),
      p: fc.nat(3),
      amount: fc.integer({ min: 1, max: 2_000_000 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({ k: fc.constant('advance' as const), n: fc.integer({ min: 1, max: 12 }) }),
  },
);

type Action = typeof action extends fc.Arbitrary<infer A> ? A : never;

function pick<T>(list: T[], i: number): T | undefined {
  return list.length === 0 ? undefined : list[i % list.length];
}

async function run(actions: Action[]): Promise<void> {
  const h = await Harness.create();
  for (const t of tenants) h.fund(t, 50_000_000n);
  for (const p of providers) {
    h.fund(p, 20_000_000n);
    h.must(providerV1.MsgCreateProvider, {
      owner: bech(p),
      hostUri: 'https://p.example.com',
      attributes: [{ key: 'region', value: 'eu' }],
    });
    h.must(providerV1.MsgBondProvider, { owner: bech(p), amount: coin(1_000_000) });
  }
  let dseq = 1n;
  const check = () => expect(h.brokenInvariants(), `at height ${h.height}`).toEqual([]);
  for (const a of actions) {
    const ctx = h.ctx();
    let r: ReturnType<Harness['tx']> | undefined;
    switch (a.k) {
      case 'deploy':
        r = h.tx(marketV1.MsgCreateDeployment, {
          owner: bech(tenants[a.t]!),
          dseq: dseq++,
          groups: Array.from({ length: a.groups }, (_, i) => groupSpec(`g${i}`, String(a.price))),
          deposit: coin(a.deposit),
        });
        break;
      case 'deposit': {
        const d = pick([...h.market.deployments(ctx)], a.pick);
        if (d)
          r = h.tx(escrowV1.MsgDepositDeployment, {
            depositor: bech(everyone[a.who]!),
            owner: d.id!.owner,
            dseq: d.id!.dseq,
            amount: coin(a.amount),
          });
        break;
      }
      case 'bid': {
        const o = pick([...h.market.orders(ctx)], a.pick);
        if (o) {
          const price = (BigInt(o.price!.amount.replace('.', '')) * BigInt(a.pct)) / 100n;
          const text = `${price / 10n ** 18n}.${(price % 10n ** 18n).toString().padStart(18, '0')}`;
          r = h.tx(marketV1.MsgCreateBid, {
            provider: bech(providers[a.p]!),
            order: o.id,
            price: { denom: DENOM, amount: text },
            deposit: coin(a.deposit),
          });
        }
        break;
      }
      case 'closeBid': {
        const b = pick([...h.market.bids(ctx)], a.pick);
        if (b) r = h.tx(marketV1.MsgCloseBid, { provider: b.id!.provider, id: b.id });
        break;
      }
      case 'lease': {
        const b = pick([...h.market.bids(ctx)], a.pick);
        if (b) r = h.tx(marketV1.MsgCreateLease, { owner: b.id!.owner, bid: b.id });
        break;
      }
      case 'closeLease': {
        const l = pick([...h.market.leases(ctx)], a.pick);
        if (l)
          r = h.tx(marketV1.MsgCloseLease, {
            sender: a.byProvider ? l.id!.provider : l.id!.owner,
            id: l.id,
            reason: a.reason,
          });
        break;
      }
      case 'pause':
      case 'start':
      case 'closeGroup': {
        const g = pick([...h.market.groups(ctx)], a.pick);
        const codec =
          a.k === 'pause'
            ? marketV1.MsgPauseGroup
            : a.k === 'start'
              ? marketV1.MsgStartGroup
              : marketV1.MsgCloseGroup;
        if (g) r = h.tx(codec, { owner: g.id!.owner, dseq: g.id!.dseq, gseq: g.id!.gseq });
        break;
      }
      case 'closeDeployment': {
        const d = pick([...h.market.deployments(ctx)], a.pick);
        if (d) r = h.tx(marketV1.MsgCloseDeployment, { owner: d.id!.owner, dseq: d.id!.dseq });
        break;
      }
      case 'withdraw': {
        const l = pick([...h.market.leases(ctx)], a.pick);
        if (l)
          r = h.tx(escrowV1.MsgWithdrawLease, {
            provider: l.id!.provider,
            owner: l.id!.owner,
            dseq: l.id!.dseq,
            gseq: l.id!.gseq,
            oseq: l.id!.oseq,
          });
        break;
      }
      case 'heartbeat':
        r = h.tx(providerV1.MsgProviderHeartbeat, { owner: bech(providers[a.p]!) });
        break;
      case 'status':
        r = h.tx(providerV1.MsgSetProviderStatus, { owner: bech(providers[a.p]!), status: a.s });
        break;
      case 'bond':
      case 'unbond':
        r = h.tx(a.k === 'bond' ? providerV1.MsgBondProvider : providerV1.MsgUnbondProvider, {
          owner: bech(providers[a.p]!),
          amount: coin(a.amount),
        });
        break;
      case 'advance':
        for (let i = 0; i < a.n; i++) {
          await h.endBlock();
          check();
        }
        break;
    }
    if (r && !r.ok) {
      const id = `${r.error?.codespace}/${r.error?.code}`;
      expect(['undefined/1', 'sdk/35'], `internal error from ${a.k}: ${r.error?.message}`).not.toContain(id);
    }
  }
  await h.endBlock();
  check();
}

describe('marketplace under random message sequences', () => {
  it(
    'keeps escrow, bond pool, bid deposits and total supply consistent after every block',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(action, { minLength: 20, maxLength: LONG ? 250 : 80 }), run),
        {
          numRuns: LONG ? 400 : 40,
        },
      );
    },
    TIMEOUT,
  );
});
