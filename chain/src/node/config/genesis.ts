/**
 * genesis.json in CometBFT v0.38's layout (types/genesis.go GenesisDoc): genesis_time as
 * RFC 3339, chain_id, initial_height and every int64 as a decimal string, consensus_params,
 * validators [{address, pub_key, power, name}], app_hash as hex and app_state kept as its raw
 * JSON text. Reading validates like GenesisDoc.ValidateAndComplete and reports the field.
 */
import { readFileSync } from 'node:fs';
import {
  ConsensusParamsError,
  completeConsensusParams,
  defaultConsensusParams,
  type FullConsensusParams,
  validateConsensusParams,
} from '../state/params.js';
import {
  addressFromPubKey,
  bytesEqual,
  bytesToHex,
  consensusParamsFromJson,
  consensusParamsToJson,
  formatRfc3339Nano,
  hexToBytes,
  isZeroTime,
  type PublicKey,
  parseRfc3339,
  publicKeyFromJson,
  publicKeyProblem,
  publicKeyToJson,
  type Timestamp,
  timestampFromDate,
} from '../types/index.js';
import { NodeFileError, writeFileAtomicSync } from './files.js';
import { topLevelMemberSpans } from './rawJson.js';

/** types.MaxChainIDLen */
export const MAX_CHAIN_ID_LEN = 50;

export interface GenesisValidator {
  address: Uint8Array;
  pubKey: PublicKey;
  power: bigint;
  name: string;
}

export interface GenesisDoc {
  genesisTime: Timestamp;
  chainId: string;
  initialHeight: bigint;
  consensusParams: FullConsensusParams;
  validators: GenesisValidator[];
  appHash: Uint8Array;
  /** The app_state member's JSON text exactly as in the file (undefined when absent). */
  appStateJson?: string;
}

export class GenesisError extends Error {
  override readonly name = 'GenesisError';
}

// biome-ignore lint/suspicious/noExplicitAny: JSON input is untyped until checked.
type Json = any;

function int64Field(j: Json, what: string): bigint {
  if (typeof j === 'string' && /^-?[0-9]+$/.test(j)) {
    const v = BigInt(j);
    if (v >= -(1n << 63n) && v < 1n << 63n) return v;
  }
  if (typeof j === 'number' && Number.isSafeInteger(j)) return BigInt(j);
  throw new GenesisError(`${what}: expected an int64 as a decimal string, got ${JSON.stringify(j)}`);
}

/**
 * Parses and validates genesis.json text. Like CometBFT, a zero initial height becomes 1,
 * absent consensus params become the defaults, missing validator addresses are derived, and
 * a missing genesis time becomes now.
 */
