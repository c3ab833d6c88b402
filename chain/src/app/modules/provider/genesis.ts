/** x/provider genesis (`app_state.provider`): params, providers, audits and unbondings. */
import { providerV1 } from '@hearth/sdk';
import { addressFromBech32 } from '../../types/address.js';
import type { Context } from '../../types/context.js';
import { GenesisError, obj } from '../../types/json.js';
import { snakeKeys } from '../../types/tsproto.js';
import { type ProviderKeeper, validateAttributes, validateHostUri } from './keeper.js';
import { defaultProviderParams, validateProviderParams } from './params.js';

export const defaultProviderGenesisJson = () =>
  snakeKeys(
    providerV1.GenesisState.toJSON({
      params: defaultProviderParams(),
      providers: [],
      auditedAttributes: [],
      unbondings: [],
      nextUnbondingId: 1n,
    }),
  );

function check(path: string, f: () => void): void {
  try {
    f();
  } catch (e) {
    throw new GenesisError(path, e instanceof Error ? e.message : String(e));
  }
}

export function parseProviderGenesis(v: unknown): providerV1.GenesisState {
  obj(v, 'provider');
  let g: providerV1.GenesisState;
  try {
    g = providerV1.GenesisState.fromJSON(v);
  } catch (e) {
    throw new GenesisError('provider', e instanceof Error ? e.message : String(e));
  }
  if (!g.params) throw new GenesisError('provider.params', 'missing');
  check('provider.params', () => validateProviderParams(g.params!));
  const owners = new Set<string>();
  g.providers.forEach((p, i) => {
    const path = `provider.providers[${i}]`;
    check(`${path}.owner`, () => addressFromBech32(p.owner));
    if (owners.has(p.owner)) throw new GenesisError(path, `duplicate provider ${p.owner}`);
    owners.add(p.owner);
    check(`${path}.host_uri`, () => validateHostUri(p.hostUri));
    check(`${path}.attributes`, () => validateAttributes(p.attributes));
  });
  g.auditedAttributes.forEach((a, i) => {
    if (!owners.has(a.owner)) throw new GenesisError(`provider.audited_attributes[${i}]`, 'unknown provider');
    check(`provider.audited_attributes[${i}].auditor`, () => addressFromBech32(a.auditor));
  });
  g.unbondings.forEach((u, i) => {
    check(`provider.unbondings[${i}].owner`, () => addressFromBech32(u.owner));
    if (u.id >= (g.nextUnbondingId || 1n))
      throw new GenesisError(`provider.unbondings[${i}].id`, 'must be below next_unbonding_id');
  });
  return g;
}

export function initProviderGenesis(ctx: Context, k: ProviderKeeper, g: providerV1.GenesisState): void {
  k.setParams(ctx, g.params!);
  for (const p of g.providers) k.setProvider(ctx, p);
  for (const a of g.auditedAttributes) k.importAudit(ctx, a);
  for (const u of g.unbondings) k.importUnbonding(ctx, u);
  k.setNextUnbondingId(ctx, g.nextUnbondingId || 1n);
}

export function exportProviderGenesis(ctx: Context, k: ProviderKeeper) {
  return snakeKeys(
    providerV1.GenesisState.toJSON({
      params: k.getParams(ctx),
      providers: [...k.iterateProviders(ctx)],
      auditedAttributes: [...k.iterateAudits(ctx)],
      unbondings: [...k.iterateUnbondings(ctx)],
      nextUnbondingId: k.nextUnbondingId(ctx),
    }),
  );
}
