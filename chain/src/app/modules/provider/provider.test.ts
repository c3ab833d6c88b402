// x/provider keeper behaviour: bonding and unbonding maturity, auditor signatures, status
// transitions, liveness (heartbeats prevent faults; nothing to watch without leases), deletion.
import { marketV1, providerV1 } from '@hearth/sdk';
import { beforeEach, describe, expect, it } from 'vitest';
import { addr, bech, DENOM, eventsOf, groupSpec, Harness } from '../market/test/harness.js';
import { validateHostUri } from './keeper.js';

const owner = addr('provider');
const auditor = addr('auditor');
const tenant = addr('tenant');
const coin = (n: bigint | number) => ({ denom: DENOM, amount: String(n) });
const { ProviderStatus } = providerV1;
let h: Harness;

beforeEach(async () => {
  h = await Harness.create();
  h.fund(owner, 5_000_000n);
  h.must(providerV1.MsgCreateProvider, {
    owner: bech(owner),
    hostUri: 'https://provider.example.com:8443/',
    attributes: [
      { key: 'region', value: 'eu' },
      { key: 'capabilities/gpu', value: 'a100' },
    ],
    info: { email: 'ops@example.com', website: 'https://example.com' },
  });
});

describe('x/provider', () => {
  it('accepts https hosts with an optional port and nothing else', () => {
    for (const ok of ['https://a.b', 'https://10.0.0.1:443', 'https://x-y.example.org/'])
      expect(() => validateHostUri(ok)).not.toThrow();
    for (const bad of ['https://a.b/x', 'https://-a.b', 'https://a.b:0', 'https://a.b#f'])
      expect(() => validateHostUri(bad)).toThrow();
  });

  it('stores attributes sorted by key', () => {
    expect(h.provider.getProvider(h.ctx(), owner)?.attributes.map((a) => a.key)).toEqual([
      'capabilities/gpu',
      'region',
    ]);
  });

  it('bonds into the pool and pays unbondings out after unbonding_blocks', async () => {
    h.must(providerV1.MsgBondProvider, { owner: bech(owner), amount: coin(2_000_000) });
    expect(h.moduleBalance('provider_bond')).toBe(2_000_000n);
    h.must(providerV1.MsgUnbondProvider, { owner: bech(owner), amount: coin(500_000) });
    expect(h.provider.getProvider(h.ctx(), owner)?.bond?.amount).toBe('1500000');
    const before = h.balance(owner);
    await h.advance(20);
    expect(h.balance(owner)).toBe(before);
    const evs = await h.advance(1);
    expect(eventsOf(evs, 'provider_unbonded')).toHaveLength(1);
    expect(h.balance(owner)).toBe(before + 500_000n);
    expect(h.brokenInvariants()).toEqual([]);
  });

  it('merges an auditor’s signatures by key and deletes them key by key or all at once', () => {
    h.must(providerV1.MsgSignAttributes, {
      auditor: bech(auditor),
      owner: bech(owner),
      attributes: [{ key: 'region', value: 'eu' }],
    });
    h.must(providerV1.MsgSignAttributes, {
      auditor: bech(auditor),
      owner: bech(owner),
      attributes: [
        { key: 'tier', value: 'gold' },
        { key: 'region', value: 'eu-west' },
      ],
    });
    const rec = h.provider.getAuditedAttributes(h.ctx(), owner, auditor)!;
    expect(rec.attributes).toEqual([
      { key: 'region', value: 'eu-west' },
      { key: 'tier', value: 'gold' },
    ]);
    h.must(providerV1.MsgDeleteAttributes, { auditor: bech(auditor), owner: bech(owner), keys: ['tier'] });
    expect(h.provider.getAuditedAttributes(h.ctx(), owner, auditor)?.attributes).toHaveLength(1);
    h.must(providerV1.MsgDeleteAttributes, { auditor: bech(auditor), owner: bech(owner), keys: [] });
    expect(h.provider.getAuditedAttributes(h.ctx(), owner, auditor)).toBeUndefined();
  });

  it('heartbeats keep a provider with leases out of trouble; without leases nothing is watched', async () => {
    h.must(providerV1.MsgBondProvider, { owner: bech(owner), amount: coin(1_000_000) });
    expect(eventsOf(await h.advance(100), 'provider_fault')).toHaveLength(0);
    h.fund(tenant, 10_000_000n);
    h.must(marketV1.MsgCreateDeployment, {
      owner: bech(tenant),
      dseq: 1n,
      groups: [groupSpec('g', '1')],
      deposit: coin(1_000_000),
    });
    h.must(marketV1.MsgCreateBid, {
      provider: bech(owner),
      order: { owner: bech(tenant), dseq: 1n, gseq: 1, oseq: 1 },
      price: { denom: DENOM, amount: '1' },
      deposit: coin(100_000),
    });
    h.must(marketV1.MsgCreateLease, {
      owner: bech(tenant),
      bid: { owner: bech(tenant), dseq: 1n, gseq: 1, oseq: 1, provider: bech(owner) },
    });
    for (let i = 0; i < 10; i++) {
      expect(eventsOf(await h.advance(19), 'provider_fault')).toHaveLength(0);
      h.must(providerV1.MsgProviderHeartbeat, { owner: bech(owner) });
    }
    expect(h.provider.getProvider(h.ctx(), owner)?.lastHeartbeat).toBe(h.height);
    expect(eventsOf(await h.advance(21), 'provider_fault')).toHaveLength(1);
  });

  it('walks the status machine: maintenance, active, deactivated, active again', () => {
    const set = (status: providerV1.ProviderStatus) =>
      h.must(providerV1.MsgSetProviderStatus, { owner: bech(owner), status });
    set(ProviderStatus.PROVIDER_STATUS_MAINTENANCE);
    set(ProviderStatus.PROVIDER_STATUS_ACTIVE);
    const evs = set(ProviderStatus.PROVIDER_STATUS_DEACTIVATED);
    expect(
      eventsOf(evs, 'provider_status')[0]?.attributes.find((a) => a.key === 'previous_status')?.value,
    ).toBe('PROVIDER_STATUS_ACTIVE');
    set(ProviderStatus.PROVIDER_STATUS_ACTIVE);
  });

  it('deletes an idle, unbonded provider with its audit records', () => {
    h.must(providerV1.MsgSignAttributes, {
      auditor: bech(auditor),
      owner: bech(owner),
      attributes: [{ key: 'region', value: 'eu' }],
    });
    h.must(providerV1.MsgDeleteProvider, { owner: bech(owner) });
    expect(h.provider.getProvider(h.ctx(), owner)).toBeUndefined();
    expect(h.provider.getAuditedAttributes(h.ctx(), owner, auditor)).toBeUndefined();
  });
});
