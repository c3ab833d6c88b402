/** `hearth.market.v1.Msg`: thin handlers — validate, call the keeper. */
import { marketV1 } from '@hearth/sdk';
import { addressFromBech32 } from '../../types/address.js';
import type { Context } from '../../types/context.js';
import { decCoinFromProto } from '../../types/decCoin.js';
import { ErrInvalidRequest, ErrUnauthorized } from '../../types/errors.js';
import type { MsgHandler } from '../../types/module.js';
import { anyOf, type TsProtoCodec } from '../../types/tsproto.js';
import { singleCoin } from '../escrow/msgServer.js';
import { validateAttributes } from '../provider/keeper.js';
import { ErrInvalidCloseReason, ErrInvalidPrice, ErrInvalidSpec } from './errors.js';
import * as ev from './events.js';
import { groupPrice, type MarketKeeper, toBId } from './keeper.js';
import { validateMarketParams } from './params.js';

const { LeaseCloseReason } = marketV1;

/** Limits on every quantity of a deployment. */
export const LIMITS = {
  groups: 20,
  resourcesPerGroup: 16,
  cpuMillicores: 512_000n,
  memoryBytes: 1n << 42n,
  volumes: 8,
  storageBytes: 1n << 45n,
  gpuUnits: 64,
  gpuAttributes: 16,
  endpoints: 32,
  count: 100,
  auditors: 16,
  manifestHashBytes: 64,
} as const;

const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/;

function bad(detail: string): never {
  throw ErrInvalidSpec.wrap(detail);
}

function within(v: bigint | number, min: bigint | number, max: bigint | number, what: string): void {
  if (BigInt(v) < BigInt(min) || BigInt(v) > BigInt(max))
    bad(`${what} must be within ${min}..${max}, got ${v}`);
}

export function validateGroupSpec(s: marketV1.GroupSpec, path: string): void {
  if (!NAME_RE.test(s.name)) bad(`${path}.name ${JSON.stringify(s.name)} is invalid`);
  const req = s.requirements;
  validateAttributes(req?.attributes ?? []);
  for (const list of [req?.signedBy?.allOf ?? [], req?.signedBy?.anyOf ?? []]) {
    if (list.length > LIMITS.auditors) bad(`${path}: more than ${LIMITS.auditors} auditors`);
    if (new Set(list).size !== list.length) bad(`${path}: duplicate auditor`);
    for (const a of list) addressFromBech32(a);
  }
  within(s.resources.length, 1, LIMITS.resourcesPerGroup, `${path}.resources`);
  s.resources.forEach((r, i) => {
    const rp = `${path}.resources[${i}]`;
    within(r.cpuMillicores, 1, LIMITS.cpuMillicores, `${rp}.cpu_millicores`);
    within(r.memoryBytes, 1, LIMITS.memoryBytes, `${rp}.memory_bytes`);
    within(r.storage.length, 0, LIMITS.volumes, `${rp}.storage`);
    const names = new Set<string>();
    for (const v of r.storage) {
      if (!NAME_RE.test(v.name) || names.has(v.name))
        bad(`${rp}.storage: invalid or duplicate name ${v.name}`);
      names.add(v.name);
      within(v.bytes, 1, LIMITS.storageBytes, `${rp}.storage.${v.name}.bytes`);
    }
    within(r.gpu?.units ?? 0, 0, LIMITS.gpuUnits, `${rp}.gpu.units`);
    within(r.gpu?.attributes.length ?? 0, 0, LIMITS.gpuAttributes, `${rp}.gpu.attributes`);
    if ((r.gpu?.attributes.length ?? 0) > 0 && (r.gpu?.units ?? 0) === 0)
      bad(`${rp}.gpu: attributes without units`);
    validateAttributes(r.gpu?.attributes ?? []);
    within(r.endpoints, 0, LIMITS.endpoints, `${rp}.endpoints`);
    within(r.count, 1, LIMITS.count, `${rp}.count`);
    const price = decCoinFromProto(r.price, `${rp}.price`);
    if (price.amount === 0n) throw ErrInvalidPrice.wrap(`${rp}.price must be positive`);
  });
  const denoms = new Set(s.resources.map((r) => r.price?.denom));
  if (denoms.size !== 1) bad(`${path}: every price must use the same denom`);
  groupPrice(s);
}

