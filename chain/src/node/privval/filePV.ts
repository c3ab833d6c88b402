/**
 * A file-based private validator, following CometBFT v0.38 privval/file.go.
 *
 * Two files, in CometBFT's layouts:
 * - `config/priv_validator_key.json`: `{address, pub_key, priv_key}` (mode 0600);
 * - `data/priv_validator_state.json`: the last signed height/round/step with the sign bytes
 *   and signature, so a restarted node can tell a repeat from a conflict.
 *
 * Double-sign protection: a request for an earlier (height, round, step) is refused; for the
 * same HRS, identical sign bytes get the stored signature back, sign bytes that differ only in
 * the timestamp get the stored signature and the stored timestamp, anything else is refused
 * with "conflicting data". A new signature is returned only after the new state is written
 * with write-temp + fsync + rename + fsync(dir), so a crash can never lose a signature that
 * left the process. Like CometBFT, the vote-extension signature of a non-nil precommit is
 * produced afresh each time (extensions are not deterministic and not slashable).
 */
import { dirname } from 'node:path';
import {
  ensureDir,
  fileExists,
  formatJson,
  NodeFileError,
  readJsonFile,
  writeFileAtomicSync,
} from '../config/files.js';
import {
  addressFromPubKey,
  bytesToHex,
  decodeTimestamp,
  isZeroBlockId,
  type Proposal,
  proposalSignBytes,
  SignedMsgType,
  type Timestamp,
  type Vote,
  voteExtensionSignBytes,
  voteSignBytes,
} from '../types/index.js';
import { Ed25519PrivateKey } from './ed25519.js';

export const STEP_NONE = 0;
export const STEP_PROPOSE = 1;
export const STEP_PREVOTE = 2;
export const STEP_PRECOMMIT = 3;

/** A refused signing request (regression or conflicting data); nothing was signed. */
export class PrivvalError extends Error {
  override readonly name = 'PrivvalError';
}

/** FilePVLastSignState: what was signed last. */
export interface LastSignState {
  height: bigint;
  round: number;
  step: number;
  /** Empty until something has been signed. */
  signature: Uint8Array;
  signBytes: Uint8Array;
}

export function emptyLastSignState(): LastSignState {
  return {
    height: 0n,
    round: 0,
    step: STEP_NONE,
    signature: new Uint8Array(0),
    signBytes: new Uint8Array(0),
  };
}

const KEY_TYPE_PUB = 'tendermint/PubKeyEd25519';
const KEY_TYPE_PRIV = 'tendermint/PrivKeyEd25519';

// biome-ignore lint/suspicious/noExplicitAny: JSON from disk is untyped until checked.
type Json = any;

function b64(s: unknown, path: string, what: string): Uint8Array {
  if (typeof s !== 'string' || s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) {
    throw new NodeFileError(path, `${what} must be a base64 string`);
  }
  return new Uint8Array(Buffer.from(s, 'base64'));
}

function hexBytes(s: unknown, path: string, what: string): Uint8Array {
  if (typeof s !== 'string' || s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) {
    throw new NodeFileError(path, `${what} must be a hex string`);
  }
  return new Uint8Array(Buffer.from(s, 'hex'));
}

/** The JSON of priv_validator_key.json (also used by `hearth init`). */
export function privValidatorKeyToJson(key: Ed25519PrivateKey): Json {
  return {
    address: bytesToHex(addressFromPubKey(key.pubKey())),
    pub_key: { type: KEY_TYPE_PUB, value: Buffer.from(key.publicKey).toString('base64') },
    priv_key: { type: KEY_TYPE_PRIV, value: Buffer.from(key.toBytes()).toString('base64') },
  };
}

