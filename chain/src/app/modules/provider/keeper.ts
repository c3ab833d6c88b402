/**
 * x/provider: the registry of compute providers (after Akash's x/provider and x/audit), with
 * what Akash lacks: a bond, a status, liveness heartbeats and penalties. A provider with active
 * leases that misses `max_missed_heartbeats` heartbeat intervals is at fault: its leases close
 * (reason provider_fault), `fault_slash_fraction` of its bond goes to the affected tenants'
 * escrow accounts and it is jailed for `provider_jail_duration` blocks.
 *
 * Liveness is tracked without scanning: a provider that is active and has leases sits in a
 * queue keyed by `liveness_from` (its last heartbeat, first lease or reactivation), and the end
 * blocker visits only the queue's head.
 */
import { providerV1 } from '@hearth/sdk';
import { addressFromBech32, addressToBech32 } from '../../types/address.js';
import type { Context } from '../../types/context.js';
import { mulIntFloor, parseFraction } from '../../types/decCoin.js';
import { ErrLogic } from '../../types/errors.js';
import { prefixIterator, readU64BE, u64BE } from '../../types/keys.js';
import {
  ErrAuditNotFound,
  ErrBondRemaining,
  ErrInsufficientBond,
  ErrInvalidAttributes,
  ErrInvalidBond,
  ErrInvalidInfo,
  ErrInvalidStatus,
  ErrInvalidURI,
  ErrProviderBusy,
  ErrProviderExists,
  ErrProviderJailed,
  ErrProviderNotActive,
  ErrProviderNotFound,
} from './errors.js';
import * as ev from './events.js';
import type { ProviderBankKeeper, ProviderEscrowKeeper, ProviderHooks } from './expectedKeepers.js';
import {
  AuditPrefix,
  auditKey,
  auditsOfProviderPrefix,
  BondPoolName,
  LivenessQueuePrefix,
  livenessKey,
  NextUnbondingIdKey,
  ParamsKey,
  ProviderPrefix,
  providerKey,
  StoreKey,
  UnbondingPrefix,
  UnbondingQueuePrefix,
  unbondingKey,
  unbondingQueueKey,
} from './keys.js';
import type { ProviderParams } from './params.js';

const { ProviderStatus } = providerV1;
type Provider = providerV1.Provider;
type Attribute = providerV1.Attribute;
type AuditedAttributes = providerV1.AuditedAttributes;
type Unbonding = providerV1.Unbonding;

export const MAX_ATTRIBUTES = 64;
const ATTR_KEY_RE = /^[a-zA-Z][\w/.-]{1,126}$/;
const MAX_ATTR_VALUE = 256;
const HOST_LABEL = '[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?';
const URI_RE = new RegExp(`^https://(${HOST_LABEL}(?:\\.${HOST_LABEL})*)(?::([0-9]{1,5}))?/?$`);
const EMAIL_RE = /^[^\s@]{1,64}@[^\s@]{1,190}$/;

const amt = (c: { amount: string } | undefined): bigint => BigInt(c?.amount ?? '0');

/** https, a host, an optional port, no user info, path, query or fragment. */
export function validateHostUri(uri: string): void {
  if (uri.length > 256) throw ErrInvalidURI.wrap('longer than 256 characters');
  const m = URI_RE.exec(uri);
  if (!m) throw ErrInvalidURI.wrap(`${JSON.stringify(uri)} must be https://host[:port] with no path`);
  if (m[1]!.length > 253) throw ErrInvalidURI.wrap('host name too long');
  if (m[2] !== undefined) {
    const port = Number(m[2]);
    if (port < 1 || port > 65535) throw ErrInvalidURI.wrap(`port ${m[2]} out of range`);
  }
}

/** Keys match ^[a-zA-Z][\w/.\-]{1,126}$ and are unique; at most 64; values 1..256 chars. */
export function validateAttributes(attrs: readonly Attribute[], allowEmpty = true): void {
  if (!allowEmpty && attrs.length === 0)
    throw ErrInvalidAttributes.wrap('at least one attribute is required');
  if (attrs.length > MAX_ATTRIBUTES)
    throw ErrInvalidAttributes.wrap(`more than ${MAX_ATTRIBUTES} attributes`);
  const seen = new Set<string>();
  for (const a of attrs) {
    if (!ATTR_KEY_RE.test(a.key)) throw ErrInvalidAttributes.wrap(`invalid key ${JSON.stringify(a.key)}`);
    if (seen.has(a.key)) throw ErrInvalidAttributes.wrap(`duplicate key ${a.key}`);
    seen.add(a.key);
    if (a.value.length === 0 || a.value.length > MAX_ATTR_VALUE)
      throw ErrInvalidAttributes.wrap(`value of ${a.key} must have 1..${MAX_ATTR_VALUE} characters`);
  }
}

