/**
 * x/slashing keeper (Cosmos SDK v0.50 x/slashing, plus x/evidence's equivocation handling):
 * liveness is tracked per validator over a sliding window of `signed_blocks_window` blocks from
 * `decided_last_commit`; a validator missing more than the window allows is slashed
 * `slash_fraction_downtime`, jailed for `downtime_jail_duration` and may MsgUnjail afterwards.
 * Double signing (ABCI `misbehavior`) slashes `slash_fraction_double_sign` of the power at the
 * infraction, jails and tombstones the validator for good; evidence older than both the
 * max-age duration and the max-age block count is ignored.
 */
import { PubKey as Ed25519PubKey } from 'cosmjs-types/cosmos/crypto/ed25519/keys';
import { Params, ValidatorSigningInfo } from 'cosmjs-types/cosmos/slashing/v1beta1/slashing';
import type { Misbehavior, VoteInfo } from 'cosmjs-types/tendermint/abci/types';
import { MisbehaviorType } from 'cosmjs-types/tendermint/abci/types';
import { BlockIDFlag } from 'cosmjs-types/tendermint/types/validator';
import { encodeProto } from '../../../codec/protoWriter.js';
import { addressFromBech32, addressToBech32, VALCONS_PREFIX } from '../../types/address.js';
import type { Context } from '../../types/context.js';
import { nsToTimestamp, timestampToNs } from '../../types/duration.js';
import { ErrLogic } from '../../types/errors.js';
import { prefixIterator, readU64BE } from '../../types/keys.js';
import { truncateInt } from '../../types/legacyDec.js';
import type { StakingHooks } from '../staking/expectedKeepers.js';
import { BondStatus, consAddressOf, tokensFromShares, valConsAddr } from '../staking/types.js';
import {
  ErrMissingSelfDelegation,
  ErrNoValidatorForAddress,
  ErrSelfDelegationTooLowToUnjail,
  ErrValidatorJailed,
  ErrValidatorNotJailed,
} from './errors.js';
import * as ev from './events.js';
import type { SlashingStakingKeeper } from './expectedKeepers.js';
import * as keys from './keys.js';
import {
  minSignedPerWindowInt,
  type SlashingParams,
  slashingParamsFromProto,
  slashingParamsToProto,
} from './params.js';

/** 9999-12-31T23:59:59Z: a double-signer's jail never ends (`DoubleSignJailEndTime`). */
export const DOUBLE_SIGN_JAIL_END_NS = 253_402_300_799n * 1_000_000_000n;
/** CometBFT applies validator updates two blocks later (`sdk.ValidatorUpdateDelay` = 1). */
const VALIDATOR_UPDATE_DELAY = 1n;

export interface SigningInfo {
  address: Uint8Array;
  startHeight: bigint;
  indexOffset: bigint;
  jailedUntilNs: bigint;
  tombstoned: boolean;
  missedBlocksCounter: bigint;
}

/** Consensus params' evidence limits (CometBFT defaults: 100,000 blocks and 48 hours). */
export interface EvidenceParams {
  maxAgeNumBlocks: bigint;
  maxAgeDurationNs: bigint;
}

export const DEFAULT_EVIDENCE_PARAMS: EvidenceParams = {
  maxAgeNumBlocks: 100_000n,
  maxAgeDurationNs: 48n * 3_600n * 1_000_000_000n,
};

export class SlashingKeeper {
  constructor(readonly staking: SlashingStakingKeeper) {}

  private store(ctx: Context) {
    return ctx.kvStore(keys.StoreKey);
  }

  getParams(ctx: Context): SlashingParams {
    const b = this.store(ctx).get(keys.ParamsKey);
    if (!b) throw ErrLogic.wrap('slashing params are not set');
    return slashingParamsFromProto(Params.decode(b));
  }

  setParams(ctx: Context, p: SlashingParams): void {
    this.store(ctx).set(keys.ParamsKey, encodeProto(Params, slashingParamsToProto(p)));
  }

  // --- signing infos ------------------------------------------------------------------------

