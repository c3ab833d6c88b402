/** x/mint genesis (`app_state.mint`): the minter's state and the params. */
import type { Context } from '../../types/context.js';
import { at, obj, str } from '../../types/json.js';
import { decFromString, decToString } from '../../types/legacyDec.js';
import type { MintKeeper } from './keeper.js';
import {
  defaultMinter,
  defaultMintParams,
  type MinterState,
  type MintParams,
  mintParamsFromJson,
  mintParamsToJson,
} from './params.js';

export interface MintGenesis {
  minter: MinterState;
  params: MintParams;
}

export const defaultMintGenesisJson = () => ({
  minter: { inflation: decToString(defaultMinter().inflation), annual_provisions: decToString(0n) },
  params: mintParamsToJson(defaultMintParams()),
});

export function parseMintGenesis(v: unknown): MintGenesis {
  const o = obj(v, 'mint');
  const params = mintParamsFromJson(o.params ?? {}, 'mint.params');
  const m = obj(o.minter ?? {}, 'mint.minter');
  const d = defaultMinter();
  const minter: MinterState = {
    inflation:
      m.inflation === undefined
        ? d.inflation
        : at('mint.minter.inflation', () => decFromString(str(m.inflation, 'mint.minter.inflation'))),
    annualProvisions:
      m.annual_provisions === undefined
        ? 0n
        : at('mint.minter.annual_provisions', () =>
            decFromString(str(m.annual_provisions, 'mint.minter.annual_provisions')),
          ),
  };
  if (minter.inflation < 0n)
    throw new Error('genesis: mint.minter.inflation: mint parameter Inflation should be positive');
  if (minter.annualProvisions < 0n)
    throw new Error(
      'genesis: mint.minter.annual_provisions: mint parameter AnnualProvisions should be positive',
    );
  return { minter, params };
}

export function initMintGenesis(
  ctx: Context,
  k: MintKeeper,
  g: MintGenesis,
  createModuleAccount: () => void,
): void {
  k.setMinter(ctx, g.minter);
  k.setParams(ctx, g.params);
  createModuleAccount();
}

export function exportMintGenesis(ctx: Context, k: MintKeeper) {
  const m = k.getMinter(ctx);
  return {
    minter: { inflation: decToString(m.inflation), annual_provisions: decToString(m.annualProvisions) },
    params: mintParamsToJson(k.getParams(ctx)),
  };
}
