/** What x/bank needs of x/auth. */

import type { Context } from '../../types/context.js';
import type { Account } from '../auth/keeper.js';

export interface AccountKeeper {
  getAccount(ctx: Context, addr: Uint8Array): Account | undefined;
  hasAccount(ctx: Context, addr: Uint8Array): boolean;
  setAccount(ctx: Context, acc: Account): void;
  newAccount(ctx: Context, addr: Uint8Array): Account;
  moduleAddress(name: string): Uint8Array;
  getModuleAccount(ctx: Context, name: string): Account;
  hasPermission(name: string, permission: string): boolean;
  isModuleAddress(addr: Uint8Array): boolean;
}