function validateCreateDeployment(m: marketV1.MsgCreateDeployment): void {
  if (m.dseq === 0n) bad('dseq must be positive');
  within(m.groups.length, 1, LIMITS.groups, 'groups');
  const names = new Set<string>();
  m.groups.forEach((g, i) => {
    validateGroupSpec(g, `groups[${i}]`);
    if (names.has(g.name)) bad(`duplicate group name ${g.name}`);
    names.add(g.name);
  });
  if (m.manifestHash.length > LIMITS.manifestHashBytes)
    bad(`manifest_hash longer than ${LIMITS.manifestHashBytes} bytes`);
  singleCoin(m.deposit, 'deposit');
}

function validateBidId(id: marketV1.BidID | undefined): marketV1.BidID {
  if (!id) throw ErrInvalidRequest.wrap('id is required');
  addressFromBech32(id.owner);
  addressFromBech32(id.provider);
  if (id.dseq === 0n || id.gseq === 0 || id.oseq === 0)
    throw ErrInvalidRequest.wrap('dseq, gseq and oseq must be positive');
  return id;
}

type Signer = 'owner' | 'provider' | 'sender' | 'authority';

function handler<T>(
  codec: TsProtoCodec<T>,
  response: TsProtoCodec<any>,
  signer: Signer,
  validate: (m: T) => void,
  run: (ctx: Context, m: T, signer: Uint8Array) => void,
): MsgHandler<T> {
  const who = (m: T) =>
    addressFromBech32(((m as Record<string, unknown>)[signer] as string | undefined) ?? '');
  return {
    typeUrl: `/${codec.$type}`,
    decode: (b) => codec.decode(b),
    signers: (m) => [who(m)],
    validateBasic(m) {
      who(m);
      validate(m);
    },
    handle(ctx, m) {
      validate(m);
      run(ctx, m, who(m));
      return anyOf(response, {} as never);
    },
  };
}

const dseqOk = (m: { dseq: bigint }) => {
  if (m.dseq === 0n) throw ErrInvalidRequest.wrap('dseq must be positive');
};
const gseqOk = (m: { dseq: bigint; gseq: number }) => {
  dseqOk(m);
  if (m.gseq === 0) throw ErrInvalidRequest.wrap('gseq must be positive');
};

