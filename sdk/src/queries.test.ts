import type { QueryClient } from '@cosmjs/stargate';
import { describe, expect, it } from 'vitest';
import * as marketV1 from './generated/index.hearth.market.v1.js';
import { setupHearthExtension } from './queries.js';
import { hearthQueryServices, serviceMethods } from './services.js';

const OWNER = 'hearth1j3a5xvmu3mq3ed6yl8jjadhyzacetcrmqlynte';

/** A QueryClient stand-in: records each ABCI query and answers with the given bytes. */
function fakeBase(answer: (path: string, request: Uint8Array) => Uint8Array) {
  const calls: { path: string; request: Uint8Array }[] = [];
  const base = {
    queryAbci: async (path: string, request: Uint8Array) => {
      calls.push({ path, request });
      return { value: answer(path, request), height: 1 };
    },
  } as unknown as QueryClient;
  return { base, calls };
}

describe('setupHearthExtension', () => {
  it('has every method of every Hearth Query service', () => {
    const q = setupHearthExtension(fakeBase(() => new Uint8Array()).base).hearth;
    const modules = { provider: q.provider, market: q.market, escrow: q.escrow };
    const offered = Object.values(modules).reduce((n, m) => n + Object.keys(m).length, 0);
    const defined = hearthQueryServices.reduce((n, s) => n + serviceMethods(s).length, 0);
    expect(offered).toBe(defined);
    expect(typeof q.market.leases).toBe('function');
    expect(typeof q.provider.auditedAttributes).toBe('function');
  });

  it('sends the encoded request to the method path and decodes the typed answer, 64-bit values intact', async () => {
    const lease = marketV1.Lease.fromPartial({
      id: { owner: OWNER, dseq: 2n ** 64n - 1n, gseq: 1, oseq: 1, provider: OWNER },
      state: marketV1.LeaseState.LEASE_STATE_ACTIVE,
      price: { denom: 'uhth', amount: '1000000000000000000' },
      createdAt: 2n ** 63n,
    });
    const { base, calls } = fakeBase(() =>
      marketV1.QueryLeasesResponse.encode(
        marketV1.QueryLeasesResponse.fromPartial({ leases: [lease] }),
      ).finish(),
    );
    const q = setupHearthExtension(base);
    const res: marketV1.QueryLeasesResponse = await q.hearth.market.leases({
      provider: OWNER,
      state: marketV1.LeaseState.LEASE_STATE_ACTIVE,
      pagination: { limit: '4294967296' },
    });
    expect(res.leases).toEqual([lease]);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.path).toBe('/hearth.market.v1.Query/Leases');
    const sent = marketV1.QueryLeasesRequest.decode(calls[0]!.request);
    expect(sent.provider).toBe(OWNER);
    expect(sent.state).toBe(marketV1.LeaseState.LEASE_STATE_ACTIVE);
    expect(sent.pagination?.limit).toBe(2n ** 32n);
  });

  it('sends an empty request when none is given, and passes the chain refusal on', async () => {
    const { base, calls } = fakeBase(() => new Uint8Array());
    const q = setupHearthExtension(base);
    await q.hearth.escrow.params();
    expect(calls[0]).toEqual({ path: '/hearth.escrow.v1.Query/Params', request: new Uint8Array() });
    const refusing = {
      queryAbci: async () => {
        throw new Error('Query failed with (18): invalid owner address');
      },
    } as unknown as QueryClient;
    await expect(setupHearthExtension(refusing).hearth.provider.provider({ owner: 'x' })).rejects.toThrow(
      /invalid owner address/,
    );
  });
});
