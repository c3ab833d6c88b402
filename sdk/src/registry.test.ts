import { fromBech32 } from '@cosmjs/encoding';
import { Registry } from '@cosmjs/proto-signing';
import { defaultRegistryTypes } from '@cosmjs/stargate';
import { MsgSend } from 'cosmjs-types/cosmos/bank/v1beta1/tx';
import { describe, expect, it } from 'vitest';
import { escrowV1, marketV1, type providerV1 } from './index.js';
import { createHearthRegistry, hearthTypes } from './registry.js';

// The governance module account: bech32(sha256("gov")[:20]); with prefix cosmos it is the
// well-known cosmos10d07y265gmmuvt4z0w9aw880jnsr700j6zn9kn.
const govAuthority = 'hearth10d07y265gmmuvt4z0w9aw880jnsr700jesqhc8';

describe('hearthTypes', () => {
  it('lists every Hearth Msg by type URL, sorted', () => {
    expect(hearthTypes.map(([url]) => url)).toEqual([
      '/hearth.escrow.v1.MsgDepositDeployment',
      '/hearth.escrow.v1.MsgUpdateParams',
      '/hearth.escrow.v1.MsgWithdrawLease',
      '/hearth.market.v1.MsgCloseBid',
      '/hearth.market.v1.MsgCloseDeployment',
      '/hearth.market.v1.MsgCloseGroup',
      '/hearth.market.v1.MsgCloseLease',
      '/hearth.market.v1.MsgCreateBid',
      '/hearth.market.v1.MsgCreateDeployment',
      '/hearth.market.v1.MsgCreateLease',
      '/hearth.market.v1.MsgPauseGroup',
      '/hearth.market.v1.MsgStartGroup',
      '/hearth.market.v1.MsgUpdateDeployment',
      '/hearth.market.v1.MsgUpdateParams',
      '/hearth.provider.v1.MsgBondProvider',
      '/hearth.provider.v1.MsgCreateProvider',
      '/hearth.provider.v1.MsgDeleteAttributes',
      '/hearth.provider.v1.MsgDeleteProvider',
      '/hearth.provider.v1.MsgProviderHeartbeat',
      '/hearth.provider.v1.MsgSetProviderStatus',
      '/hearth.provider.v1.MsgSignAttributes',
      '/hearth.provider.v1.MsgUnbondProvider',
      '/hearth.provider.v1.MsgUpdateParams',
      '/hearth.provider.v1.MsgUpdateProvider',
    ]);
    expect(hearthTypes.find(([url]) => url === '/hearth.escrow.v1.MsgUpdateParams')?.[1]).toBe(
      escrowV1.MsgUpdateParams,
    );
    expect(hearthTypes.find(([url]) => url === '/hearth.market.v1.MsgCreateLease')?.[1]).toBe(
      marketV1.MsgCreateLease,
    );
    expect(Object.isFrozen(hearthTypes)).toBe(true);
  });

  it('does not collide with any default Cosmos type URL', () => {
    const defaults = new Set(defaultRegistryTypes.map(([url]) => url));
    for (const [url] of hearthTypes) expect(defaults.has(url)).toBe(false);
  });
});

describe('createHearthRegistry', () => {
  const registry = createHearthRegistry();

  it('is a CosmJS Registry', () => {
    expect(registry).toBeInstanceOf(Registry);
  });

  it("knows slashing's MsgUnjail, which CosmJS' defaults lack", () => {
    const typeUrl = '/cosmos.slashing.v1beta1.MsgUnjail';
    expect(defaultRegistryTypes.some(([url]) => url === typeUrl)).toBe(false);
    const value = { validatorAddr: 'hearthvaloper1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqg6g6t3' };
    expect(registry.decode({ typeUrl, value: registry.encode({ typeUrl, value }) })).toEqual(value);
  });

  it('encodes and decodes a MsgUpdateParams with 64-bit values intact', () => {
    const value = marketV1.MsgUpdateParams.fromPartial({
      authority: govAuthority,
      params: {
        bidMinDeposit: { denom: 'uhth', amount: '5000000' },
        orderMaxBids: 4294967295,
        bidTtlBlocks: 2n ** 63n - 1n,
      },
    });
    const typeUrl = '/hearth.market.v1.MsgUpdateParams';
    const bytes = registry.encode({ typeUrl, value });
    expect(bytes).toEqual(marketV1.MsgUpdateParams.encode(value).finish());
    expect(registry.decode({ typeUrl, value: bytes })).toEqual(value);

    const any = registry.encodeAsAny({ typeUrl, value });
    expect(any.typeUrl).toBe(typeUrl);
    expect(marketV1.MsgUpdateParams.decode(any.value)).toEqual(value);
  });

  it('fills missing fields through fromPartial when encoding plain objects', () => {
    const typeUrl = '/hearth.provider.v1.MsgUpdateParams';
    const bytes = registry.encode({
      typeUrl,
      value: { authority: govAuthority, params: { heartbeatInterval: '4294967301' } },
    });
    const decoded = registry.decode({ typeUrl, value: bytes }) as providerV1.MsgUpdateParams;
    expect(decoded.params?.heartbeatInterval).toBe(2n ** 32n + 5n);
    expect(fromBech32(decoded.authority).prefix).toBe('hearth');
  });

  it('carries Hearth and bank messages side by side in a TxBody', () => {
    const hearthMsg = {
      typeUrl: '/hearth.escrow.v1.MsgUpdateParams',
      value: escrowV1.MsgUpdateParams.fromPartial({
        authority: govAuthority,
        params: { takeRateBps: 250 },
      }),
    };
    const bankMsg = {
      typeUrl: '/cosmos.bank.v1beta1.MsgSend',
      value: MsgSend.fromPartial({
        fromAddress: govAuthority,
        toAddress: govAuthority,
        amount: [{ denom: 'uhth', amount: '1' }],
      }),
    };
    const body = registry.encodeTxBody({ messages: [hearthMsg, bankMsg], memo: 'hearth' });
    const decoded = registry.decodeTxBody(body);
    expect(decoded.memo).toBe('hearth');
    // decodeTxBody unpacks each Any through the registry, so Hearth's codec must be found.
    expect(decoded.messages).toEqual([hearthMsg.value, bankMsg.value]);
  });

  it('refuses an unregistered type URL with a clear error', () => {
    expect(() => registry.encode({ typeUrl: '/hearth.market.v1.MsgNope', value: {} })).toThrow(
      /Unregistered type url: \/hearth.market.v1.MsgNope/,
    );
  });
});