export function validateInfo(info: providerV1.ProviderInfo | undefined): void {
  if (!info) return;
  if (info.email !== '' && !EMAIL_RE.test(info.email)) throw ErrInvalidInfo.wrap('invalid email');
  if (info.website !== '') {
    if (info.website.length > 256 || !/^https?:\/\/[^\s]+$/.test(info.website))
      throw ErrInvalidInfo.wrap('website must be an http(s) URL of at most 256 characters');
  }
}

const sortAttrs = (a: Attribute[]) => a.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));

/** What x/market needs of x/provider. */
export interface MarketProviderKeeper {
  getProvider(ctx: Context, owner: Uint8Array): Provider | undefined;
  /** Throws unless the provider exists, is active and bonded at least min_provider_bond. */
  assertCanBid(ctx: Context, owner: Uint8Array): Provider;
  getAuditedAttributes(ctx: Context, owner: Uint8Array, auditor: Uint8Array): AuditedAttributes | undefined;
  onBidOpened(ctx: Context, owner: Uint8Array): void;
  onBidClosed(ctx: Context, owner: Uint8Array): void;
  onLeaseOpened(ctx: Context, owner: Uint8Array): void;
  /** `byProvider`: the provider ended the lease itself; otherwise it counts as completed. */
  onLeaseClosed(ctx: Context, owner: Uint8Array, outcome: 'completed' | 'by_provider' | 'fault'): void;
}

export class ProviderKeeper implements MarketProviderKeeper {
  private hooks: ProviderHooks | undefined;

  constructor(
    private readonly bank: ProviderBankKeeper,
    private readonly escrow: ProviderEscrowKeeper,
    readonly authority: Uint8Array,
  ) {}

  setHooks(h: ProviderHooks): void {
    if (this.hooks) throw new Error('provider hooks already set');
    this.hooks = h;
  }

  getParams(ctx: Context): ProviderParams {
    const b = ctx.kvStore(StoreKey).get(ParamsKey);
    if (!b) throw ErrLogic.wrap('provider params are not set');
    return providerV1.Params.decode(b);
  }

  setParams(ctx: Context, p: ProviderParams): void {
    ctx.kvStore(StoreKey).set(ParamsKey, providerV1.Params.encode(p).finish());
  }

  // --- records -----------------------------------------------------------------------------

  getProvider(ctx: Context, owner: Uint8Array): Provider | undefined {
    const b = ctx.kvStore(StoreKey).get(providerKey(owner));
    return b ? providerV1.Provider.decode(b) : undefined;
  }

  mustProvider(ctx: Context, owner: Uint8Array): Provider {
    const p = this.getProvider(ctx, owner);
    if (!p) throw ErrProviderNotFound.wrap(addressToBech32(owner));
    return p;
  }

  /** Watched for liveness: active with at least one lease. */
  private static watched(p: Provider | undefined): boolean {
    return !!p && p.status === ProviderStatus.PROVIDER_STATUS_ACTIVE && p.activeLeases > 0n;
  }

  /** Writes the provider and keeps the liveness queue in step with it. */
  setProvider(ctx: Context, p: Provider): void {
    const store = ctx.kvStore(StoreKey);
    const owner = addressFromBech32(p.owner);
    const old = this.getProvider(ctx, owner);
    if (ProviderKeeper.watched(old)) store.delete(livenessKey(old!.livenessFrom, owner));
    if (ProviderKeeper.watched(p)) store.set(livenessKey(p.livenessFrom, owner), Uint8Array.of(1));
    store.set(providerKey(owner), providerV1.Provider.encode(p).finish());
  }

  private deleteProviderRecord(ctx: Context, owner: Uint8Array): void {
    const store = ctx.kvStore(StoreKey);
    const old = this.getProvider(ctx, owner);
    if (ProviderKeeper.watched(old)) store.delete(livenessKey(old!.livenessFrom, owner));
    store.delete(providerKey(owner));
    const audits = [...prefixIterator(store, auditsOfProviderPrefix(owner))].map(([, , k]) => k);
    for (const k of audits) store.delete(k);
  }