export function marketMsgHandlers(k: MarketKeeper): MsgHandler<any>[] {
  const X = marketV1;
  return [
    handler(
      X.MsgUpdateParams,
      X.MsgUpdateParamsResponse,
      'authority',
      (m) => {
        if (!m.params) throw ErrInvalidRequest.wrap('params are required');
        validateMarketParams(m.params);
      },
      (ctx, m, authority) => {
        if (Buffer.compare(authority, k.authority) !== 0)
          throw ErrUnauthorized.wrap('only the governance authority may update market params');
        k.setParams(ctx, m.params!);
        ctx.events.emit(ev.EventTypeParamsUpdated, [['authority', m.authority]]);
      },
    ),
    handler(
      X.MsgCreateDeployment,
      X.MsgCreateDeploymentResponse,
      'owner',
      validateCreateDeployment,
      (ctx, m, owner) =>
        k.createDeployment(ctx, owner, m.dseq, m.groups, m.manifestHash, singleCoin(m.deposit, 'deposit')),
    ),
    handler(
      X.MsgUpdateDeployment,
      X.MsgUpdateDeploymentResponse,
      'owner',
      (m) => {
        dseqOk(m);
        if (m.manifestHash.length === 0 || m.manifestHash.length > LIMITS.manifestHashBytes)
          bad(`manifest_hash must have 1..${LIMITS.manifestHashBytes} bytes`);
      },
      (ctx, m, owner) => k.updateDeployment(ctx, { owner, dseq: m.dseq }, m.manifestHash),
    ),
    handler(X.MsgCloseDeployment, X.MsgCloseDeploymentResponse, 'owner', dseqOk, (ctx, m, owner) =>
      k.closeDeployment(ctx, { owner, dseq: m.dseq }),
    ),
    handler(X.MsgCloseGroup, X.MsgCloseGroupResponse, 'owner', gseqOk, (ctx, m, owner) =>
      k.closeGroup(ctx, { owner, dseq: m.dseq, gseq: m.gseq }),
    ),
    handler(X.MsgPauseGroup, X.MsgPauseGroupResponse, 'owner', gseqOk, (ctx, m, owner) =>
      k.pauseGroup(ctx, { owner, dseq: m.dseq, gseq: m.gseq }),
    ),
    handler(X.MsgStartGroup, X.MsgStartGroupResponse, 'owner', gseqOk, (ctx, m, owner) =>
      k.startGroup(ctx, { owner, dseq: m.dseq, gseq: m.gseq }),
    ),
    handler(
      X.MsgCreateBid,
      X.MsgCreateBidResponse,
      'provider',
      (m) => {
        const o = m.order;
        if (!o) throw ErrInvalidRequest.wrap('order is required');
        addressFromBech32(o.owner);
        if (o.dseq === 0n || o.gseq === 0 || o.oseq === 0)
          throw ErrInvalidRequest.wrap('dseq, gseq and oseq must be positive');
        const p = decCoinFromProto(m.price, 'price');
        if (p.amount === 0n) throw ErrInvalidPrice.wrap('price must be positive');
        singleCoin(m.deposit, 'deposit');
      },
      (ctx, m, provider) => {
        const o = m.order!;
        k.createBid(
          ctx,
          provider,
          { owner: addressFromBech32(o.owner), dseq: o.dseq, gseq: o.gseq, oseq: o.oseq },
          decCoinFromProto(m.price, 'price'),
          singleCoin(m.deposit, 'deposit'),
        );
      },
    ),
    handler(
      X.MsgCloseBid,
      X.MsgCloseBidResponse,
      'provider',
      (m) => void validateBidId(m.id),
      (ctx, m, provider) => {
        const id = toBId(m.id!);
        if (Buffer.compare(id.provider, provider) !== 0)
          throw ErrUnauthorized.wrap('only the bidding provider may close its bid');
        k.closeBid(ctx, id);
      },
    ),
    handler(
      X.MsgCreateLease,
      X.MsgCreateLeaseResponse,
      'owner',
      (m) => void validateBidId(m.bid),
      (ctx, m, owner) => {
        const id = toBId(m.bid!);
        if (Buffer.compare(id.owner, owner) !== 0)
          throw ErrUnauthorized.wrap('only the deployment owner may accept a bid');
        k.createLease(ctx, id);
      },
    ),
    handler(
      X.MsgCloseLease,
      X.MsgCloseLeaseResponse,
      'sender',
      (m) => {
        validateBidId(m.id);
        const ok = [
          LeaseCloseReason.LEASE_CLOSE_REASON_UNSPECIFIED,
          LeaseCloseReason.LEASE_CLOSE_REASON_OWNER,
          LeaseCloseReason.LEASE_CLOSE_REASON_PROVIDER_UNSTABLE,
          LeaseCloseReason.LEASE_CLOSE_REASON_PROVIDER_DECOMMISSION,
        ];
        if (!ok.includes(m.reason))
          throw ErrInvalidCloseReason.wrap(`${m.reason} cannot be given by a message`);
      },
      (ctx, m, sender) => {
        const id = toBId(m.id!);
        const isOwner = Buffer.compare(id.owner, sender) === 0;
        const isProvider = Buffer.compare(id.provider, sender) === 0;
        if (!isOwner && !isProvider)
          throw ErrUnauthorized.wrap('only the tenant or the provider may close a lease');
        const R = LeaseCloseReason;
        if (isOwner) {
          if (m.reason !== R.LEASE_CLOSE_REASON_UNSPECIFIED && m.reason !== R.LEASE_CLOSE_REASON_OWNER)
            throw ErrInvalidCloseReason.wrap('the tenant closes with reason owner');
          k.closeLease(ctx, id, false, R.LEASE_CLOSE_REASON_OWNER);
        } else {
          if (m.reason === R.LEASE_CLOSE_REASON_OWNER)
            throw ErrInvalidCloseReason.wrap('a provider cannot close with reason owner');
          k.closeLease(
            ctx,
            id,
            true,
            m.reason === R.LEASE_CLOSE_REASON_UNSPECIFIED ? R.LEASE_CLOSE_REASON_PROVIDER_UNSTABLE : m.reason,
          );
        }
      },
    ),
  ];
}