  getSigningInfo(ctx: Context, cons: Uint8Array): SigningInfo | undefined {
    const b = this.store(ctx).get(keys.signingInfoKey(cons));
    return b ? signingInfoFromProto(ValidatorSigningInfo.decode(b)) : undefined;
  }

  setSigningInfo(ctx: Context, info: SigningInfo): void {
    this.store(ctx).set(
      keys.signingInfoKey(info.address),
      encodeProto(ValidatorSigningInfo, signingInfoToProto(info)),
    );
  }

  *iterateSigningInfos(ctx: Context): Generator<SigningInfo> {
    for (const [, v] of prefixIterator(this.store(ctx), keys.ValidatorSigningInfoPrefix))
      yield signingInfoFromProto(ValidatorSigningInfo.decode(v));
  }

  isTombstoned(ctx: Context, cons: Uint8Array): boolean {
    return this.getSigningInfo(ctx, cons)?.tombstoned ?? false;
  }

  setPubkey(ctx: Context, key: Uint8Array): void {
    this.store(ctx).set(keys.pubkeyKey(consAddressOf(key)), encodeProto(Ed25519PubKey, { key }));
  }

  getPubkey(ctx: Context, cons: Uint8Array): Uint8Array | undefined {
    const b = this.store(ctx).get(keys.pubkeyKey(cons));
    return b ? Ed25519PubKey.decode(b).key : undefined;
  }

  // --- missed-block bitmap ------------------------------------------------------------------

  private getMissed(ctx: Context, cons: Uint8Array, index: bigint): boolean {
    const chunk = this.store(ctx).get(keys.bitmapChunkKey(cons, index / keys.CHUNK_BITS));
    if (!chunk) return false;
    const bit = Number(index % keys.CHUNK_BITS);
    return ((chunk[bit >> 3] ?? 0) & (1 << (bit & 7))) !== 0;
  }

  setMissed(ctx: Context, cons: Uint8Array, index: bigint, missed: boolean): void {
    const key = keys.bitmapChunkKey(cons, index / keys.CHUNK_BITS);
    const s = this.store(ctx);
    const chunk = Uint8Array.from(s.get(key) ?? new Uint8Array(Number(keys.CHUNK_BITS / 8n)));
    const bit = Number(index % keys.CHUNK_BITS);
    if (missed) chunk[bit >> 3]! |= 1 << (bit & 7);
    else chunk[bit >> 3]! &= ~(1 << (bit & 7));
    if (chunk.every((b) => b === 0)) s.delete(key);
    else s.set(key, chunk);
  }

  private clearMissed(ctx: Context, cons: Uint8Array): void {
    const s = this.store(ctx);
    const doomed = [...prefixIterator(s, keys.bitmapPrefix(cons))].map(([, , k]) => Uint8Array.from(k));
    for (const k of doomed) s.delete(k);
  }

  /** Indexes of missed blocks in the current window, from the stored chunks (export, invariants). */
  missedIndexes(ctx: Context, cons: Uint8Array): bigint[] {
    const out: bigint[] = [];
    const prefix = keys.bitmapPrefix(cons);
    for (const [k, chunk] of prefixIterator(this.store(ctx), prefix)) {
      const base = readU64BE(k) * keys.CHUNK_BITS;
      for (let i = 0; i < chunk.length * 8; i++)
        if ((chunk[i >> 3]! & (1 << (i & 7))) !== 0) out.push(base + BigInt(i));
    }
    return out;
  }

  // --- liveness -----------------------------------------------------------------------------