  *iterateProviders(ctx: Context): Generator<Provider> {
    for (const [, v] of prefixIterator(ctx.kvStore(StoreKey), ProviderPrefix))
      yield providerV1.Provider.decode(v);
  }

  *iterateAudits(ctx: Context): Generator<AuditedAttributes> {
    for (const [, v] of prefixIterator(ctx.kvStore(StoreKey), AuditPrefix))
      yield providerV1.AuditedAttributes.decode(v);
  }

  *iterateUnbondings(ctx: Context): Generator<Unbonding> {
    for (const [, v] of prefixIterator(ctx.kvStore(StoreKey), UnbondingPrefix))
      yield providerV1.Unbonding.decode(v);
  }

  getAuditedAttributes(ctx: Context, owner: Uint8Array, auditor: Uint8Array): AuditedAttributes | undefined {
    const b = ctx.kvStore(StoreKey).get(auditKey(owner, auditor));
    return b ? providerV1.AuditedAttributes.decode(b) : undefined;
  }

  // --- registry ----------------------------------------------------------------------------

  createProvider(
    ctx: Context,
    owner: Uint8Array,
    hostUri: string,
    attributes: Attribute[],
    info?: providerV1.ProviderInfo,
  ) {
    if (this.getProvider(ctx, owner)) throw ErrProviderExists.wrap(addressToBech32(owner));
    const params = this.getParams(ctx);
    const h = ctx.header.height;
    const p: Provider = {
      owner: addressToBech32(owner),
      hostUri,
      attributes: sortAttrs([...attributes]),
      info: info ?? { email: '', website: '' },
      status: ProviderStatus.PROVIDER_STATUS_ACTIVE,
      bond: { denom: params.bondDenom, amount: '0' },
      jailedUntil: 0n,
      createdAt: h,
      activeLeases: 0n,
      openBids: 0n,
      leasesCompleted: 0n,
      leasesClosedByProvider: 0n,
      faults: 0n,
      lastHeartbeat: 0n,
      livenessFrom: h,
    };
    this.setProvider(ctx, p);
    ctx.events.emit(ev.EventTypeProviderCreated, [
      [ev.AttrOwner, p.owner],
      [ev.AttrStatus, ProviderStatus[p.status]!],
    ]);
  }

  updateProvider(
    ctx: Context,
    owner: Uint8Array,
    hostUri: string,
    attributes: Attribute[],
    info?: providerV1.ProviderInfo,
  ) {
    const p = this.mustProvider(ctx, owner);
    p.hostUri = hostUri;
    p.attributes = sortAttrs([...attributes]);
    p.info = info ?? { email: '', website: '' };
    this.setProvider(ctx, p);
    ctx.events.emit(ev.EventTypeProviderUpdated, [[ev.AttrOwner, p.owner]]);
  }

  deleteProvider(ctx: Context, owner: Uint8Array): void {
    const p = this.mustProvider(ctx, owner);
    if (p.activeLeases > 0n || p.openBids > 0n)
      throw ErrProviderBusy.wrap(`${p.activeLeases} active leases, ${p.openBids} open bids`);
    if (amt(p.bond) > 0n) throw ErrBondRemaining.wrap(`unbond ${p.bond!.amount}${p.bond!.denom} first`);
    this.deleteProviderRecord(ctx, owner);
    ctx.events.emit(ev.EventTypeProviderDeleted, [[ev.AttrOwner, p.owner]]);
  }

  // --- bond --------------------------------------------------------------------------------

  bond(ctx: Context, owner: Uint8Array, amount: { denom: string; amount: bigint }): void {
    const p = this.mustProvider(ctx, owner);
    const params = this.getParams(ctx);
    if (amount.denom !== params.bondDenom)
      throw ErrInvalidBond.wrap(`bond must be in ${params.bondDenom}, got ${amount.denom}`);
    if (amount.amount <= 0n) throw ErrInvalidBond.wrap('amount must be positive');
    this.bank.sendCoinsFromAccountToModule(ctx, owner, BondPoolName, [amount]);
    p.bond = { denom: params.bondDenom, amount: (amt(p.bond) + amount.amount).toString() };
    this.setProvider(ctx, p);
    ctx.events.emit(ev.EventTypeProviderBonded, [
      [ev.AttrOwner, p.owner],
      [ev.AttrAmount, `${amount.amount}${amount.denom}`],
    ]);
  }

