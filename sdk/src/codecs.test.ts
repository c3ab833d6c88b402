import { toHex } from '@cosmjs/encoding';
import { PageRequest as CosmjsPageRequest } from 'cosmjs-types/cosmos/base/query/v1beta1/pagination';
import { Coin as CosmjsCoin } from 'cosmjs-types/cosmos/base/v1beta1/coin';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PageRequest, PageResponse } from './generated/cosmos/base/query/v1beta1/pagination.js';
import { Coin } from './generated/cosmos/base/v1beta1/coin.js';
import { escrowV1, hearth, marketV1, providerV1 } from './index.js';
import { hearthMsgServices, hearthQueryServices, serviceMethods, typeUrlOf } from './services.js';

const u64Edges = [
  0n,
  1n,
  2n ** 31n - 1n,
  2n ** 31n,
  2n ** 32n + 5n,
  2n ** 53n + 1n,
  2n ** 63n - 1n,
  2n ** 64n - 1n,
];

describe('generated codecs keep 64-bit integers exact (KNOWN TRAP: cosmjs-types writer)', () => {
  it('round-trips uint64 params fields at and beyond 2^31', () => {
    for (const v of u64Edges) {
      const market = marketV1.Params.fromPartial({
        bidMinDeposit: { denom: 'uhth', amount: '1000' },
        orderMaxBids: 4294967295,
        bidTtlBlocks: v,
      });
      expect(marketV1.Params.decode(marketV1.Params.encode(market).finish())).toEqual(market);

      const provider = providerV1.Params.fromPartial({ heartbeatInterval: v });
      expect(providerV1.Params.decode(providerV1.Params.encode(provider).finish()).heartbeatInterval).toBe(v);

      const escrow = escrowV1.Params.fromPartial({ takeRateBps: 250 });
      expect(escrowV1.Params.decode(escrowV1.Params.encode(escrow).finish())).toEqual(escrow);

      const payment = escrowV1.Payment.fromPartial({ dseq: v, paidBlocks: v, createdAt: v });
      expect(escrowV1.Payment.decode(escrowV1.Payment.encode(payment).finish())).toEqual(payment);
      const bid = marketV1.Bid.fromPartial({ id: { dseq: v }, createdAt: v, expiresAt: v });
      expect(marketV1.Bid.decode(marketV1.Bid.encode(bid).finish())).toEqual(bid);
    }
  });

  it('writes the canonical varint bytes', () => {
    // field 3 (bid_ttl_blocks), wire type 0 -> tag 0x18; 2^63-1 is nine varint bytes.
    const max63 = marketV1.Params.encode(
      marketV1.Params.fromPartial({ bidTtlBlocks: 2n ** 63n - 1n, orderMaxBids: 0 }),
    ).finish();
    expect(toHex(max63)).toBe('18ffffffffffffffff7f');
    const p31 = providerV1.Params.encode(
      providerV1.Params.fromPartial({ heartbeatInterval: 2n ** 31n }),
    ).finish();
    expect(toHex(p31)).toBe('108080808008');
    const p32 = providerV1.Params.encode(
      providerV1.Params.fromPartial({ heartbeatInterval: 2n ** 32n + 5n }),
    ).finish();
    expect(toHex(p32)).toBe('108580808010');
  });

  it('round-trips any uint64/uint32 (property)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        fc.nat({ max: 4294967295 }),
        fc.string(),
        fc.string(),
        (ttl, maxBids, denom, amount) => {
          const params = marketV1.Params.fromPartial({
            bidMinDeposit: { denom, amount },
            orderMaxBids: maxBids,
            bidTtlBlocks: ttl,
          });
          const bytes = marketV1.Params.encode(params).finish();
          expect(marketV1.Params.decode(bytes)).toEqual(params);
          expect(marketV1.Params.fromJSON(marketV1.Params.toJSON(params))).toEqual(params);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('takes 64-bit values as decimal strings in fromPartial and JSON', () => {
    const p = providerV1.Params.fromPartial({ heartbeatInterval: '18446744073709551615' });
    expect(p.heartbeatInterval).toBe(2n ** 64n - 1n);
    expect(providerV1.Params.toJSON(p)).toEqual({ heartbeatInterval: '18446744073709551615' });
  });

  it('local Coin and PageRequest are byte-compatible with cosmjs-types', () => {
    const coin = { denom: 'uhth', amount: '340282366920938463463374607431768211455' };
    expect(toHex(Coin.encode(coin).finish())).toBe(toHex(CosmjsCoin.encode(coin).finish()));
    // Encode with our (64-bit-correct) writer, decode with cosmjs-types' reader (which is fine).
    const page = {
      key: Uint8Array.of(1, 2, 3),
      offset: 2n ** 63n - 1n,
      limit: 2n ** 32n + 5n,
      countTotal: true,
      reverse: true,
    };
    expect(CosmjsPageRequest.decode(PageRequest.encode(page).finish())).toEqual(page);
    const resp = { nextKey: Uint8Array.of(9), total: 2n ** 64n - 1n };
    expect(PageResponse.decode(PageResponse.encode(resp).finish())).toEqual(resp);
  });

  it('rejects truncated input with an error', () => {
    const bytes = marketV1.Params.encode(
      marketV1.Params.fromPartial({ bidTtlBlocks: 2n ** 63n - 1n, orderMaxBids: 1 }),
    ).finish();
    expect(() => marketV1.Params.decode(bytes.slice(0, 5))).toThrow();
  });

  it('exposes the MsgUpdateParams shape of every module under both namespaces', () => {
    expect(hearth.market.v1.MsgUpdateParams).toBe(marketV1.MsgUpdateParams);
    const msg = marketV1.MsgUpdateParams.fromPartial({
      authority: 'hearth10d07y265gmmuvt4z0w9aw880jnsr700jesqhc8',
      params: { orderMaxBids: 20, bidTtlBlocks: 2n ** 40n },
    });
    expect(msg.params?.bidMinDeposit).toBeUndefined();
    expect(marketV1.MsgUpdateParams.decode(marketV1.MsgUpdateParams.encode(msg).finish())).toEqual(msg);
    expect(typeUrlOf(providerV1.MsgUpdateParams)).toBe('/hearth.provider.v1.MsgUpdateParams');
    expect(typeUrlOf(escrowV1.GenesisState)).toBe('/hearth.escrow.v1.GenesisState');
  });
});

describe('service descriptors', () => {
  it('name the Msg and Query method paths used for routing', () => {
    const paths = hearthQueryServices.flatMap((s) => serviceMethods(s).map((m) => m.path));
    expect(paths).toContain('/hearth.provider.v1.Query/Providers');
    expect(paths).toContain('/hearth.market.v1.Query/Leases');
    expect(paths).toContain('/hearth.escrow.v1.Query/Account');
    for (const m of ['provider', 'market', 'escrow']) expect(paths).toContain(`/hearth.${m}.v1.Query/Params`);
    const msgs = hearthMsgServices.flatMap((s) => serviceMethods(s).map((m) => m.path));
    expect(msgs).toContain('/hearth.market.v1.Msg/CreateLease');
    expect(msgs).toContain('/hearth.escrow.v1.Msg/DepositDeployment');
    expect(msgs).toContain('/hearth.provider.v1.Msg/ProviderHeartbeat');
    const params = serviceMethods(marketV1.QueryDefinition).find((m) => m.method === 'Params');
    expect(params?.requestType).toBe(marketV1.QueryParamsRequest);
    expect(params?.responseType).toBe(marketV1.QueryParamsResponse);
  });

  it('QueryClientImpl speaks the CosmJS ProtobufRpcClient protocol', async () => {
    const calls: string[] = [];
    const want = marketV1.QueryParamsResponse.fromPartial({
      params: { bidTtlBlocks: 2n ** 63n - 1n, orderMaxBids: 3 },
    });
    const rpc = {
      request: async (service: string, method: string, data: Uint8Array) => {
        calls.push(`/${service}/${method}:${data.length}`);
        return marketV1.QueryParamsResponse.encode(want).finish();
      },
    };
    const client = new marketV1.QueryClientImpl(rpc);
    const got = await client.Params({});
    expect(calls).toEqual(['/hearth.market.v1.Query/Params:0']);
    expect(got.params?.bidTtlBlocks).toBe(2n ** 63n - 1n);
  });
});