/** Parses priv_validator_key.json content; address and pub_key must agree with the private key. */
export function privValidatorKeyFromJson(j: Json, path = 'priv_validator_key.json'): Ed25519PrivateKey {
  if (j === null || typeof j !== 'object') throw new NodeFileError(path, 'expected a JSON object');
  const priv = j.priv_key;
  if (priv === null || typeof priv !== 'object') throw new NodeFileError(path, 'priv_key is missing');
  if (priv.type !== KEY_TYPE_PRIV) {
    throw new NodeFileError(
      path,
      `unsupported priv_key type ${JSON.stringify(priv.type)}; want ${KEY_TYPE_PRIV}`,
    );
  }
  let key: Ed25519PrivateKey;
  try {
    key = Ed25519PrivateKey.fromBytes(b64(priv.value, path, 'priv_key.value'));
  } catch (e) {
    if (e instanceof NodeFileError) throw e;
    throw new NodeFileError(path, (e as Error).message);
  }
  if (j.pub_key !== undefined) {
    if (j.pub_key?.type !== KEY_TYPE_PUB)
      throw new NodeFileError(path, `pub_key type must be ${KEY_TYPE_PUB}`);
    const pub = b64(j.pub_key.value, path, 'pub_key.value');
    if (!Buffer.from(pub).equals(Buffer.from(key.publicKey))) {
      throw new NodeFileError(path, 'pub_key does not match priv_key');
    }
  }
  if (j.address !== undefined) {
    const addr = hexBytes(j.address, path, 'address');
    if (!Buffer.from(addr).equals(Buffer.from(addressFromPubKey(key.pubKey())))) {
      throw new NodeFileError(path, 'address does not match the key');
    }
  }
  return key;
}

/** The JSON of priv_validator_state.json: int64 as a string, signature base64, sign bytes hex. */
export function lastSignStateToJson(s: LastSignState): Json {
  const out: Json = { height: s.height.toString(), round: s.round, step: s.step };
  if (s.signature.length > 0) out.signature = Buffer.from(s.signature).toString('base64');
  if (s.signBytes.length > 0) out.signbytes = bytesToHex(s.signBytes);
  return out;
}

export function lastSignStateFromJson(j: Json, path = 'priv_validator_state.json'): LastSignState {
  if (j === null || typeof j !== 'object' || Array.isArray(j))
    throw new NodeFileError(path, 'expected a JSON object');
  const h = j.height;
  if (!(typeof h === 'string' && /^[0-9]+$/.test(h)) && !(typeof h === 'number' && Number.isSafeInteger(h))) {
    throw new NodeFileError(path, `height must be a decimal string, got ${JSON.stringify(h)}`);
  }
  const height = BigInt(h);
  if (height < 0n || height >= 1n << 63n) throw new NodeFileError(path, `height ${h} out of range`);
  const round = j.round;
  if (!Number.isInteger(round) || round < 0 || round > 0x7fffffff) {
    throw new NodeFileError(path, `round must be a non-negative int32, got ${JSON.stringify(round)}`);
  }
  const step = j.step;
  if (!Number.isInteger(step) || step < STEP_NONE || step > STEP_PRECOMMIT) {
    throw new NodeFileError(path, `step must be 0..3, got ${JSON.stringify(step)}`);
  }
  const signature = j.signature == null ? new Uint8Array(0) : b64(j.signature, path, 'signature');
  const signBytes = j.signbytes == null ? new Uint8Array(0) : hexBytes(j.signbytes, path, 'signbytes');
  if (signBytes.length > 0 && signature.length === 0) {
    throw new NodeFileError(path, 'signbytes present without a signature (corrupt state)');
  }
  return { height, round, step, signature, signBytes };
}

/** The step a vote occupies (voteToStep). */
export function voteStep(vote: Vote): number {
  if (vote.type === SignedMsgType.Prevote) return STEP_PREVOTE;
  if (vote.type === SignedMsgType.Precommit) return STEP_PRECOMMIT;
  throw new PrivvalError(`cannot sign a vote of type ${vote.type}`);
}

/**
 * CheckHRS: throws on a regression; returns true when this exact HRS was signed already (the
 * stored signature must then be reused or the request refused).
 */