  unbond(ctx: Context, owner: Uint8Array, amount: { denom: string; amount: bigint }): bigint {
    const p = this.mustProvider(ctx, owner);
    const params = this.getParams(ctx);
    if (amount.denom !== p.bond!.denom) throw ErrInvalidBond.wrap(`bond is in ${p.bond!.denom}`);
    if (amount.amount <= 0n) throw ErrInvalidBond.wrap('amount must be positive');
    const have = amt(p.bond);
    if (amount.amount > have)
      throw ErrInsufficientBond.wrap(`bonded ${have}, asked to unbond ${amount.amount}`);
    if (p.activeLeases > 0n && have - amount.amount < amt(params.minProviderBond))
      throw ErrInsufficientBond.wrap('cannot go below min_provider_bond while leases are active');
    const store = ctx.kvStore(StoreKey);
    const idBytes = store.get(NextUnbondingIdKey);
    const id = idBytes ? readU64BE(idBytes) : 1n;
    store.set(NextUnbondingIdKey, u64BE(id + 1n));
    const h = ctx.header.height;
    const u: Unbonding = {
      owner: p.owner,
      id,
      amount: { denom: amount.denom, amount: amount.amount.toString() },
      creationHeight: h,
      completionHeight: h + params.unbondingBlocks,
    };
    store.set(unbondingKey(owner, id), providerV1.Unbonding.encode(u).finish());
    store.set(unbondingQueueKey(u.completionHeight, owner, id), Uint8Array.of(1));
    p.bond = { denom: p.bond!.denom, amount: (have - amount.amount).toString() };
    this.setProvider(ctx, p);
    ctx.events.emit(ev.EventTypeProviderUnbonding, [
      [ev.AttrOwner, p.owner],
      [ev.AttrAmount, `${amount.amount}${amount.denom}`],
      [ev.AttrCompletion, u.completionHeight.toString()],
    ]);
    return u.completionHeight;
  }

  /** Genesis import of an unbonding. */
  importUnbonding(ctx: Context, u: Unbonding): void {
    const owner = addressFromBech32(u.owner);
    const store = ctx.kvStore(StoreKey);
    store.set(unbondingKey(owner, u.id), providerV1.Unbonding.encode(u).finish());
    store.set(unbondingQueueKey(u.completionHeight, owner, u.id), Uint8Array.of(1));
  }

  nextUnbondingId(ctx: Context): bigint {
    const b = ctx.kvStore(StoreKey).get(NextUnbondingIdKey);
    return b ? readU64BE(b) : 1n;
  }

  setNextUnbondingId(ctx: Context, id: bigint): void {
    ctx.kvStore(StoreKey).set(NextUnbondingIdKey, u64BE(id));
  }

  importAudit(ctx: Context, a: AuditedAttributes): void {
    ctx
      .kvStore(StoreKey)
      .set(
        auditKey(addressFromBech32(a.owner), addressFromBech32(a.auditor)),
        providerV1.AuditedAttributes.encode(a).finish(),
      );
  }

  // --- status and liveness ----------------------------------------------------------------

  setStatus(ctx: Context, owner: Uint8Array, status: providerV1.ProviderStatus): void {
    const p = this.mustProvider(ctx, owner);
    const h = ctx.header.height;
    const from = p.status;
    const name = (s: number) => ProviderStatus[s] ?? String(s);
    if (status === from) throw ErrInvalidStatus.wrap(`already ${name(status)}`);
    switch (status) {
      case ProviderStatus.PROVIDER_STATUS_ACTIVE:
        if (h < p.jailedUntil) throw ErrProviderJailed.wrap(`jailed until height ${p.jailedUntil}`);
        p.livenessFrom = h;
        break;
      case ProviderStatus.PROVIDER_STATUS_MAINTENANCE:
        if (from !== ProviderStatus.PROVIDER_STATUS_ACTIVE)
          throw ErrInvalidStatus.wrap(`only an active provider can enter maintenance, not ${name(from)}`);
        break;
      case ProviderStatus.PROVIDER_STATUS_DEACTIVATED:
        break;
      default:
        throw ErrInvalidStatus.wrap(`cannot set status ${name(status)}`);
    }
    p.status = status;
    this.setProvider(ctx, p);
    ctx.events.emit(ev.EventTypeProviderStatus, [
      [ev.AttrOwner, p.owner],
      [ev.AttrStatus, name(status)],
      [ev.AttrPrevStatus, name(from)],
    ]);
    if (status === ProviderStatus.PROVIDER_STATUS_DEACTIVATED && this.hooks) {
      this.hooks.closeProviderLeases(ctx, owner, 'decommission');
      this.hooks.closeProviderBids(ctx, owner);
    }
  }

