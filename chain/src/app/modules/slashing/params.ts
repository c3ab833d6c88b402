/**
 * x/slashing params. Defaults are the Cosmos Hub's: a 10,000-block window with 5% required
 * signatures, 10 minutes of downtime jail, 0.01% downtime and 5% double-sign slashes. The
 * localnet preset shortens the window and the jail so that demos take seconds.
 */
import type { Params } from 'cosmjs-types/cosmos/slashing/v1beta1/slashing';
import { DEC_ONE } from '../../types/decimal.js';
import { durationToNs, formatDurationJson, nsToDuration, parseDurationJson } from '../../types/duration.js';
import { at, obj, str, uint } from '../../types/json.js';
import { fromUtf8, utf8 } from '../../types/keys.js';
import { decFromProto, decFromString, decToProto, decToString, roundInt } from '../../types/legacyDec.js';

export interface SlashingParams {
  signedBlocksWindow: bigint;
  minSignedPerWindow: bigint;
  downtimeJailDurationNs: bigint;
  slashFractionDoubleSign: bigint;
  slashFractionDowntime: bigint;
}

export const defaultSlashingParams = (): SlashingParams => ({
  signedBlocksWindow: 10_000n,
  minSignedPerWindow: DEC_ONE / 20n,
  downtimeJailDurationNs: 600_000_000_000n,
  slashFractionDoubleSign: DEC_ONE / 20n,
  slashFractionDowntime: DEC_ONE / 10_000n,
});

export const localnetSlashingParams = (): SlashingParams => ({
  ...defaultSlashingParams(),
  signedBlocksWindow: 20n,
  minSignedPerWindow: DEC_ONE / 2n,
  downtimeJailDurationNs: 10_000_000_000n,
});

/** `MinSignedPerWindowInt`: window × fraction, rounded half to even. */
export const minSignedPerWindowInt = (p: SlashingParams): bigint =>
  roundInt(p.minSignedPerWindow * p.signedBlocksWindow);

export function validateSlashingParams(p: SlashingParams): void {
  if (p.signedBlocksWindow <= 0n)
    throw new Error(`signed blocks window must be positive: ${p.signedBlocksWindow}`);
  for (const [name, v] of [
    ['min signed per window', p.minSignedPerWindow],
    ['double sign slash fraction', p.slashFractionDoubleSign],
    ['downtime slash fraction', p.slashFractionDowntime],
  ] as const) {
    if (v < 0n) throw new Error(`${name} cannot be negative: ${decToString(v)}`);
    if (v > DEC_ONE) throw new Error(`${name} too large: ${decToString(v)}`);
  }
  if (p.downtimeJailDurationNs <= 0n) throw new Error('downtime jail duration must be positive');
}

// LegacyDec fields of slashing.Params are `bytes` on the wire: the atomics string as UTF-8.
const decBytes = (v: bigint) => utf8(decToProto(v));
const bytesDec = (b: Uint8Array) => (b.length === 0 ? 0n : decFromProto(fromUtf8(b)));

export const slashingParamsToProto = (p: SlashingParams): Params => ({
  signedBlocksWindow: p.signedBlocksWindow,
  minSignedPerWindow: decBytes(p.minSignedPerWindow),
  downtimeJailDuration: nsToDuration(p.downtimeJailDurationNs),
  slashFractionDoubleSign: decBytes(p.slashFractionDoubleSign),
  slashFractionDowntime: decBytes(p.slashFractionDowntime),
});

export const slashingParamsFromProto = (p: Params): SlashingParams => ({
  signedBlocksWindow: p.signedBlocksWindow,
  minSignedPerWindow: bytesDec(p.minSignedPerWindow),
  downtimeJailDurationNs: durationToNs(p.downtimeJailDuration),
  slashFractionDoubleSign: bytesDec(p.slashFractionDoubleSign),
  slashFractionDowntime: bytesDec(p.slashFractionDowntime),
});

export const slashingParamsToJson = (p: SlashingParams) => ({
  signed_blocks_window: p.signedBlocksWindow.toString(),
  min_signed_per_window: decToString(p.minSignedPerWindow),
  downtime_jail_duration: formatDurationJson(p.downtimeJailDurationNs),
  slash_fraction_double_sign: decToString(p.slashFractionDoubleSign),
  slash_fraction_downtime: decToString(p.slashFractionDowntime),
});

export function slashingParamsFromJson(v: unknown, path: string): SlashingParams {
  const o = obj(v, path);
  const d = defaultSlashingParams();
  const dec = (name: string, dflt: bigint) =>
    o[name] === undefined
      ? dflt
      : at(`${path}.${name}`, () => decFromString(str(o[name], `${path}.${name}`)));
  const p: SlashingParams = {
    signedBlocksWindow: uint(o.signed_blocks_window, `${path}.signed_blocks_window`, d.signedBlocksWindow),
    minSignedPerWindow: dec('min_signed_per_window', d.minSignedPerWindow),
    downtimeJailDurationNs:
      o.downtime_jail_duration === undefined
        ? d.downtimeJailDurationNs
        : at(`${path}.downtime_jail_duration`, () =>
            parseDurationJson(str(o.downtime_jail_duration, `${path}.downtime_jail_duration`)),
          ),
    slashFractionDoubleSign: dec('slash_fraction_double_sign', d.slashFractionDoubleSign),
    slashFractionDowntime: dec('slash_fraction_downtime', d.slashFractionDowntime),
  };
  at(path, () => validateSlashingParams(p));
  return p;
}
