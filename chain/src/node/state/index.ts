/** The consensus state, its transitions after each block and its LevelDB store (CometBFT state/). */
export {
  applyInitChainResponse,
  StateTransitionError,
  updateState,
  validatorsFromUpdates,
} from './execution.js';
export {
  ABCI_PUBKEY_TYPES,
  ConsensusParamsError,
  completeConsensusParams,
  defaultConsensusParams,
  type FullConsensusParams,
  paramsFromAbci,
  updateConsensusParams,
  validateConsensusParams,
  validateConsensusParamsUpdate,
} from './params.js';
export { planReplay, ReplayError, type ReplayInput, type ReplayPlan } from './replay.js';
export {
  copyState,
  decodeState,
  emptyValidatorSet,
  encodeState,
  HEARTH_SOFTWARE_VERSION,
  makeGenesisState,
  nextBlockHeight,
  type State,
  type StateVersion,
} from './state.js';
export { StateStore, StateStoreError } from './store.js';
