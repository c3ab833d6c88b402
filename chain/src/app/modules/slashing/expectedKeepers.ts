/** What x/slashing needs of x/staking. */
import type { Context } from '../../types/context.js';
import type { Delegation, Validator } from '../staking/types.js';

export interface SlashingStakingKeeper {
  getValidator(ctx: Context, val: Uint8Array): Validator | undefined;
  getValidatorByConsAddr(ctx: Context, cons: Uint8Array): Validator | undefined;
  getDelegation(ctx: Context, del: Uint8Array, val: Uint8Array): Delegation | undefined;
  slash(ctx: Context, cons: Uint8Array, infractionHeight: bigint, power: bigint, fraction: bigint): bigint;
  jail(ctx: Context, cons: Uint8Array): void;
  unjail(ctx: Context, cons: Uint8Array): void;
  bondDenom(ctx: Context): string;
  iterateValidators(ctx: Context): Iterable<Validator>;
}