  /** Records one vote of the last commit (`HandleValidatorSignature`). */
  handleValidatorSignature(ctx: Context, cons: Uint8Array, power: bigint, signed: boolean): void {
    const v = this.staking.getValidatorByConsAddr(ctx, cons);
    if (v?.jailed) return; // a jailed validator's missed blocks are not counted
    const info = this.getSigningInfo(ctx, cons);
    // Every bonded validator gets a signing info when it bonds; a vote without one cannot be
    // attributed, and halting the chain over it would be worse than skipping it.
    if (!info) return;
    const params = this.getParams(ctx);
    const window = params.signedBlocksWindow;
    const index = info.indexOffset % window;
    info.indexOffset += 1n;
    const previous = this.getMissed(ctx, cons, index);
    const missed = !signed;
    if (!previous && missed) {
      this.setMissed(ctx, cons, index, true);
      info.missedBlocksCounter += 1n;
    } else if (previous && !missed) {
      this.setMissed(ctx, cons, index, false);
      info.missedBlocksCounter -= 1n;
    }
    const consText = addressToBech32(cons, VALCONS_PREFIX);
    const height = ctx.header.height;
    if (missed) {
      ctx.events.emit(ev.EventTypeLiveness, [
        [ev.AttributeKeyAddress, consText],
        [ev.AttributeKeyMissedBlocks, info.missedBlocksCounter.toString()],
        [ev.AttributeKeyHeight, height.toString()],
      ]);
    }
    const minHeight = info.startHeight + window;
    const maxMissed = window - minSignedPerWindowInt(params);
    if (height > minHeight && info.missedBlocksCounter > maxMissed) {
      const val = this.staking.getValidatorByConsAddr(ctx, cons);
      if (val && !val.jailed) {
        // Slash for the height at which the validator last had its power at stake.
        const distributionHeight = height - VALIDATOR_UPDATE_DELAY - 1n;
        const burned = this.staking.slash(ctx, cons, distributionHeight, power, params.slashFractionDowntime);
        ctx.events.emit(ev.EventTypeSlash, [
          [ev.AttributeKeyAddress, consText],
          [ev.AttributeKeyPower, power.toString()],
          [ev.AttributeKeyReason, ev.AttributeValueMissingSignature],
          [ev.AttributeKeyJailed, consText],
          [ev.AttributeKeyBurnedCoins, burned.toString()],
        ]);
        this.staking.jail(ctx, cons);
        info.jailedUntilNs = ctx.header.timeNs + params.downtimeJailDurationNs;
        // Reset the window so that an unjailed validator starts afresh.
        info.missedBlocksCounter = 0n;
        info.indexOffset = 0n;
        this.clearMissed(ctx, cons);
      }
    }
    this.setSigningInfo(ctx, info);
  }

  // --- double signing -----------------------------------------------------------------------

  /** Handles one ABCI misbehavior (x/evidence `handleEquivocationEvidence`). Returns whether it slashed. */
  handleEquivocation(ctx: Context, m: Misbehavior, evidence: EvidenceParams): boolean {
    if (m.type !== MisbehaviorType.DUPLICATE_VOTE && m.type !== MisbehaviorType.LIGHT_CLIENT_ATTACK)
      return false;
    const cons = m.validator.address;
    const v = this.staking.getValidatorByConsAddr(ctx, cons);
    if (!v || v.status === BondStatus.BOND_STATUS_UNBONDED) return false; // unknown or unbonded: nothing at stake
    if (!this.getPubkey(ctx, cons)) return false;
    if (m.height > ctx.header.height || m.height <= 0n) return false; // not a past block: malformed
    const ageNs = ctx.header.timeNs - timestampToNs(m.time);
    const ageBlocks = ctx.header.height - m.height;
    if (ageNs > evidence.maxAgeDurationNs && ageBlocks > evidence.maxAgeNumBlocks) return false;
    const info = this.getSigningInfo(ctx, cons);
    if (!info || info.tombstoned) return false;
    const params = this.getParams(ctx);
    const distributionHeight = m.height - VALIDATOR_UPDATE_DELAY;
    const consText = addressToBech32(cons, VALCONS_PREFIX);
    const burned = this.staking.slash(
      ctx,
      cons,
      distributionHeight,
      m.validator.power,
      params.slashFractionDoubleSign,
    );
    ctx.events.emit(ev.EventTypeSlash, [
      [ev.AttributeKeyAddress, consText],
      [ev.AttributeKeyPower, m.validator.power.toString()],
      [ev.AttributeKeyReason, ev.AttributeValueDoubleSign],
      [ev.AttributeKeyBurnedCoins, burned.toString()],
    ]);
    if (!v.jailed) {
      this.staking.jail(ctx, cons);
      ctx.events.emit(ev.EventTypeSlash, [[ev.AttributeKeyJailed, consText]]);
    }
    info.jailedUntilNs = DOUBLE_SIGN_JAIL_END_NS;
    info.tombstoned = true;
    this.setSigningInfo(ctx, info);
    return true;
  }

