/**
 * x/slashing genesis (`app_state.slashing`) in the SDK's JSON layout: params, signing infos
 * and missed-block bitmaps. On a new chain signing infos are created when validators bond
 * (from gen_txs); a restart from an export imports them. Run after staking's genesis: the
 * consensus keys of the validators staking loaded are recorded here, as the SDK does.
 */

import { addressFromBech32, addressToBech32, VALCONS_PREFIX } from '../../types/address.js';
import type { Context } from '../../types/context.js';
import { formatTimestampJson, parseTimestampJson } from '../../types/duration.js';
import { arr, at, bool, GenesisError, obj, str, uint } from '../../types/json.js';
import type { SigningInfo, SlashingKeeper } from './keeper.js';
import {
  defaultSlashingParams,
  type SlashingParams,
  slashingParamsFromJson,
  slashingParamsToJson,
} from './params.js';

export interface SlashingGenesis {
  params: SlashingParams;
  signingInfos: SigningInfo[];
  missed: { address: Uint8Array; indexes: bigint[] }[];
}

export const defaultSlashingGenesisJson = () => ({
  params: slashingParamsToJson(defaultSlashingParams()),
  signing_infos: [],
  missed_blocks: [],
});

export function parseSlashingGenesis(v: unknown): SlashingGenesis {
  const o = obj(v, 'slashing');
  const params = slashingParamsFromJson(o.params ?? {}, 'slashing.params');
  const cons = (x: unknown, path: string) => at(path, () => addressFromBech32(str(x, path), VALCONS_PREFIX));
  const signingInfos = arr(o.signing_infos, 'slashing.signing_infos', true).map((x, i) => {
    const p = `slashing.signing_infos[${i}]`;
    const so = obj(x, p);
    const info = obj(so.validator_signing_info, `${p}.validator_signing_info`);
    const q = `${p}.validator_signing_info`;
    const s: SigningInfo = {
      address: cons(so.address, `${p}.address`),
      startHeight: uint(info.start_height, `${q}.start_height`, 0n),
      indexOffset: uint(info.index_offset, `${q}.index_offset`, 0n),
      jailedUntilNs:
        info.jailed_until === undefined
          ? 0n
          : at(`${q}.jailed_until`, () => parseTimestampJson(str(info.jailed_until, `${q}.jailed_until`))),
      tombstoned: bool(info.tombstoned, `${q}.tombstoned`, false),
      missedBlocksCounter: uint(info.missed_blocks_counter, `${q}.missed_blocks_counter`, 0n),
    };
    return s;
  });
  const missed = arr(o.missed_blocks, 'slashing.missed_blocks', true).map((x, i) => {
    const p = `slashing.missed_blocks[${i}]`;
    const mo = obj(x, p);
    const indexes = arr(mo.missed_blocks, `${p}.missed_blocks`, true).flatMap((m, j) => {
      const mb = obj(m, `${p}.missed_blocks[${j}]`);
      const index = uint(mb.index, `${p}.missed_blocks[${j}].index`);
      if (index >= params.signedBlocksWindow)
        throw new GenesisError(`${p}.missed_blocks[${j}].index`, 'outside the signed blocks window');
      return bool(mb.missed, `${p}.missed_blocks[${j}].missed`) ? [index] : [];
    });
    return { address: cons(mo.address, `${p}.address`), indexes };
  });
  return { params, signingInfos, missed };
}

export function initSlashingGenesis(ctx: Context, k: SlashingKeeper, g: SlashingGenesis): void {
  k.setParams(ctx, g.params);
  for (const v of k.staking.iterateValidators(ctx)) k.setPubkey(ctx, v.consPubKey);
  for (const info of g.signingInfos) k.setSigningInfo(ctx, info);
  for (const m of g.missed) for (const i of m.indexes) k.setMissed(ctx, m.address, i, true);
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
