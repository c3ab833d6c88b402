/**
 * x/slashing genesis (`app_state.slashing`): params. Signing infos are created when validators
 * bond (from gen_txs on a new chain); importing them is refused until state import exists.
 */

import { addressToBech32, VALCONS_PREFIX } from '../../types/address.js';
import type { Context } from '../../types/context.js';
import { formatTimestampJson } from '../../types/duration.js';
import { arr, GenesisError, obj } from '../../types/json.js';
import type { SlashingKeeper } from './keeper.js';
import {
  defaultSlashingParams,
  type SlashingParams,
  slashingParamsFromJson,
  slashingParamsToJson,
} from './params.js';

export interface SlashingGenesis {
  params: SlashingParams;
}

export const defaultSlashingGenesisJson = () => ({
  params: slashingParamsToJson(defaultSlashingParams()),
  signing_infos: [],
  missed_blocks: [],
});

export function parseSlashingGenesis(v: unknown): SlashingGenesis {
  const o = obj(v, 'slashing');
  const params = slashingParamsFromJson(o.params ?? {}, 'slashing.params');
  for (const field of ['signing_infos', 'missed_blocks'])
    if (arr(o[field], `slashing.${field}`, true).length > 0)
      throw new GenesisError(`slashing.${field}`, 'importing slashing state is not supported');
  return { params };
}

export function initSlashingGenesis(ctx: Context, k: SlashingKeeper, g: SlashingGenesis): void {
  k.setParams(ctx, g.params);
}

export function exportSlashingGenesis(ctx: Context, k: SlashingKeeper) {
  const infos = [...k.iterateSigningInfos(ctx)];
  return {
    params: slashingParamsToJson(k.getParams(ctx)),
    signing_infos: infos.map((i) => {
      const address = addressToBech32(i.address, VALCONS_PREFIX);
      return {
        address,
        validator_signing_info: {
          address,
          start_height: i.startHeight.toString(),
          index_offset: i.indexOffset.toString(),
          jailed_until: formatTimestampJson(i.jailedUntilNs),
          tombstoned: i.tombstoned,
          missed_blocks_counter: i.missedBlocksCounter.toString(),
        },
      };
    }),
    missed_blocks: infos.map((i) => ({
      address: addressToBech32(i.address, VALCONS_PREFIX),
      missed_blocks: k
        .missedIndexes(ctx, i.address)
        .map((index) => ({ index: index.toString(), missed: true })),
    })),
  };
}