export function checkHRS(lss: LastSignState, height: bigint, round: number, step: number): boolean {
  if (lss.height > height)
    throw new PrivvalError(`height regression. Got ${height}, last height ${lss.height}`);
  if (lss.height === height) {
    if (lss.round > round) {
      throw new PrivvalError(`round regression at height ${height}. Got ${round}, last round ${lss.round}`);
    }
    if (lss.round === round) {
      if (lss.step > step) {
        throw new PrivvalError(
          `step regression at height ${height} round ${round}. Got ${step}, last step ${lss.step}`,
        );
      }
      if (lss.step === step) {
        if (lss.signBytes.length > 0) {
          if (lss.signature.length === 0)
            throw new PrivvalError('pv: Signature is nil but SignBytes is not!');
          return true;
        }
        throw new PrivvalError('no SignBytes found');
      }
    }
  }
  return false;
}

/**
 * Splits length-prefixed canonical sign bytes into (everything but field `timestampField`,
 * the timestamp). The encoder is deterministic, so comparing the remainders byte for byte is
 * the same as CometBFT's proto.Equal on the canonical messages with the time blanked.
 */
export function splitTimestamp(
  signBytes: Uint8Array,
  timestampField: number,
): { rest: Uint8Array; timestamp: Timestamp } | undefined {
  let pos = 0;
  const varint = (): number | undefined => {
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      const b = signBytes[pos++];
      if (b === undefined) return undefined;
      v += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return v;
      mul *= 128;
    }
    return undefined;
  };
  const len = varint();
  if (len === undefined || pos + len !== signBytes.length) return undefined;
  const kept: Uint8Array[] = [];
  let timestamp: Timestamp | undefined;
  while (pos < signBytes.length) {
    const start = pos;
    const tag = varint();
    if (tag === undefined) return undefined;
    const wire = tag % 8;
    const field = Math.floor(tag / 8);
    let payloadStart = -1;
    if (wire === 0) {
      if (varint() === undefined) return undefined;
    } else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      const l = varint();
      if (l === undefined) return undefined;
      payloadStart = pos;
      pos += l;
    } else return undefined;
    if (pos > signBytes.length) return undefined;
    if (field === timestampField && payloadStart >= 0) {
      try {
        timestamp = decodeTimestamp(signBytes.subarray(payloadStart, pos));
      } catch {
        return undefined;
      }
    } else kept.push(signBytes.subarray(start, pos));
  }
  if (timestamp === undefined) return undefined;
  return { rest: Buffer.concat(kept), timestamp };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}

export interface FilePVPaths {
  keyFile: string;
  stateFile: string;
}

export class FilePV {
  private lss: LastSignState;

  private constructor(
    readonly key: Ed25519PrivateKey,
    readonly paths: FilePVPaths,
    lss: LastSignState,
  ) {
    this.lss = lss;
  }

  /** GenFilePV: a fresh key with an empty sign state; nothing is written until save(). */
  static generate(paths: FilePVPaths, key: Ed25519PrivateKey = Ed25519PrivateKey.generate()): FilePV {
    return new FilePV(key, paths, emptyLastSignState());
  }

  /** LoadFilePV: both files must exist and be valid. */
  static load(paths: FilePVPaths): FilePV {
    const key = privValidatorKeyFromJson(readJsonFile(paths.keyFile, 'priv validator key'), paths.keyFile);
    const lss = lastSignStateFromJson(readJsonFile(paths.stateFile, 'priv validator state'), paths.stateFile);
    return new FilePV(key, paths, lss);
  }

  /**
   * LoadOrGenFilePV: loads, or generates and saves when the key file does not exist. A key
   * without its state file is refused: silently starting from an empty state could double-sign.
   */
  static loadOrGenerate(paths: FilePVPaths): FilePV {
    if (fileExists(paths.keyFile)) return FilePV.load(paths);
    if (fileExists(paths.stateFile)) {
      throw new NodeFileError(
        paths.keyFile,
        'key file missing while a sign state exists; refusing to make a new key',
      );
    }
    const pv = FilePV.generate(paths);
    pv.save();
    return pv;
  }

