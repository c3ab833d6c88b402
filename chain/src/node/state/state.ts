/**
 * The consensus state after the last committed block (CometBFT v0.38 state/state.go), its
 * protobuf encoding (proto/tendermint/state/types.proto `State`, field for field, encoded with
 * a 64-bit-correct writer) and the genesis state (MakeGenesisState).
 */
import { BinaryWriter } from '@bufbuild/protobuf/wire';
import type { GenesisDoc } from '../config/genesis.js';
import {
  BLOCK_PROTOCOL,
  type BlockId,
  type ConsensusVersion,
  DecodeError,
  decodeBlockIdFrom,
  decodeConsensusParamsFrom,
  decodeConsensusVersionFrom,
  decodeTimestampFrom,
  decodeValidatorSetFrom,
  emptyBlockId,
  encodeBlockIdInto,
  encodeConsensusParamsInto,
  encodeConsensusVersionInto,
  encodeTimestampInto,
  encodeValidatorSetInto,
  newValidator,
  ProtoReader,
  type Timestamp,
  ValidatorSet,
} from '../types/index.js';
import { decodeWith, writeBytes, writeInt64, writeMessage, writeString } from '../types/proto.js';
import { completeConsensusParams, type FullConsensusParams } from './params.js';

export interface StateVersion {
  consensus: ConsensusVersion;
  software: string;
}

export interface State {
  version: StateVersion;
  chainId: string;
  initialHeight: bigint;
  /** 0 at genesis (no block yet). */
  lastBlockHeight: bigint;
  lastBlockId: BlockId;
  lastBlockTime: Timestamp;
  /** Validators for lastBlockHeight+2 (changes from block H land here and sign from H+2). */
  nextValidators: ValidatorSet;
  /** Validators for lastBlockHeight+1: they sign the next block. */
  validators: ValidatorSet;
  /** Validators of lastBlockHeight: they signed the next block's LastCommit. Empty at genesis. */
  lastValidators: ValidatorSet;
  lastHeightValidatorsChanged: bigint;
  consensusParams: FullConsensusParams;
  lastHeightConsensusParamsChanged: bigint;
  lastResultsHash: Uint8Array;
  appHash: Uint8Array;
}

/** The software version recorded in the state. */
export const HEARTH_SOFTWARE_VERSION = 'hearth-0.1.0';

export function emptyValidatorSet(): ValidatorSet {
  return ValidatorSet.create([]);
}

/** The height the next block will have. */
export function nextBlockHeight(state: State): bigint {
  return state.lastBlockHeight === 0n ? state.initialHeight : state.lastBlockHeight + 1n;
}

/** A deep copy: validator sets are mutable objects. */
export function copyState(s: State): State {
  return {
    ...s,
    version: { consensus: { ...s.version.consensus }, software: s.version.software },
    nextValidators: s.nextValidators.copy(),
    validators: s.validators.copy(),
    lastValidators: s.lastValidators.copy(),
    consensusParams: completeConsensusParams(s.consensusParams),
  };
}

/** MakeGenesisState: the state before the first block (InitChain may still change validators and params). */
export function makeGenesisState(genesis: GenesisDoc): State {
  let validators: ValidatorSet;
  let nextValidators: ValidatorSet;
  if (genesis.validators.length === 0) {
    validators = emptyValidatorSet();
    nextValidators = emptyValidatorSet();
  } else {
    validators = ValidatorSet.create(genesis.validators.map((v) => newValidator(v.pubKey, v.power)));
    nextValidators = validators.copyIncrementProposerPriority(1);
  }
  return {
    version: { consensus: { block: BLOCK_PROTOCOL, app: 0n }, software: HEARTH_SOFTWARE_VERSION },
    chainId: genesis.chainId,
    initialHeight: genesis.initialHeight,
    lastBlockHeight: 0n,
    lastBlockId: emptyBlockId(),
    lastBlockTime: { ...genesis.genesisTime },
    nextValidators,
    validators,
    lastValidators: emptyValidatorSet(),
    lastHeightValidatorsChanged: genesis.initialHeight,
    consensusParams: completeConsensusParams(genesis.consensusParams),
    lastHeightConsensusParamsChanged: genesis.initialHeight,
    lastResultsHash: new Uint8Array(0),
    appHash: Uint8Array.from(genesis.appHash),
  };
}

// ---------------------------------------------------------------------------------------------
// Encoding