  /**
   * Slashing's BeginBlock with the FinalizeBlock request's `decided_last_commit.votes` and
   * `misbehavior` (liveness first, then evidence, as x/slashing then x/evidence run in the SDK).
   */
  beginBlock(
    ctx: Context,
    votes: readonly VoteInfo[],
    misbehavior: readonly Misbehavior[],
    evidence: EvidenceParams = DEFAULT_EVIDENCE_PARAMS,
  ): void {
    for (const vote of votes) {
      const signed =
        vote.blockIdFlag !== BlockIDFlag.BLOCK_ID_FLAG_ABSENT &&
        vote.blockIdFlag !== BlockIDFlag.BLOCK_ID_FLAG_UNKNOWN;
      this.handleValidatorSignature(ctx, vote.validator.address, vote.validator.power, signed);
    }
    for (const m of misbehavior) this.handleEquivocation(ctx, m, evidence);
  }

  // --- unjail -------------------------------------------------------------------------------

  unjail(ctx: Context, val: Uint8Array): void {
    const v = this.staking.getValidator(ctx, val);
    if (!v) throw ErrNoValidatorForAddress;
    const self = this.staking.getDelegation(ctx, val, val);
    if (!self) throw ErrMissingSelfDelegation;
    const tokens = v.delegatorShares > 0n ? truncateInt(tokensFromShares(v, self.shares)) : 0n;
    if (tokens < v.minSelfDelegation) throw ErrSelfDelegationTooLowToUnjail;
    if (!v.jailed) throw ErrValidatorNotJailed;
    const cons = valConsAddr(v);
    const info = this.getSigningInfo(ctx, cons);
    if (!info) throw ErrNoValidatorForAddress;
    if (info.tombstoned) throw ErrValidatorJailed.wrap('validator is tombstoned');
    if (ctx.header.timeNs < info.jailedUntilNs) throw ErrValidatorJailed;
    this.staking.unjail(ctx, cons);
  }

  // --- hooks --------------------------------------------------------------------------------

  hooks(): StakingHooks {
    return {
      afterValidatorBonded: (ctx, cons) => {
        // A re-bonded validator's window starts afresh (the SDK resets the start height).
        const existing = this.getSigningInfo(ctx, cons);
        if (existing) {
          this.setSigningInfo(ctx, { ...existing, startHeight: ctx.header.height });
          return;
        }
        this.setSigningInfo(ctx, {
          address: cons,
          startHeight: ctx.header.height,
          indexOffset: 0n,
          jailedUntilNs: 0n,
          tombstoned: false,
          missedBlocksCounter: 0n,
        });
      },
      afterValidatorCreated: (ctx, val) => {
        const v = this.staking.getValidator(ctx, val);
        if (!v) return;
        this.store(ctx).set(
          keys.pubkeyKey(valConsAddr(v)),
          encodeProto(Ed25519PubKey, { key: v.consPubKey }),
        );
      },
      afterValidatorRemoved: (ctx, cons) => {
        this.store(ctx).delete(keys.pubkeyKey(cons));
      },
    };
  }
}

export function signingInfoToProto(i: SigningInfo): ValidatorSigningInfo {
  return {
    address: addressToBech32(i.address, VALCONS_PREFIX),
    startHeight: i.startHeight,
    indexOffset: i.indexOffset,
    jailedUntil: nsToTimestamp(i.jailedUntilNs),
    tombstoned: i.tombstoned,
    missedBlocksCounter: i.missedBlocksCounter,
  };
}

export function signingInfoFromProto(p: ValidatorSigningInfo): SigningInfo {
  return {
    address: addressFromBech32(p.address, VALCONS_PREFIX),
    startHeight: p.startHeight,
    indexOffset: p.indexOffset,
    jailedUntilNs: timestampToNs(p.jailedUntil),
    tombstoned: p.tombstoned,
    missedBlocksCounter: p.missedBlocksCounter,
  };
}