export function parseGenesis(text: string): GenesisDoc {
  let j: Json;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new GenesisError(`genesis is not valid JSON: ${(e as Error).message}`);
  }
  if (j === null || typeof j !== 'object' || Array.isArray(j))
    throw new GenesisError('genesis must be a JSON object');
  const wrap = <T>(what: string, fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      if (e instanceof GenesisError) throw e;
      throw new GenesisError(`${what}: ${(e as Error).message}`);
    }
  };
  const chainId = j.chain_id;
  if (typeof chainId !== 'string' || chainId === '')
    throw new GenesisError('genesis doc must include non-empty chain_id');
  if (chainId.length > MAX_CHAIN_ID_LEN) {
    throw new GenesisError(`chain_id in genesis doc is too long (max: ${MAX_CHAIN_ID_LEN})`);
  }
  let initialHeight = j.initial_height === undefined ? 0n : int64Field(j.initial_height, 'initial_height');
  if (initialHeight < 0n) throw new GenesisError(`initial_height cannot be negative (got ${initialHeight})`);
  if (initialHeight === 0n) initialHeight = 1n;
  const genesisTime =
    j.genesis_time === undefined || j.genesis_time === null
      ? timestampFromDate(new Date())
      : wrap('genesis_time', () => parseRfc3339(j.genesis_time));
  let consensusParams: FullConsensusParams;
  if (j.consensus_params === undefined || j.consensus_params === null)
    consensusParams = defaultConsensusParams();
  else {
    consensusParams = wrap('consensus_params', () =>
      completeConsensusParams(consensusParamsFromJson(j.consensus_params)),
    );
    try {
      validateConsensusParams(consensusParams);
    } catch (e) {
      if (e instanceof ConsensusParamsError) throw new GenesisError(`consensus_params: ${e.message}`);
      throw e;
    }
  }
  if (j.validators !== undefined && j.validators !== null && !Array.isArray(j.validators)) {
    throw new GenesisError('validators must be an array');
  }
  const validators = ((j.validators ?? []) as Json[]).map((v, i): GenesisValidator => {
    const what = `validators[${i}]`;
    if (v === null || typeof v !== 'object') throw new GenesisError(`${what}: expected an object`);
    const pubKey = wrap(`${what}.pub_key`, () => publicKeyFromJson(v.pub_key));
    const problem = publicKeyProblem(pubKey);
    if (problem !== undefined) throw new GenesisError(`${what}.pub_key: ${problem}`);
    const power = int64Field(v.power, `${what}.power`);
    if (power === 0n)
      throw new GenesisError(`the genesis file cannot contain validators with no voting power: ${what}`);
    if (power < 0n) throw new GenesisError(`${what}.power cannot be negative`);
    const derived = addressFromPubKey(pubKey);
    const address = wrap(`${what}.address`, () => hexToBytes(v.address ?? '', 'address'));
    if (address.length > 0 && !bytesEqual(address, derived)) {
      throw new GenesisError(
        `incorrect address for validator ${what} in the genesis file, should be ${bytesToHex(derived)}`,
      );
    }
    if (v.name !== undefined && typeof v.name !== 'string')
      throw new GenesisError(`${what}.name must be a string`);
    return { address: derived, pubKey, power, name: v.name ?? '' };
  });
  const appHash = wrap('app_hash', () => hexToBytes(j.app_hash ?? '', 'app_hash'));
  const doc: GenesisDoc = {
    genesisTime: isZeroTime(genesisTime) ? timestampFromDate(new Date()) : genesisTime,
    chainId,
    initialHeight,
    consensusParams,
    validators,
    appHash,
  };
  const appState = topLevelMemberSpans(text).get('app_state');
  if (appState !== undefined) doc.appStateJson = appState;
  return doc;
}

/** genesis.json text, members in CometBFT's order, two-space indented. */
export function formatGenesis(doc: GenesisDoc): string {
  const MARK = '"__hearth_app_state__"';
  const j: Json = {
    genesis_time: formatRfc3339Nano(doc.genesisTime),
    chain_id: doc.chainId,
    initial_height: doc.initialHeight.toString(),
    consensus_params: consensusParamsToJson(doc.consensusParams),
    validators: doc.validators.map((v) => ({
      address: bytesToHex(v.address),
      pub_key: publicKeyToJson(v.pubKey),
      power: v.power.toString(),
      name: v.name,
    })),
    app_hash: bytesToHex(doc.appHash),
  };
  if (doc.appStateJson !== undefined) {
    try {
      JSON.parse(doc.appStateJson);
    } catch (e) {
      throw new GenesisError(`app_state is not valid JSON: ${(e as Error).message}`);
    }
    j.app_state = '__hearth_app_state__';
  }
  const text = JSON.stringify(j, null, 2);
  if (doc.appStateJson === undefined) return `${text}\n`;
  // app_state is the last member, so its marker is the last occurrence.
  const at = text.lastIndexOf(MARK);
  return `${text.slice(0, at)}${doc.appStateJson}${text.slice(at + MARK.length)}\n`;
}

export function readGenesisFile(path: string): GenesisDoc {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new NodeFileError(
      path,
      code === 'ENOENT' ? 'genesis file not found' : `cannot read genesis: ${(e as Error).message}`,
    );
  }
  try {
    return parseGenesis(text);
  } catch (e) {
    throw new NodeFileError(path, (e as Error).message);
  }
}

export function writeGenesisFile(path: string, doc: GenesisDoc): void {
  writeFileAtomicSync(path, formatGenesis(doc), 0o644);
}