  heartbeat(ctx: Context, owner: Uint8Array): void {
    const p = this.mustProvider(ctx, owner);
    const h = ctx.header.height;
    p.lastHeartbeat = h;
    p.livenessFrom = h;
    this.setProvider(ctx, p);
    ctx.events.emit(ev.EventTypeHeartbeat, [
      [ev.AttrOwner, p.owner],
      [ev.AttrHeight, h.toString()],
    ]);
  }

  // --- auditors ----------------------------------------------------------------------------

  signAttributes(ctx: Context, auditor: Uint8Array, owner: Uint8Array, attributes: Attribute[]): void {
    this.mustProvider(ctx, owner);
    const existing = this.getAuditedAttributes(ctx, owner, auditor);
    const merged = new Map((existing?.attributes ?? []).map((a) => [a.key, a.value]));
    for (const a of attributes) merged.set(a.key, a.value);
    const list = sortAttrs([...merged].map(([key, value]) => ({ key, value })));
    validateAttributes(list);
    const rec: AuditedAttributes = {
      owner: addressToBech32(owner),
      auditor: addressToBech32(auditor),
      attributes: list,
    };
    ctx.kvStore(StoreKey).set(auditKey(owner, auditor), providerV1.AuditedAttributes.encode(rec).finish());
    ctx.events.emit(ev.EventTypeAttributesSigned, [
      [ev.AttrOwner, rec.owner],
      [ev.AttrAuditor, rec.auditor],
    ]);
  }

  deleteAttributes(ctx: Context, auditor: Uint8Array, owner: Uint8Array, keys: string[]): void {
    const existing = this.getAuditedAttributes(ctx, owner, auditor);
    if (!existing) throw ErrAuditNotFound.wrap(`${addressToBech32(auditor)} on ${addressToBech32(owner)}`);
    const drop = new Set(keys);
    for (const k of keys)
      if (!existing.attributes.some((a) => a.key === k))
        throw ErrAuditNotFound.wrap(`attribute ${k} is not signed`);
    existing.attributes = keys.length === 0 ? [] : existing.attributes.filter((a) => !drop.has(a.key));
    const store = ctx.kvStore(StoreKey);
    if (existing.attributes.length === 0) store.delete(auditKey(owner, auditor));
    else store.set(auditKey(owner, auditor), providerV1.AuditedAttributes.encode(existing).finish());
    ctx.events.emit(ev.EventTypeAttributesDeleted, [
      [ev.AttrOwner, existing.owner],
      [ev.AttrAuditor, existing.auditor],
    ]);
  }

  // --- what x/market calls -----------------------------------------------------------------

  assertCanBid(ctx: Context, owner: Uint8Array): Provider {
    const p = this.mustProvider(ctx, owner);
    if (p.status === ProviderStatus.PROVIDER_STATUS_JAILED)
      throw ErrProviderJailed.wrap(`until ${p.jailedUntil}`);
    if (p.status !== ProviderStatus.PROVIDER_STATUS_ACTIVE)
      throw ErrProviderNotActive.wrap(ProviderStatus[p.status] ?? String(p.status));
    const min = amt(this.getParams(ctx).minProviderBond);
    if (amt(p.bond) < min || amt(p.bond) === 0n)
      throw ErrInsufficientBond.wrap(`bonded ${amt(p.bond)}, need at least ${min}`);
    return p;
  }

  onBidOpened(ctx: Context, owner: Uint8Array): void {
    const p = this.mustProvider(ctx, owner);
    p.openBids += 1n;
    this.setProvider(ctx, p);
  }

  onBidClosed(ctx: Context, owner: Uint8Array): void {
    const p = this.mustProvider(ctx, owner);
    if (p.openBids === 0n) throw ErrLogic.wrap(`provider ${p.owner} has no open bid to close`);
    p.openBids -= 1n;
    this.setProvider(ctx, p);
  }

  onLeaseOpened(ctx: Context, owner: Uint8Array): void {
    const p = this.mustProvider(ctx, owner);
    if (p.activeLeases === 0n) p.livenessFrom = ctx.header.height;
    p.activeLeases += 1n;
    this.setProvider(ctx, p);
  }

