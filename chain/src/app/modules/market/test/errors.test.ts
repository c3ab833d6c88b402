// Every message's bad inputs: a registered (codespace, code) and no state change.
import { escrowV1, marketV1, providerV1 } from '@hearth/sdk';
import { beforeEach, describe, expect, it } from 'vitest';
import type { TsProtoCodec } from '../../../types/tsproto.js';
import { addr, bech, DENOM, gov, groupSpec, Harness, resources } from './harness.js';

const tenant = addr('tenant');
const prov = addr('provider');
const other = addr('other-provider');
const auditor = addr('auditor');
const coin = (amount: bigint | number, denom = DENOM) => ({ denom, amount: String(amount) });
const bidId = (provider = prov, oseq = 1) => ({
  owner: bech(tenant),
  dseq: 1n,
  gseq: 1,
  oseq,
  provider: bech(provider),
});
const orderId = (oseq = 1) => ({ owner: bech(tenant), dseq: 1n, gseq: 1, oseq });

let h: Harness;

function fails<T>(codec: TsProtoCodec<T>, value: Partial<T>, codespace: string, code: number): void {
  const before = h.stateDigest();
  const r = h.tx(codec, value);
  expect(r.ok, `${codec.$type} should fail`).toBe(false);
  expect(`${r.error?.codespace}/${r.error?.code}`, r.error?.message).toBe(`${codespace}/${code}`);
  expect(h.stateDigest()).toBe(before);
}

function provider(who: Uint8Array, bond = 1_000_000n, attributes = [{ key: 'region', value: 'eu' }]) {
  h.fund(who, 10_000_000n);
  h.must(providerV1.MsgCreateProvider, {
    owner: bech(who),
    hostUri: 'https://provider.example.com',
    attributes,
  });
  if (bond > 0n) h.must(providerV1.MsgBondProvider, { owner: bech(who), amount: coin(bond) });
}

function deployment(spec = groupSpec('web', '10')) {
  h.must(marketV1.MsgCreateDeployment, {
    owner: bech(tenant),
    dseq: 1n,
    groups: [spec],
    deposit: coin(1_000_000),
  });
}

const bidMsg = (p = prov, price = '8', deposit = 100_000, oseq = 1) => ({
  provider: bech(p),
  order: orderId(oseq),
  price: { denom: DENOM, amount: price },
  deposit: coin(deposit),
});

beforeEach(async () => {
  h = await Harness.create();
  h.fund(tenant, 100_000_000n);
});

