/** The validator's signer: CometBFT's file-based private validator with double-sign protection. */
export { ED25519_PRIVKEY_SIZE, ED25519_SEED_SIZE, Ed25519PrivateKey } from './ed25519.js';
export {
  checkHRS,
  emptyLastSignState,
  FilePV,
  type FilePVPaths,
  type LastSignState,
  lastSignStateFromJson,
  lastSignStateToJson,
  PrivvalError,
  privValidatorKeyFromJson,
  privValidatorKeyToJson,
  STEP_NONE,
  STEP_PRECOMMIT,
  STEP_PREVOTE,
  STEP_PROPOSE,
  voteStep,
} from './filePV.js';
