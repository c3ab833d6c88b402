/**
 * x/escrow genesis (`app_state.escrow`): params, accounts and payments in proto JSON (snake_case
 * on export; either case on import). Strict: balances must be sums of deposits.
 */
import { escrowV1 } from '@hearth/sdk';
import { addressFromBech32 } from '../../types/address.js';
import type { Context } from '../../types/context.js';
import { GenesisError, obj } from '../../types/json.js';
import { snakeKeys } from '../../types/tsproto.js';
import type { EscrowKeeper } from './keeper.js';
import { defaultEscrowParams, validateEscrowParams } from './params.js';

export const defaultEscrowGenesisJson = () =>
  snakeKeys(escrowV1.GenesisState.toJSON({ params: defaultEscrowParams(), accounts: [], payments: [] }));

export function parseEscrowGenesis(v: unknown): escrowV1.GenesisState {
  obj(v, 'escrow');
  let g: escrowV1.GenesisState;
  try {
    g = escrowV1.GenesisState.fromJSON(v);
  } catch (e) {
    throw new GenesisError('escrow', e instanceof Error ? e.message : String(e));
  }
  if (!g.params) throw new GenesisError('escrow.params', 'missing');
  try {
    validateEscrowParams(g.params);
  } catch (e) {
    throw new GenesisError('escrow.params', (e as Error).message);
  }
  const seen = new Set<string>();
  g.accounts.forEach((a, i) => {
    const path = `escrow.accounts[${i}]`;
    try {
      addressFromBech32(a.owner);
    } catch {
      throw new GenesisError(`${path}.owner`, 'invalid address');
    }
    const key = `${a.owner}/${a.dseq}`;
    if (seen.has(key)) throw new GenesisError(path, `duplicate account ${key}`);
    seen.add(key);
    const sum = a.deposits.reduce((s, d) => s + BigInt(d.amount?.amount ?? '0'), 0n);
    if (sum !== BigInt(a.balance?.amount ?? '0'))
      throw new GenesisError(`${path}.balance`, 'must equal the sum of the deposits');
  });
  g.payments.forEach((p, i) => {
    if (!seen.has(`${p.owner}/${p.dseq}`))
      throw new GenesisError(`escrow.payments[${i}]`, 'payment of an unknown account');
  });
  return g;
}

export function initEscrowGenesis(ctx: Context, k: EscrowKeeper, g: escrowV1.GenesisState): void {
  k.setParams(ctx, g.params!);
  for (const a of g.accounts) k.importAccount(ctx, a);
  for (const p of g.payments) k.importPayment(ctx, p);
}

export function exportEscrowGenesis(ctx: Context, k: EscrowKeeper) {
  return snakeKeys(
    escrowV1.GenesisState.toJSON({
      params: k.getParams(ctx),
      accounts: [...k.iterateAccounts(ctx)],
      payments: [...k.iteratePayments(ctx)],
    }),
  );
}