  onLeaseClosed(ctx: Context, owner: Uint8Array, outcome: 'completed' | 'by_provider' | 'fault'): void {
    const p = this.mustProvider(ctx, owner);
    if (p.activeLeases === 0n) throw ErrLogic.wrap(`provider ${p.owner} has no active lease to close`);
    p.activeLeases -= 1n;
    if (outcome === 'completed') p.leasesCompleted += 1n;
    if (outcome === 'by_provider') p.leasesClosedByProvider += 1n;
    this.setProvider(ctx, p);
  }

  // --- end block ---------------------------------------------------------------------------

  endBlock(ctx: Context): void {
    const h = ctx.header.height;
    const store = ctx.kvStore(StoreKey);
    // Matured unbondings.
    const matured: [Uint8Array, Uint8Array][] = [];
    for (const [k, , full] of prefixIterator(store, UnbondingQueuePrefix)) {
      if (readU64BE(k, 0) > h) break;
      const len = k[8]!;
      matured.push([full, unbondingKey(k.slice(9, 9 + len), readU64BE(k, 9 + len))]);
    }
    for (const [qk, uk] of matured) {
      const u = providerV1.Unbonding.decode(store.get(uk)!);
      store.delete(qk);
      store.delete(uk);
      const amount = amt(u.amount);
      if (amount > 0n)
        this.bank.sendCoinsFromModuleToAccount(ctx, BondPoolName, addressFromBech32(u.owner), [
          { denom: u.amount!.denom, amount },
        ]);
      ctx.events.emit(ev.EventTypeProviderUnbonded, [
        [ev.AttrOwner, u.owner],
        [ev.AttrAmount, `${amount}${u.amount!.denom}`],
      ]);
    }
    // Liveness: providers with no heartbeat in the interval * max_missed blocks since their clock started.
    const params = this.getParams(ctx);
    const window = params.heartbeatInterval * params.maxMissedHeartbeats;
    const faulty: Uint8Array[] = [];
    for (const [k] of prefixIterator(store, LivenessQueuePrefix)) {
      if (readU64BE(k, 0) + window > h) break;
      faulty.push(k.slice(9, 9 + k[8]!));
    }
    for (const owner of faulty) this.fault(ctx, owner, params);
  }

  private fault(ctx: Context, owner: Uint8Array, params: ProviderParams): void {
    const h = ctx.header.height;
    const hooks = this.hooks;
    const affected = hooks ? hooks.closeProviderLeases(ctx, owner, 'fault') : [];
    hooks?.closeProviderBids(ctx, owner);
    const p = this.mustProvider(ctx, owner);
    const bond = amt(p.bond);
    const denom = p.bond!.denom;
    const slash = mulIntFloor(parseFraction(params.faultSlashFraction, 'fault_slash_fraction'), bond);
    if (slash > 0n && affected.length > 0) {
      const n = BigInt(affected.length);
      const share = slash / n;
      affected.forEach((d, i) => {
        const x = share + (i === 0 ? slash - share * n : 0n);
        if (x === 0n) return;
        if (this.escrow.canReceive(ctx, d.owner, d.dseq, denom))
          this.escrow.depositFromModule(ctx, BondPoolName, d.owner, d.dseq, d.owner, { denom, amount: x });
        else this.bank.sendCoinsFromModuleToAccount(ctx, BondPoolName, d.owner, [{ denom, amount: x }]);
        ctx.events.emit(ev.EventTypeProviderSlashed, [
          [ev.AttrOwner, p.owner],
          [ev.AttrOwnerDseq, `${addressToBech32(d.owner)}/${d.dseq}`],
          [ev.AttrAmount, `${x}${denom}`],
        ]);
      });
      p.bond = { denom, amount: (bond - slash).toString() };
    }
    p.faults += 1n;
    p.status = ProviderStatus.PROVIDER_STATUS_JAILED;
    p.jailedUntil = h + params.providerJailDuration;
    this.setProvider(ctx, p);
    ctx.events.emit(ev.EventTypeProviderFault, [
      [ev.AttrOwner, p.owner],
      [ev.AttrLeases, String(affected.length)],
      [ev.AttrJailedUntil, p.jailedUntil.toString()],
      [ev.AttrHeight, h.toString()],
    ]);
  }
}
