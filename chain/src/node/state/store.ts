/**
 * The state store (CometBFT v0.38 state/store.go) over a key-value database: the latest
 * State, the validator set and consensus params in force at each height (for verifying
 * commits, for RPC `validators?height=` and `consensus_params?height=`), and each height's
 * FinalizeBlock response (for RPC `block_results` and for replaying blocks to the app).
 *
 * Unlike CometBFT, full validator sets (with proposer priorities) are stored for every height
 * rather than checkpoints plus recomputation: Hearth's sets are small, and a lookup is then a
 * single read. Keys: 00 -> State; 01 H -> ValidatorSet; 02 H -> ConsensusParams;
 * 03 H -> ResponseFinalizeBlock (heights big-endian, so ranges are height order).
 */
import { BinaryWriter } from '@bufbuild/protobuf/wire';
import { ResponseFinalizeBlock } from 'cosmjs-types/tendermint/abci/types';
import { encodeFinalizeBlockResponse } from '../../codec/abciResults.js';
import type { BatchOp, StoreDb } from '../../store/db.js';
import type { GenesisDoc } from '../config/genesis.js';
import {
  DecodeError,
  decodeConsensusParams,
  encodeConsensusParams,
  ProtoReader,
  type ValidatorSet,
} from '../types/index.js';
import { completeConsensusParams, type FullConsensusParams } from './params.js';
import {
  decodeState,
  encodeState,
  encodeValidatorSetFieldInto,
  makeGenesisState,
  nextBlockHeight,
  type State,
  validatorSetFromReader,
} from './state.js';

export class StateStoreError extends Error {
  override readonly name = 'StateStoreError';
}

const P_STATE = 0x00;
const P_VALIDATORS = 0x01;
const P_PARAMS = 0x02;
const P_RESPONSES = 0x03;
const STATE_KEY = Uint8Array.of(P_STATE);

function heightKey(prefix: number, height: bigint): Uint8Array {
  const k = new Uint8Array(9);
  k[0] = prefix;
  new DataView(k.buffer).setBigUint64(1, height);
  return k;
}

function checkHeight(height: bigint): void {
  if (typeof height !== 'bigint' || height < 1n || height >= 1n << 63n) {
    throw new StateStoreError(`height must be a positive int64, got ${String(height)}`);
  }
}

function encodeValidatorSet(set: ValidatorSet): Uint8Array {
  // Stored as the ValidatorSet message itself (field 1 of a wrapper, then unwrapped on read).
  const w = new BinaryWriter();
  encodeValidatorSetFieldInto(w, 1, set);
  return w.finish();
}

function decodeValidatorSet(bytes: Uint8Array): ValidatorSet {
  const r = new ProtoReader(bytes, 'ValidatorsInfo');
  for (let f = r.next(); f !== 0; f = r.next()) {
    if (f === 1) return validatorSetFromReader(new ProtoReader(r.bytes(), 'ValidatorsInfo.validator_set'));
    r.skip();
  }
  throw new DecodeError('ValidatorsInfo: no validator set');
}

export class StateStore {
  private constructor(private readonly db: StoreDb) {}

  static async open(db: StoreDb): Promise<StateStore> {
    return new StateStore(db);
  }

  /** The last saved state, or undefined before the first save. */
  async load(): Promise<State | undefined> {
    const raw = await this.db.get(STATE_KEY);
    return raw === undefined ? undefined : decodeState(raw);
  }

  /**
   * LoadStateFromDBOrGenesisDoc: the saved state, or the genesis state if nothing is saved
   * (not written: the handshake saves it after InitChain). A saved state of another chain is
   * refused.
   */
  async loadFromGenesis(genesis: GenesisDoc): Promise<State> {
    const saved = await this.load();
    if (saved === undefined) return makeGenesisState(genesis);
    if (saved.chainId !== genesis.chainId) {
      throw new StateStoreError(
        `state in the database is for chain ${JSON.stringify(saved.chainId)}, genesis is for ${JSON.stringify(genesis.chainId)}`,
      );
    }
    return saved;
  }

  /**
   * Saves the state and, for the heights it determines, the validator sets (next height and
   * the one after) and the consensus params (next height), in one batch.
   */
  async save(state: State): Promise<void> {
    const next = nextBlockHeight(state);
    checkHeight(next);
    const ops: BatchOp[] = [
      { type: 'put', key: heightKey(P_VALIDATORS, next), value: encodeValidatorSet(state.validators) },
      {
        type: 'put',
        key: heightKey(P_VALIDATORS, next + 1n),
        value: encodeValidatorSet(state.nextValidators),
      },
      { type: 'put', key: heightKey(P_PARAMS, next), value: encodeConsensusParams(state.consensusParams) },
      { type: 'put', key: STATE_KEY, value: encodeState(state) },
    ];
    await this.db.batch(ops);
  }

  /** The validator set that signs block `height` (undefined if not stored or pruned). */
  async loadValidators(height: bigint): Promise<ValidatorSet | undefined> {
    checkHeight(height);
    const raw = await this.db.get(heightKey(P_VALIDATORS, height));
    return raw === undefined ? undefined : decodeValidatorSet(raw);
  }

  /** The consensus params in force at `height`. */
  async loadConsensusParams(height: bigint): Promise<FullConsensusParams | undefined> {
    checkHeight(height);
    const raw = await this.db.get(heightKey(P_PARAMS, height));
    return raw === undefined ? undefined : completeConsensusParams(decodeConsensusParams(raw));
  }

  /** SaveFinalizeBlockResponse: kept per height for block_results and replay. */
  async saveFinalizeBlockResponse(height: bigint, resp: ResponseFinalizeBlock): Promise<void> {
    checkHeight(height);
    await this.db.put(heightKey(P_RESPONSES, height), encodeFinalizeBlockResponse(resp));
  }

  async loadFinalizeBlockResponse(height: bigint): Promise<ResponseFinalizeBlock | undefined> {
    checkHeight(height);
    const raw = await this.db.get(heightKey(P_RESPONSES, height));
    if (raw === undefined) return undefined;
    try {
      return ResponseFinalizeBlock.decode(raw);
    } catch (e) {
      throw new DecodeError(`stored FinalizeBlock response for height ${height}: ${(e as Error).message}`);
    }
  }

  /**
   * PruneStates: deletes validator sets, params and FinalizeBlock responses of heights in
   * [from, to). The latest state is untouched. Returns the number of keys removed.
   */
  async pruneStates(from: bigint, to: bigint): Promise<number> {
    checkHeight(from);
    checkHeight(to);
    if (from >= to) throw new StateStoreError(`prune range is empty: from ${from} to ${to}`);
    let removed = 0;
    for (const prefix of [P_VALIDATORS, P_PARAMS, P_RESPONSES]) {
      const ops: BatchOp[] = [];
      for await (const key of this.db.keys(heightKey(prefix, from), heightKey(prefix, to))) {
        ops.push({ type: 'del', key });
      }
      removed += ops.length;
      if (ops.length > 0) await this.db.batch(ops);
    }
    return removed;
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
