/**
 * Store layout of x/market. Never renumber a prefix. `id` below is
 * owner | dseq(8) | gseq(4) | oseq(4) with the owner length-prefixed.
 *   0x00                                   params
 *   0x01 | owner | dseq                    Deployment
 *   0x02 | owner | dseq | gseq             Group
 *   0x03 | owner | dseq | gseq | oseq      Order
 *   0x04 | id | provider                   Bid
 *   0x05 | id | provider                   Lease
 *   0x06 | provider | id                   bids by provider (value 0x01)
 *   0x07 | provider | id                   leases by provider (value 0x01)
 *   0x08 | height | id | provider          open bids expiring at the end of height
 *   0x09 | height | id                     open orders expiring at the end of height
 */
import { concatBytes, lengthPrefixed, readU64BE, u64BE } from '../../types/keys.js';
import { u32BE } from '../escrow/keys.js';

export const ModuleName = 'market';
export const StoreKey = 'market';

export const ParamsKey = Uint8Array.of(0x00);
export const DeploymentPrefix = Uint8Array.of(0x01);
export const GroupPrefix = Uint8Array.of(0x02);
export const OrderPrefix = Uint8Array.of(0x03);
export const BidPrefix = Uint8Array.of(0x04);
export const LeasePrefix = Uint8Array.of(0x05);
export const BidByProviderPrefix = Uint8Array.of(0x06);
export const LeaseByProviderPrefix = Uint8Array.of(0x07);
export const BidExpiryPrefix = Uint8Array.of(0x08);
export const OrderExpiryPrefix = Uint8Array.of(0x09);

/** Raw ids: addresses as bytes. */
export interface DId {
  owner: Uint8Array;
  dseq: bigint;
}
export interface GId extends DId {
  gseq: number;
}
export interface OId extends GId {
  oseq: number;
}
export interface BId extends OId {
  provider: Uint8Array;
}

export const dPart = (id: DId) => concatBytes(lengthPrefixed(id.owner), u64BE(id.dseq));
export const gPart = (id: GId) => concatBytes(dPart(id), u32BE(id.gseq));
export const oPart = (id: OId) => concatBytes(gPart(id), u32BE(id.oseq));
export const bPart = (id: BId) => concatBytes(oPart(id), lengthPrefixed(id.provider));

/** Parses an `oPart` (owner | dseq | gseq | oseq) at `at`; returns the id and where it ends. */
export function readOPart(b: Uint8Array, at = 0): { id: OId; end: number } {
  const len = b[at]!;
  const owner = b.slice(at + 1, at + 1 + len);
  let o = at + 1 + len;
  const dseq = readU64BE(b, o);
  o += 8;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const gseq = dv.getUint32(o);
  const oseq = dv.getUint32(o + 4);
  return { id: { owner, dseq, gseq, oseq }, end: o + 8 };
}

export const deploymentKey = (id: DId) => concatBytes(DeploymentPrefix, dPart(id));
export const deploymentsOfOwnerPrefix = (owner: Uint8Array) =>
  concatBytes(DeploymentPrefix, lengthPrefixed(owner));
export const groupKey = (id: GId) => concatBytes(GroupPrefix, gPart(id));
export const groupsOfDeploymentPrefix = (id: DId) => concatBytes(GroupPrefix, dPart(id));
export const orderKey = (id: OId) => concatBytes(OrderPrefix, oPart(id));
export const ordersOfOwnerPrefix = (owner: Uint8Array) => concatBytes(OrderPrefix, lengthPrefixed(owner));
export const bidKey = (id: BId) => concatBytes(BidPrefix, bPart(id));
export const bidsOfOrderPrefix = (id: OId) => concatBytes(BidPrefix, oPart(id));
export const bidsOfOwnerPrefix = (owner: Uint8Array) => concatBytes(BidPrefix, lengthPrefixed(owner));
export const leaseKey = (id: BId) => concatBytes(LeasePrefix, bPart(id));
export const leasesOfOrderPrefix = (id: OId) => concatBytes(LeasePrefix, oPart(id));
export const leasesOfOwnerPrefix = (owner: Uint8Array) => concatBytes(LeasePrefix, lengthPrefixed(owner));
export const bidsOfProviderPrefix = (p: Uint8Array) => concatBytes(BidByProviderPrefix, lengthPrefixed(p));
export const bidByProviderKey = (id: BId) => concatBytes(bidsOfProviderPrefix(id.provider), oPart(id));
export const leasesOfProviderPrefix = (p: Uint8Array) =>
  concatBytes(LeaseByProviderPrefix, lengthPrefixed(p));
export const leaseByProviderKey = (id: BId) => concatBytes(leasesOfProviderPrefix(id.provider), oPart(id));
export const bidExpiryKey = (h: bigint, id: BId) => concatBytes(BidExpiryPrefix, u64BE(h), bPart(id));
export const orderExpiryKey = (h: bigint, id: OId) => concatBytes(OrderExpiryPrefix, u64BE(h), oPart(id));
