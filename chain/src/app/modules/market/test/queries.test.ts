// Query services (filters, pagination, not-found) and genesis export → import round trips,
// including 64-bit values at and beyond 2^31 (the cosmjs-types writer trap does not apply to
// these ts-proto codecs; this proves it end to end through the stores).
import { escrowV1, marketV1, providerV1 } from '@hearth/sdk';
import { beforeEach, describe, expect, it } from 'vitest';
import { QueryError } from '../../../types/errors.js';
import type { TsProtoCodec } from '../../../types/tsproto.js';
import { addr, bech, DENOM, groupSpec, Harness } from './harness.js';

const tenant = addr('tenant');
const p1 = addr('p1');
const p2 = addr('p2');
const coin = (n: bigint | number) => ({ denom: DENOM, amount: String(n) });
let h: Harness;

function query<Req, Res>(path: string, req: TsProtoCodec<Req>, res: TsProtoCodec<Res>, value: object): Res {
  const handler = h.modules
    .flatMap((m) => Object.entries(m.queryHandlers ?? {}))
    .find(([p]) => p === path)?.[1];
  if (!handler) throw new Error(`no query ${path}`);
  return res.decode(handler(h.ctx(), req.encode(req.fromPartial(value as never)).finish()));
}

beforeEach(async () => {
  h = await Harness.create();
  h.fund(tenant, 100_000_000n);
  for (const [p, region] of [
    [p1, 'eu'],
    [p2, 'us'],
  ] as const) {
    h.fund(p, 10_000_000n);
    h.must(providerV1.MsgCreateProvider, {
      owner: bech(p),
      hostUri: 'https://p.example.com',
      attributes: [{ key: 'region', value: region }],
    });
    h.must(providerV1.MsgBondProvider, { owner: bech(p), amount: coin(1_000_000) });
  }
  for (const dseq of [1n, 2n, 3n])
    h.must(marketV1.MsgCreateDeployment, {
      owner: bech(tenant),
      dseq,
      groups: [groupSpec('web', '10')],
      deposit: coin(1_000_000),
    });
  for (const dseq of [1n, 2n])
    for (const p of [p1, p2])
      h.must(marketV1.MsgCreateBid, {
        provider: bech(p),
        order: { owner: bech(tenant), dseq, gseq: 1, oseq: 1 },
        price: { denom: DENOM, amount: '5' },
        deposit: coin(100_000),
      });
  h.must(marketV1.MsgCreateLease, {
    owner: bech(tenant),
    bid: { owner: bech(tenant), dseq: 1n, gseq: 1, oseq: 1, provider: bech(p2) },
  });
});