describe('x/provider messages refuse bad input', () => {
  const create = (o: Partial<providerV1.MsgCreateProvider>) => ({
    owner: bech(prov),
    hostUri: 'https://p.example.com',
    attributes: [{ key: 'region', value: 'eu' }],
    ...o,
  });

  it('MsgCreateProvider: URI, attributes, info, address, duplicates', () => {
    for (const uri of [
      'http://p.example.com',
      'https://p.example.com/path',
      'https://',
      'https://u@p.example.com',
      'https://p.example.com:99999',
      'https://p.example.com?q=1',
      '',
    ])
      fails(providerV1.MsgCreateProvider, create({ hostUri: uri }), 'provider', 4);
    fails(
      providerV1.MsgCreateProvider,
      create({ attributes: [{ key: '1region', value: 'eu' }] }),
      'provider',
      5,
    );
    fails(providerV1.MsgCreateProvider, create({ attributes: [{ key: 'r', value: 'eu' }] }), 'provider', 5);
    fails(
      providerV1.MsgCreateProvider,
      create({
        attributes: [
          { key: 'region', value: 'eu' },
          { key: 'region', value: 'us' },
        ],
      }),
      'provider',
      5,
    );
    fails(
      providerV1.MsgCreateProvider,
      create({ attributes: [{ key: 'region', value: '' }] }),
      'provider',
      5,
    );
    const many = Array.from({ length: 65 }, (_, i) => ({ key: `key${i}`, value: 'v' }));
    fails(providerV1.MsgCreateProvider, create({ attributes: many }), 'provider', 5);
    fails(
      providerV1.MsgCreateProvider,
      create({ info: { email: 'not-an-email', website: '' } }),
      'provider',
      6,
    );
    fails(
      providerV1.MsgCreateProvider,
      create({ owner: 'cosmos1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq' }),
      'sdk',
      7,
    );
    h.must(providerV1.MsgCreateProvider, create({}));
    fails(providerV1.MsgCreateProvider, create({}), 'provider', 3);
  });

  it('MsgUpdateProvider / MsgDeleteProvider / MsgProviderHeartbeat: unknown provider, busy, bonded', () => {
    fails(
      providerV1.MsgUpdateProvider,
      { owner: bech(prov), hostUri: 'https://p.example.com' },
      'provider',
      2,
    );
    fails(providerV1.MsgDeleteProvider, { owner: bech(prov) }, 'provider', 2);
    fails(providerV1.MsgProviderHeartbeat, { owner: bech(prov) }, 'provider', 2);
    provider(prov);
    fails(providerV1.MsgUpdateProvider, { owner: bech(prov), hostUri: 'ftp://p.example.com' }, 'provider', 4);
    fails(providerV1.MsgDeleteProvider, { owner: bech(prov) }, 'provider', 15);
    deployment();
    h.must(marketV1.MsgCreateBid, bidMsg());
    fails(providerV1.MsgDeleteProvider, { owner: bech(prov) }, 'provider', 7);
  });

  it('MsgBondProvider / MsgUnbondProvider: denom, amount, over-unbonding, minimum while leasing', () => {
    fails(providerV1.MsgBondProvider, { owner: bech(prov), amount: coin(5) }, 'provider', 2);
    provider(prov);
    fails(providerV1.MsgBondProvider, { owner: bech(prov), amount: coin(5, 'uatom') }, 'provider', 8);
    fails(providerV1.MsgBondProvider, { owner: bech(prov), amount: coin(0) }, 'sdk', 10);
    fails(providerV1.MsgBondProvider, { owner: bech(prov), amount: coin(10n ** 12n) }, 'sdk', 5);
    fails(providerV1.MsgUnbondProvider, { owner: bech(prov), amount: coin(1_000_001) }, 'provider', 9);
    deployment();
    h.must(marketV1.MsgCreateBid, bidMsg());
    h.must(marketV1.MsgCreateLease, { owner: bech(tenant), bid: bidId() });
    fails(providerV1.MsgUnbondProvider, { owner: bech(prov), amount: coin(1) }, 'provider', 9);
  });

  it('MsgSetProviderStatus: invalid transitions and jail', async () => {
    fails(
      providerV1.MsgSetProviderStatus,
      { owner: bech(prov), status: providerV1.ProviderStatus.PROVIDER_STATUS_ACTIVE },
      'provider',
      2,
    );
    provider(prov);
    fails(
      providerV1.MsgSetProviderStatus,
      { owner: bech(prov), status: providerV1.ProviderStatus.PROVIDER_STATUS_JAILED },
      'sdk',
      18,
    );
    fails(
      providerV1.MsgSetProviderStatus,
      { owner: bech(prov), status: providerV1.ProviderStatus.PROVIDER_STATUS_ACTIVE },
      'provider',
      10,
    );
    // Jail it through a fault, then try to leave jail early.
    deployment();
    h.must(marketV1.MsgCreateBid, bidMsg());
    h.must(marketV1.MsgCreateLease, { owner: bech(tenant), bid: bidId() });
    await h.advance(21);
    expect(h.provider.getProvider(h.ctx(), prov)?.status).toBe(
      providerV1.ProviderStatus.PROVIDER_STATUS_JAILED,
    );
    fails(
      providerV1.MsgSetProviderStatus,
      { owner: bech(prov), status: providerV1.ProviderStatus.PROVIDER_STATUS_ACTIVE },
      'provider',
      11,
    );
    fails(
      providerV1.MsgSetProviderStatus,
      { owner: bech(prov), status: providerV1.ProviderStatus.PROVIDER_STATUS_MAINTENANCE },
      'provider',
      10,
    );
    await h.advance(20);
    h.must(providerV1.MsgSetProviderStatus, {
      owner: bech(prov),
      status: providerV1.ProviderStatus.PROVIDER_STATUS_ACTIVE,
    });
  });

  it('MsgSignAttributes / MsgDeleteAttributes', () => {
    fails(
      providerV1.MsgSignAttributes,
      { auditor: bech(auditor), owner: bech(prov), attributes: [{ key: 'tier', value: 'gold' }] },
      'provider',
      2,
    );
    provider(prov);
    fails(
      providerV1.MsgSignAttributes,
      { auditor: bech(auditor), owner: bech(prov), attributes: [] },
      'provider',
      5,
    );
    fails(
      providerV1.MsgSignAttributes,
      { auditor: bech(auditor), owner: bech(prov), attributes: [{ key: '!', value: 'x' }] },
      'provider',
      5,
    );
    fails(
      providerV1.MsgDeleteAttributes,
      { auditor: bech(auditor), owner: bech(prov), keys: [] },
      'provider',
      13,
    );
    h.must(providerV1.MsgSignAttributes, {
      auditor: bech(auditor),
      owner: bech(prov),
      attributes: [{ key: 'tier', value: 'gold' }],
    });
    fails(
      providerV1.MsgDeleteAttributes,
      { auditor: bech(auditor), owner: bech(prov), keys: ['region'] },
      'provider',
      13,
    );
    fails(
      providerV1.MsgDeleteAttributes,
      { auditor: bech(auditor), owner: bech(prov), keys: ['tier', 'tier'] },
      'provider',
      5,
    );
  });

  it('MsgUpdateParams: authority and values', () => {
    const params = h.provider.getParams(h.ctx());
    fails(providerV1.MsgUpdateParams, { authority: bech(tenant), params }, 'sdk', 4);
    fails(
      providerV1.MsgUpdateParams,
      { authority: bech(gov), params: { ...params, heartbeatInterval: 0n } },
      'provider',
      14,
    );
    fails(
      providerV1.MsgUpdateParams,
      { authority: bech(gov), params: { ...params, faultSlashFraction: '1.5' } },
      'provider',
      14,
    );
    fails(
      providerV1.MsgUpdateParams,
      { authority: bech(gov), params: { ...params, bondDenom: 'uatom' } },
      'provider',
      14,
    );
    h.must(providerV1.MsgUpdateParams, {
      authority: bech(gov),
      params: { ...params, heartbeatInterval: 2n ** 40n },
    });
    expect(h.provider.getParams(h.ctx()).heartbeatInterval).toBe(2n ** 40n);
  });
});

