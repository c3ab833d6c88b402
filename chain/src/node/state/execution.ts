/**
 * State transitions driven by the application (CometBFT v0.38 state/execution.go updateState,
 * validateValidatorUpdates and consensus/replay.go's InitChain handling). Pure functions: the
 * input state is never mutated.
 *
 * Timing of validator changes: updates returned by FinalizeBlock at height H are applied to
 * `nextValidators`, which becomes `validators` for H+2; `lastHeightValidatorsChanged` = H+2.
 * Consensus param updates at H apply from H+1.
 */
import type {
  ResponseFinalizeBlock,
  ResponseInitChain,
  ValidatorUpdate,
} from 'cosmjs-types/tendermint/abci/types';
import type { GenesisDoc } from '../config/genesis.js';
import {
  type BlockId,
  bytesToHex,
  type Header,
  hashFromByteSlices,
  lastResultsHash,
  newValidator,
  type PublicKey,
  type Validator,
  ValidatorSet,
} from '../types/index.js';
import {
  paramsFromAbci,
  updateConsensusParams,
  validateConsensusParams,
  validateConsensusParamsUpdate,
} from './params.js';
import { copyState, type State } from './state.js';

export class StateTransitionError extends Error {
  override readonly name = 'StateTransitionError';
}

function pubKeyFromAbci(u: ValidatorUpdate, i: number): PublicKey {
  const pk = u.pubKey;
  if (pk?.ed25519 !== undefined && pk.ed25519.length > 0) return { type: 'ed25519', key: pk.ed25519 };
  if (pk?.secp256k1 !== undefined && pk.secp256k1.length > 0) return { type: 'secp256k1', key: pk.secp256k1 };
  throw new StateTransitionError(`validator update #${i} has no public key`);
}

/**
 * validateValidatorUpdates + PB2TM.ValidatorUpdates: checks power and key type against the
 * consensus params and turns the ABCI updates into validators (power 0 = removal).
 */
export function validatorsFromUpdates(
  updates: readonly ValidatorUpdate[],
  allowedKeyTypes: readonly string[],
): Validator[] {
  return updates.map((u, i) => {
    if (typeof u.power !== 'bigint')
      throw new StateTransitionError(`validator update #${i}: power must be a bigint`);
    if (u.power < 0n)
      throw new StateTransitionError(`voting power can't be negative (validator update #${i}: ${u.power})`);
    const pubKey = pubKeyFromAbci(u, i);
    if (u.power > 0n && !allowedKeyTypes.includes(pubKey.type)) {
      throw new StateTransitionError(
        `validator ${bytesToHex(pubKey.key)} is using pubkey ${pubKey.type}, which is unsupported for consensus`,
      );
    }
    try {
      return newValidator(pubKey, u.power);
    } catch (e) {
      throw new StateTransitionError(`validator update #${i}: ${(e as Error).message}`);
    }
  });
}

/**
 * updateState: the state after block `header.height` (with ID `blockId`) was executed with
 * the given FinalizeBlock response. Also records the response's app hash (CometBFT sets it
 * right after, in ApplyBlock).
 */
export function updateState(
  state: State,
  blockId: BlockId,
  header: Header,
  resp: ResponseFinalizeBlock,
): State {
  const height = header.height;
  const nextValidators = state.nextValidators.copy();
  let lastHeightValidatorsChanged = state.lastHeightValidatorsChanged;
  const updates = validatorsFromUpdates(
    resp.validatorUpdates ?? [],
    state.consensusParams.validator.pubKeyTypes,
  );
  if (updates.length > 0) {
    try {
      nextValidators.updateWithChangeSet(updates);
    } catch (e) {
      throw new StateTransitionError(`changing validator set: ${(e as Error).message}`);
    }
    lastHeightValidatorsChanged = height + 1n + 1n;
  }
  nextValidators.incrementProposerPriority(1);

  let consensusParams = state.consensusParams;
  let lastHeightConsensusParamsChanged = state.lastHeightConsensusParamsChanged;
  const version = { consensus: { ...state.version.consensus }, software: state.version.software };
  if (resp.consensusParamUpdates !== undefined) {
    const update = paramsFromAbci(resp.consensusParamUpdates);
    const next = updateConsensusParams(state.consensusParams, update);
    try {
      validateConsensusParams(next);
    } catch (e) {
      throw new StateTransitionError(`validating new consensus params: ${(e as Error).message}`);
    }
    try {
      validateConsensusParamsUpdate(state.consensusParams, update, height);
    } catch (e) {
      throw new StateTransitionError(`updating consensus params: ${(e as Error).message}`);
    }
    consensusParams = next;
    version.consensus.app = next.version.app;
    lastHeightConsensusParamsChanged = height + 1n;
  }

  return {
    version,
    chainId: state.chainId,
    initialHeight: state.initialHeight,
    lastBlockHeight: height,
    lastBlockId: blockId,
    lastBlockTime: { ...header.time },
    nextValidators,
    validators: state.nextValidators.copy(),
    lastValidators: state.validators.copy(),
    lastHeightValidatorsChanged,
    consensusParams: updateConsensusParams(consensusParams, {}),
    lastHeightConsensusParamsChanged,
    lastResultsHash: lastResultsHash(
      (resp.txResults ?? []).map((r) => ({
        code: r.code,
        data: r.data,
        gasWanted: r.gasWanted,
        gasUsed: r.gasUsed,
      })),
    ),
    appHash: Uint8Array.from(resp.appHash ?? new Uint8Array(0)),
  };
}

/**
 * What the handshake does with InitChain's response at genesis (consensus/replay.go): the app
 * may replace the validators and params and set the app hash. Throws when neither the genesis
 * nor the app provides validators.
 */
export function applyInitChainResponse(state: State, genesis: GenesisDoc, resp: ResponseInitChain): State {
  if (state.lastBlockHeight !== 0n)
    throw new StateTransitionError('InitChain results only apply to the genesis state');
  const next = copyState(state);
  if (resp.appHash !== undefined && resp.appHash.length > 0) next.appHash = Uint8Array.from(resp.appHash);
  if ((resp.validators ?? []).length > 0) {
    const vals = validatorsFromUpdates(resp.validators, ['ed25519', 'secp256k1']);
    if (vals.some((v) => v.votingPower === 0n)) {
      throw new StateTransitionError('InitChain validators must have positive voting power');
    }
    try {
      next.validators = ValidatorSet.create(vals);
    } catch (e) {
      throw new StateTransitionError(`InitChain validators: ${(e as Error).message}`);
    }
    next.nextValidators = next.validators.copyIncrementProposerPriority(1);
  } else if (genesis.validators.length === 0) {
    throw new StateTransitionError('validator set is nil in genesis and still empty after InitChain');
  }
  if (resp.consensusParams !== undefined) {
    next.consensusParams = updateConsensusParams(next.consensusParams, paramsFromAbci(resp.consensusParams));
    try {
      validateConsensusParams(next.consensusParams);
    } catch (e) {
      throw new StateTransitionError(`InitChain consensus params: ${(e as Error).message}`);
    }
    next.version.consensus.app = next.consensusParams.version.app;
  }
  next.lastResultsHash = hashFromByteSlices([]);
  return next;
}
