/**
 * x/distribution params. The community tax defaults to 2% as on the Cosmos Hub; proposer
 * rewards are deprecated in v0.50 and stay zero.
 */
import type { Params } from 'cosmjs-types/cosmos/distribution/v1beta1/distribution';
import { DEC_ONE } from '../../types/decimal.js';
import { at, bool, obj, str } from '../../types/json.js';
import { decFromProto, decFromString, decToProto, decToString } from '../../types/legacyDec.js';

export interface DistrParams {
  communityTax: bigint;
  withdrawAddrEnabled: boolean;
}

export const defaultDistrParams = (): DistrParams => ({
  communityTax: DEC_ONE / 50n,
  withdrawAddrEnabled: true,
});

export function validateDistrParams(p: DistrParams): void {
  if (p.communityTax < 0n) throw new Error(`community tax must be positive: ${decToString(p.communityTax)}`);
  if (p.communityTax > DEC_ONE) throw new Error(`community tax too large: ${decToString(p.communityTax)}`);
}

export const distrParamsToProto = (p: DistrParams): Params => ({
  communityTax: decToProto(p.communityTax),
  baseProposerReward: '0',
  bonusProposerReward: '0',
  withdrawAddrEnabled: p.withdrawAddrEnabled,
});

export const distrParamsFromProto = (p: Params): DistrParams => ({
  communityTax: decFromProto(p.communityTax || '0'),
  withdrawAddrEnabled: p.withdrawAddrEnabled,
});

export const distrParamsToJson = (p: DistrParams) => ({
  community_tax: decToString(p.communityTax),
  base_proposer_reward: decToString(0n),
  bonus_proposer_reward: decToString(0n),
  withdraw_addr_enabled: p.withdrawAddrEnabled,
});

export function distrParamsFromJson(v: unknown, path: string): DistrParams {
  const o = obj(v, path);
  const d = defaultDistrParams();
  const p: DistrParams = {
    communityTax:
      o.community_tax === undefined
        ? d.communityTax
        : at(`${path}.community_tax`, () => decFromString(str(o.community_tax, `${path}.community_tax`))),
    withdrawAddrEnabled: bool(
      o.withdraw_addr_enabled,
      `${path}.withdraw_addr_enabled`,
      d.withdrawAddrEnabled,
    ),
  };
  at(path, () => validateDistrParams(p));
  return p;
}
