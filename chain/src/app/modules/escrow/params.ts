/** x/escrow params: defaults and validation. */
import type { escrowV1 } from '@hearth/sdk';
import { ErrInvalidParams } from './errors.js';

export type EscrowParams = escrowV1.Params;

/** 2% of every payment to the community pool (public network and localnet alike). */
export const defaultEscrowParams = (): EscrowParams => ({ takeRateBps: 200 });
export const localnetEscrowParams = defaultEscrowParams;

export function validateEscrowParams(p: EscrowParams): void {
  if (!Number.isInteger(p.takeRateBps) || p.takeRateBps < 0 || p.takeRateBps > 10_000)
    throw ErrInvalidParams.wrap(`take_rate_bps must be within 0..10000, got ${p.takeRateBps}`);
}