  get address(): Uint8Array {
    return addressFromPubKey(this.key.pubKey());
  }

  get pubKey() {
    return this.key.pubKey();
  }

  /** A copy of the last sign state. */
  get lastSignState(): LastSignState {
    return {
      ...this.lss,
      signature: Uint8Array.from(this.lss.signature),
      signBytes: Uint8Array.from(this.lss.signBytes),
    };
  }

  /** Writes both files (the key with mode 0600), creating their directories. */
  save(): void {
    ensureDir(dirname(this.paths.keyFile));
    ensureDir(dirname(this.paths.stateFile));
    writeFileAtomicSync(this.paths.keyFile, `${formatJson(privValidatorKeyToJson(this.key))}\n`, 0o600);
    this.saveState(this.lss);
  }

  private saveState(lss: LastSignState): void {
    writeFileAtomicSync(this.paths.stateFile, `${formatJson(lastSignStateToJson(lss))}\n`, 0o600);
  }

  /**
   * SignVote: returns the vote with `signature` (and, for a non-nil precommit,
   * `extensionSignature`) set; the timestamp may be replaced by the one signed earlier for
   * the same HRS. Throws PrivvalError when signing would be unsafe.
   */
  signVote(chainId: string, vote: Vote): Vote {
    const step = voteStep(vote);
    const sameHRS = checkHRS(this.lss, vote.height, vote.round, step);
    const signBytes = voteSignBytes(chainId, vote);
    let extensionSignature: Uint8Array = new Uint8Array(0);
    if (vote.type === SignedMsgType.Precommit && !isZeroBlockId(vote.blockId)) {
      extensionSignature = this.key.sign(voteExtensionSignBytes(chainId, vote));
    } else if (vote.extension.length > 0) {
      throw new PrivvalError('unexpected vote extension - extensions are only allowed in non-nil precommits');
    }
    if (sameHRS) {
      const reused = this.reuse(signBytes, 5);
      return { ...vote, ...reused, extensionSignature };
    }
    const signature = this.key.sign(signBytes);
    this.commitSigned(vote.height, vote.round, step, signBytes, signature);
    return { ...vote, signature, extensionSignature };
  }

  /** SignProposal: as signVote, for the propose step. */
  signProposal(chainId: string, proposal: Proposal): Proposal {
    const sameHRS = checkHRS(this.lss, proposal.height, proposal.round, STEP_PROPOSE);
    const signBytes = proposalSignBytes(chainId, proposal);
    if (sameHRS) return { ...proposal, ...this.reuse(signBytes, 6) };
    const signature = this.key.sign(signBytes);
    this.commitSigned(proposal.height, proposal.round, STEP_PROPOSE, signBytes, signature);
    return { ...proposal, signature };
  }

  /** Signs arbitrary bytes with no double-sign protection (for p2p handshakes and the like, never votes). */
  signRaw(message: Uint8Array): Uint8Array {
    return this.key.sign(message);
  }

  private reuse(
    signBytes: Uint8Array,
    timestampField: number,
  ): { signature: Uint8Array; timestamp?: Timestamp } {
    if (sameBytes(signBytes, this.lss.signBytes)) return { signature: Uint8Array.from(this.lss.signature) };
    const last = splitTimestamp(this.lss.signBytes, timestampField);
    const next = splitTimestamp(signBytes, timestampField);
    if (last !== undefined && next !== undefined && sameBytes(last.rest, next.rest)) {
      return { signature: Uint8Array.from(this.lss.signature), timestamp: last.timestamp };
    }
    throw new PrivvalError('conflicting data');
  }

  // The state is on disk before the caller sees the signature; memory follows the disk.
  private commitSigned(
    height: bigint,
    round: number,
    step: number,
    signBytes: Uint8Array,
    signature: Uint8Array,
  ) {
    const next: LastSignState = { height, round, step, signBytes, signature };
    this.saveState(next);
    this.lss = next;
  }
}