export function encodeValidatorSetFieldInto(w: BinaryWriter, field: number, set: ValidatorSet): void {
  writeMessage(w, field, set.toData(), encodeValidatorSetInto);
}

/** A stored validator set; an empty message is the empty set. */
export function validatorSetFromReader(r: ProtoReader): ValidatorSet {
  const data = decodeValidatorSetFrom(r);
  if (data.validators.length === 0) return emptyValidatorSet();
  try {
    return ValidatorSet.fromData(data);
  } catch (e) {
    throw new DecodeError(`stored validator set is invalid: ${(e as Error).message}`);
  }
}

export function encodeState(s: State): Uint8Array {
  const w = new BinaryWriter();
  writeMessage(w, 1, s.version, (w2, v) => {
    writeMessage(w2, 1, v.consensus, encodeConsensusVersionInto);
    writeString(w2, 2, v.software);
  });
  writeString(w, 2, s.chainId);
  writeInt64(w, 3, s.lastBlockHeight, 'State.last_block_height');
  writeMessage(w, 4, s.lastBlockId, encodeBlockIdInto);
  writeMessage(w, 5, s.lastBlockTime, encodeTimestampInto);
  encodeValidatorSetFieldInto(w, 6, s.nextValidators);
  encodeValidatorSetFieldInto(w, 7, s.validators);
  encodeValidatorSetFieldInto(w, 8, s.lastValidators);
  writeInt64(w, 9, s.lastHeightValidatorsChanged, 'State.last_height_validators_changed');
  writeMessage(w, 10, s.consensusParams, encodeConsensusParamsInto);
  writeInt64(w, 11, s.lastHeightConsensusParamsChanged, 'State.last_height_consensus_params_changed');
  writeBytes(w, 12, s.lastResultsHash);
  writeBytes(w, 13, s.appHash);
  writeInt64(w, 14, s.initialHeight, 'State.initial_height');
  return w.finish();
}

const sub = (r: ProtoReader, what: string) => new ProtoReader(r.bytes(), what);

export function decodeState(bytes: Uint8Array): State {
  return decodeWith('State', bytes, (r) => {
    const s: State = {
      version: { consensus: { block: 0n, app: 0n }, software: '' },
      chainId: '',
      initialHeight: 0n,
      lastBlockHeight: 0n,
      lastBlockId: emptyBlockId(),
      lastBlockTime: { seconds: 0n, nanos: 0 },
      nextValidators: emptyValidatorSet(),
      validators: emptyValidatorSet(),
      lastValidators: emptyValidatorSet(),
      lastHeightValidatorsChanged: 0n,
      consensusParams: completeConsensusParams({}),
      lastHeightConsensusParamsChanged: 0n,
      lastResultsHash: new Uint8Array(0),
      appHash: new Uint8Array(0),
    };
    for (let f = r.next(); f !== 0; f = r.next()) {
      switch (f) {
        case 1: {
          const v = sub(r, 'State.version');
          for (let g = v.next(); g !== 0; g = v.next()) {
            if (g === 1) s.version.consensus = decodeConsensusVersionFrom(sub(v, 'Version.consensus'));
            else if (g === 2) s.version.software = v.string();
            else v.skip();
          }
          break;
        }
        case 2:
          s.chainId = r.string();
          break;
        case 3:
          s.lastBlockHeight = r.int64();
          break;
        case 4:
          s.lastBlockId = decodeBlockIdFrom(sub(r, 'State.last_block_id'));
          break;
        case 5:
          s.lastBlockTime = decodeTimestampFrom(sub(r, 'State.last_block_time'));
          break;
        case 6:
          s.nextValidators = validatorSetFromReader(sub(r, 'State.next_validators'));
          break;
        case 7:
          s.validators = validatorSetFromReader(sub(r, 'State.validators'));
          break;
        case 8:
          s.lastValidators = validatorSetFromReader(sub(r, 'State.last_validators'));
          break;
        case 9:
          s.lastHeightValidatorsChanged = r.int64();
          break;
        case 10:
          s.consensusParams = completeConsensusParams(
            decodeConsensusParamsFrom(sub(r, 'State.consensus_params')),
          );
          break;
        case 11:
          s.lastHeightConsensusParamsChanged = r.int64();
          break;
        case 12:
          s.lastResultsHash = r.bytesCopy();
          break;
        case 13:
          s.appHash = r.bytesCopy();
          break;
        case 14:
          s.initialHeight = r.int64();
          break;
        default:
          r.skip();
      }
    }
    return s;
  });
}