describe('x/market messages refuse bad input', () => {
  const create = (o: Partial<marketV1.MsgCreateDeployment>) => ({
    owner: bech(tenant),
    dseq: 1n,
    groups: [groupSpec('web', '10')],
    deposit: coin(1_000_000),
    ...o,
  });

  it('MsgCreateDeployment: deposit, denom, groups and limits', () => {
    fails(marketV1.MsgCreateDeployment, create({ deposit: coin(99_999) }), 'market', 19);
    fails(marketV1.MsgCreateDeployment, create({ deposit: coin(1_000_000, 'uatom') }), 'market', 20);
    fails(marketV1.MsgCreateDeployment, create({ groups: [] }), 'market', 5);
    fails(
      marketV1.MsgCreateDeployment,
      create({ groups: Array.from({ length: 21 }, (_, i) => groupSpec(`g${i}`, '1')) }),
      'market',
      5,
    );
    fails(
      marketV1.MsgCreateDeployment,
      create({ groups: [groupSpec('web', '1'), groupSpec('web', '1')] }),
      'market',
      5,
    );
    fails(marketV1.MsgCreateDeployment, create({ groups: [groupSpec('web', '0')] }), 'market', 23);
    fails(marketV1.MsgCreateDeployment, create({ groups: [groupSpec('web', 'ten')] }), 'sdk', 10);
    fails(
      marketV1.MsgCreateDeployment,
      create({ groups: [groupSpec('web', '1', { resources: [resources('1', 0)] })] }),
      'market',
      5,
    );
    fails(
      marketV1.MsgCreateDeployment,
      create({ groups: [groupSpec('web', '1', { resources: [resources('1', 1, { cpuMillicores: 0n })] })] }),
      'market',
      5,
    );
    fails(
      marketV1.MsgCreateDeployment,
      create({
        groups: [groupSpec('web', '1', { resources: [resources('1', 1, { memoryBytes: 1n << 50n })] })],
      }),
      'market',
      5,
    );
    fails(marketV1.MsgCreateDeployment, create({ groups: [groupSpec('bad name', '1')] }), 'market', 5);
    fails(
      marketV1.MsgCreateDeployment,
      create({
        groups: [
          groupSpec('web', '1', {
            resources: [{ ...resources('1'), price: { denom: 'uatom', amount: '1' } }],
          }),
        ],
      }),
      'market',
      20,
    );
    fails(marketV1.MsgCreateDeployment, create({ dseq: 0n }), 'market', 5);
    fails(marketV1.MsgCreateDeployment, create({ manifestHash: new Uint8Array(65) }), 'market', 5);
    h.must(marketV1.MsgCreateDeployment, create({}));
    fails(marketV1.MsgCreateDeployment, create({}), 'market', 3);
  });

  it('MsgCreateBid: price above the order, deposit, too many bids, requirements, bond, state', async () => {
    h = await Harness.create({ market: { orderMaxBids: 1 } });
    h.fund(tenant, 100_000_000n);
    fails(marketV1.MsgCreateBid, bidMsg(), 'market', 2);
    provider(prov);
    provider(other, 0n);
    deployment();
    fails(marketV1.MsgCreateBid, bidMsg(prov, '10.000000000000000001'), 'market', 13);
    fails(marketV1.MsgCreateBid, bidMsg(prov, '8', 99_999), 'market', 14);
    fails(marketV1.MsgCreateBid, { ...bidMsg(), price: { denom: 'uatom', amount: '1' } }, 'market', 20);
    fails(marketV1.MsgCreateBid, bidMsg(prov, '0'), 'market', 23);
    fails(marketV1.MsgCreateBid, bidMsg(prov, '8', 100_000, 2), 'market', 8);
    fails(marketV1.MsgCreateBid, bidMsg(other), 'provider', 9);
    h.must(marketV1.MsgCreateBid, bidMsg());
    fails(marketV1.MsgCreateBid, bidMsg(), 'market', 11);
    h.must(providerV1.MsgBondProvider, { owner: bech(other), amount: coin(1_000_000) });
    fails(marketV1.MsgCreateBid, bidMsg(other), 'market', 15);
  });

  it('MsgCreateBid: attributes and auditor signatures the group requires', () => {
    provider(prov);
    const spec = groupSpec('web', '10', {
      requirements: {
        attributes: [{ key: 'region', value: 'eu' }],
        signedBy: { allOf: [bech(auditor)], anyOf: [] },
      },
    });
    deployment(spec);
    fails(marketV1.MsgCreateBid, bidMsg(), 'market', 16);
    h.must(providerV1.MsgSignAttributes, {
      auditor: bech(auditor),
      owner: bech(prov),
      attributes: [{ key: 'region', value: 'us' }],
    });
    fails(marketV1.MsgCreateBid, bidMsg(), 'market', 16);
    h.must(providerV1.MsgSignAttributes, {
      auditor: bech(auditor),
      owner: bech(prov),
      attributes: [{ key: 'region', value: 'eu' }],
    });
    expect(h.tx(marketV1.MsgCreateBid, bidMsg()).ok).toBe(true);
    provider(other, 1_000_000n, [{ key: 'region', value: 'us' }]);
    fails(marketV1.MsgCreateBid, bidMsg(other), 'market', 16);
  });

  it('MsgCloseBid / MsgCreateLease: wrong signer, unknown id, wrong state', () => {
    provider(prov);
    provider(other);
    deployment();
    fails(marketV1.MsgCloseBid, { provider: bech(prov), id: bidId() }, 'market', 10);
    fails(marketV1.MsgCreateLease, { owner: bech(tenant), bid: bidId() }, 'market', 10);
    h.must(marketV1.MsgCreateBid, bidMsg());
    fails(marketV1.MsgCloseBid, { provider: bech(other), id: bidId() }, 'sdk', 4);
    fails(marketV1.MsgCreateLease, { owner: bech(other), bid: bidId() }, 'sdk', 4);
    fails(marketV1.MsgCreateLease, { owner: bech(tenant), bid: { ...bidId(), dseq: 0n } }, 'sdk', 18);
    h.must(marketV1.MsgCreateLease, { owner: bech(tenant), bid: bidId() });
    fails(marketV1.MsgCloseBid, { provider: bech(prov), id: bidId() }, 'market', 12);
    fails(marketV1.MsgCreateLease, { owner: bech(tenant), bid: bidId() }, 'market', 12);
  });

  it('MsgCloseLease: stranger, unknown, reasons, already closed', () => {
    provider(prov);
    deployment();
    fails(marketV1.MsgCloseLease, { sender: bech(tenant), id: bidId() }, 'market', 17);
    h.must(marketV1.MsgCreateBid, bidMsg());
    h.must(marketV1.MsgCreateLease, { owner: bech(tenant), bid: bidId() });
    fails(marketV1.MsgCloseLease, { sender: bech(other), id: bidId() }, 'sdk', 4);
    const R = marketV1.LeaseCloseReason;
    fails(
      marketV1.MsgCloseLease,
      { sender: bech(tenant), id: bidId(), reason: R.LEASE_CLOSE_REASON_PROVIDER_UNSTABLE },
      'market',
      22,
    );
    fails(
      marketV1.MsgCloseLease,
      { sender: bech(prov), id: bidId(), reason: R.LEASE_CLOSE_REASON_OWNER },
      'market',
      22,
    );
    fails(
      marketV1.MsgCloseLease,
      { sender: bech(prov), id: bidId(), reason: R.LEASE_CLOSE_REASON_PROVIDER_FAULT },
      'market',
      22,
    );
    h.must(marketV1.MsgCloseLease, { sender: bech(tenant), id: bidId() });
    fails(marketV1.MsgCloseLease, { sender: bech(tenant), id: bidId() }, 'market', 18);
  });

  it('group and deployment messages: unknown ids and wrong states', () => {
    const g = { owner: bech(tenant), dseq: 1n, gseq: 1 };
    fails(marketV1.MsgPauseGroup, g, 'market', 2);
    fails(
      marketV1.MsgUpdateDeployment,
      { owner: bech(tenant), dseq: 1n, manifestHash: new Uint8Array(32) },
      'market',
      2,
    );
    deployment();
    fails(marketV1.MsgPauseGroup, { ...g, gseq: 2 }, 'market', 6);
    fails(marketV1.MsgStartGroup, g, 'market', 7);
    fails(
      marketV1.MsgUpdateDeployment,
      { owner: bech(tenant), dseq: 1n, manifestHash: new Uint8Array(0) },
      'market',
      5,
    );
    h.must(marketV1.MsgPauseGroup, g);
    fails(marketV1.MsgPauseGroup, g, 'market', 7);
    h.must(marketV1.MsgCloseGroup, g);
    fails(marketV1.MsgCloseGroup, g, 'market', 7);
    fails(marketV1.MsgStartGroup, g, 'market', 7);
    h.must(marketV1.MsgCloseDeployment, { owner: bech(tenant), dseq: 1n });
    fails(marketV1.MsgCloseDeployment, { owner: bech(tenant), dseq: 1n }, 'market', 4);
    fails(
      marketV1.MsgUpdateDeployment,
      { owner: bech(tenant), dseq: 1n, manifestHash: new Uint8Array(32) },
      'market',
      4,
    );
  });

  it('MsgUpdateParams: authority and values', () => {
    const params = h.market.getParams(h.ctx());
    fails(marketV1.MsgUpdateParams, { authority: bech(tenant), params }, 'sdk', 4);
    fails(
      marketV1.MsgUpdateParams,
      { authority: bech(gov), params: { ...params, orderMaxBids: 0 } },
      'market',
      21,
    );
    fails(
      marketV1.MsgUpdateParams,
      { authority: bech(gov), params: { ...params, bidForfeitFraction: 'x' } },
      'market',
      21,
    );
  });
});