describe('queries', () => {
  it('providers by status and attribute', () => {
    const P = providerV1;
    const all = query(
      '/hearth.provider.v1.Query/Providers',
      P.QueryProvidersRequest,
      P.QueryProvidersResponse,
      {},
    );
    expect(all.providers).toHaveLength(2);
    const eu = query(
      '/hearth.provider.v1.Query/Providers',
      P.QueryProvidersRequest,
      P.QueryProvidersResponse,
      { attributeKey: 'region', attributeValue: 'eu' },
    );
    expect(eu.providers.map((p) => p.owner)).toEqual([bech(p1)]);
    const jailed = query(
      '/hearth.provider.v1.Query/Providers',
      P.QueryProvidersRequest,
      P.QueryProvidersResponse,
      { status: P.ProviderStatus.PROVIDER_STATUS_JAILED },
    );
    expect(jailed.providers).toHaveLength(0);
    const one = query('/hearth.provider.v1.Query/Provider', P.QueryProviderRequest, P.QueryProviderResponse, {
      owner: bech(p2),
    });
    expect(one.provider?.activeLeases).toBe(1n);
    expect(() =>
      query('/hearth.provider.v1.Query/Provider', P.QueryProviderRequest, P.QueryProviderResponse, {
        owner: bech(tenant),
      }),
    ).toThrow(QueryError);
    expect(() =>
      query('/hearth.provider.v1.Query/Provider', P.QueryProviderRequest, P.QueryProviderResponse, {
        owner: 'nope',
      }),
    ).toThrow(/InvalidArgument/);
  });

  it('bids and leases by owner, provider and state, with pagination', () => {
    const M = marketV1;
    const byProvider = query('/hearth.market.v1.Query/Bids', M.QueryBidsRequest, M.QueryBidsResponse, {
      provider: bech(p1),
    });
    expect(byProvider.bids).toHaveLength(2);
    const lost = query('/hearth.market.v1.Query/Bids', M.QueryBidsRequest, M.QueryBidsResponse, {
      owner: bech(tenant),
      state: M.BidState.BID_STATE_LOST,
    });
    expect(lost.bids.map((b) => b.id?.provider)).toEqual([bech(p1)]);
    const page1 = query('/hearth.market.v1.Query/Bids', M.QueryBidsRequest, M.QueryBidsResponse, {
      owner: bech(tenant),
      pagination: { limit: 3n, countTotal: true },
    });
    expect(page1.bids).toHaveLength(3);
    expect(page1.pagination?.total).toBe(4n);
    const page2 = query('/hearth.market.v1.Query/Bids', M.QueryBidsRequest, M.QueryBidsResponse, {
      owner: bech(tenant),
      pagination: { key: page1.pagination!.nextKey, limit: 3n },
    });
    expect(page2.bids).toHaveLength(1);
    const leases = query('/hearth.market.v1.Query/Leases', M.QueryLeasesRequest, M.QueryLeasesResponse, {
      provider: bech(p2),
      state: M.LeaseState.LEASE_STATE_ACTIVE,
    });
    expect(leases.leases).toHaveLength(1);
    expect(
      query('/hearth.market.v1.Query/Leases', M.QueryLeasesRequest, M.QueryLeasesResponse, {
        provider: bech(p1),
      }).leases,
    ).toHaveLength(0);
    const orders = query('/hearth.market.v1.Query/Orders', M.QueryOrdersRequest, M.QueryOrdersResponse, {
      owner: bech(tenant),
      state: M.OrderState.ORDER_STATE_OPEN,
    });
    expect(orders.orders.map((o) => o.id?.dseq)).toEqual([2n, 3n]);
    const d = query(
      '/hearth.market.v1.Query/Deployment',
      M.QueryDeploymentRequest,
      M.QueryDeploymentResponse,
      { id: { owner: bech(tenant), dseq: 1n } },
    );
    expect(d.groups).toHaveLength(1);
    expect(() =>
      query('/hearth.market.v1.Query/Lease', M.QueryLeaseRequest, M.QueryLeaseResponse, {
        id: { owner: bech(tenant), dseq: 9n, gseq: 1, oseq: 1, provider: bech(p1) },
      }),
    ).toThrow(/NotFound/);
  });

  it('escrow account and payments by deployment', async () => {
    await h.advance(3);
    const E = escrowV1;
    const a = query('/hearth.escrow.v1.Query/Account', E.QueryAccountRequest, E.QueryAccountResponse, {
      owner: bech(tenant),
      dseq: 1n,
    });
    expect(a.account?.state).toBe(E.AccountState.ACCOUNT_STATE_OPEN);
    const pays = query('/hearth.escrow.v1.Query/Payments', E.QueryPaymentsRequest, E.QueryPaymentsResponse, {
      owner: bech(tenant),
      dseq: 1n,
    });
    expect(pays.payments.map((p) => p.provider)).toEqual([bech(p2)]);
    const accts = query('/hearth.escrow.v1.Query/Accounts', E.QueryAccountsRequest, E.QueryAccountsResponse, {
      owner: bech(tenant),
    });
    expect(accts.accounts).toHaveLength(3);
  });
});

describe('genesis', () => {
  it('exports and re-imports the whole marketplace state, 64-bit values intact', async () => {
    const ctx = h.ctx();
    // Values past 2^31 and up to 2^63-1 in stored records.
    const big = 2n ** 63n - 1n;
    const p = h.provider.getProvider(ctx, p1)!;
    h.provider.setProvider(ctx, { ...p, leasesCompleted: big, faults: 2n ** 31n, createdAt: 2n ** 32n + 5n });
    await h.advance(2);
    const exported = h.modules.map((m) => [m.name, m.exportGenesis(h.ctx())] as const);
    const json = JSON.parse(JSON.stringify(Object.fromEntries(exported)));
    expect(json.provider.providers[0].leases_completed).toBe(big.toString());

    const h2 = await Harness.create();
    for (const m of h2.modules) m.validateGenesis(json[m.name]);
    for (const m of h2.modules) m.initGenesis(h2.ctx(), json[m.name]);
    const again = Object.fromEntries(h2.modules.map((m) => [m.name, m.exportGenesis(h2.ctx())]));
    expect(JSON.parse(JSON.stringify(again))).toEqual(json);
    expect(h2.provider.getProvider(h2.ctx(), p1)?.leasesCompleted).toBe(big);
  });

  it('refuses a genesis that does not add up', async () => {
    const escrowGenesis = JSON.parse(
      JSON.stringify(h.modules.find((m) => m.name === 'escrow')!.exportGenesis(h.ctx())),
    );
    escrowGenesis.accounts[0].balance.amount = '1';
    expect(() => h.modules.find((m) => m.name === 'escrow')!.validateGenesis(escrowGenesis)).toThrow(
      /sum of the deposits/,
    );
    const providerGenesis = JSON.parse(
      JSON.stringify(h.modules.find((m) => m.name === 'provider')!.exportGenesis(h.ctx())),
    );
    providerGenesis.providers[0].host_uri = 'http://x';
    expect(() => h.modules.find((m) => m.name === 'provider')!.validateGenesis(providerGenesis)).toThrow(
      /host_uri/,
    );
    for (const m of h.modules) expect(() => m.validateGenesis(m.defaultGenesis())).not.toThrow();
  });
});