describe('x/escrow messages refuse bad input', () => {
  it('MsgDepositDeployment: unknown, denom, zero, closed', () => {
    fails(
      escrowV1.MsgDepositDeployment,
      { depositor: bech(tenant), owner: bech(tenant), dseq: 1n, amount: coin(10) },
      'escrow',
      2,
    );
    deployment();
    fails(
      escrowV1.MsgDepositDeployment,
      { depositor: bech(tenant), owner: bech(tenant), dseq: 1n, amount: coin(10, 'uatom') },
      'escrow',
      8,
    );
    fails(
      escrowV1.MsgDepositDeployment,
      { depositor: bech(tenant), owner: bech(tenant), dseq: 1n, amount: coin(0) },
      'sdk',
      10,
    );
    fails(
      escrowV1.MsgDepositDeployment,
      { depositor: bech(prov), owner: bech(tenant), dseq: 1n, amount: coin(10) },
      'sdk',
      5,
    );
    h.must(marketV1.MsgCloseDeployment, { owner: bech(tenant), dseq: 1n });
    fails(
      escrowV1.MsgDepositDeployment,
      { depositor: bech(tenant), owner: bech(tenant), dseq: 1n, amount: coin(10) },
      'escrow',
      4,
    );
  });

  it('MsgWithdrawLease: only the lease provider, only existing payments', () => {
    provider(prov);
    deployment();
    h.must(marketV1.MsgCreateBid, bidMsg());
    h.must(marketV1.MsgCreateLease, { owner: bech(tenant), bid: bidId() });
    const w = { owner: bech(tenant), dseq: 1n, gseq: 1, oseq: 1 };
    fails(escrowV1.MsgWithdrawLease, { ...w, provider: bech(other) }, 'escrow', 6);
    fails(escrowV1.MsgWithdrawLease, { ...w, oseq: 0, provider: bech(prov) }, 'sdk', 18);
    expect(h.tx(escrowV1.MsgWithdrawLease, { ...w, provider: bech(prov) }).ok).toBe(true);
  });

  it('MsgUpdateParams: authority and take rate', () => {
    fails(escrowV1.MsgUpdateParams, { authority: bech(tenant), params: { takeRateBps: 100 } }, 'sdk', 4);
    fails(escrowV1.MsgUpdateParams, { authority: bech(gov), params: { takeRateBps: 10_001 } }, 'escrow', 11);
    h.must(escrowV1.MsgUpdateParams, { authority: bech(gov), params: { takeRateBps: 0 } });
    expect(h.escrow.getParams(h.ctx()).takeRateBps).toBe(0);
  });
});
