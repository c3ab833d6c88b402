/**
 * Strict decoding of `cosmos.tx.v1beta1` transactions. Before the generated decoders see the
 * bytes, a wire-level pass checks the envelope (TxRaw, TxBody, AuthInfo and everything inside)
 * against the fields this chain knows, as the SDK's unknownproto package does: an unknown field
 * is rejected unless it is a non-critical TxBody extension (field number with bit 11 set).
 * cosmjs-types' readers are used for the decoding itself; they are correct for 64-bit values.
 */
import { BinaryReader } from 'cosmjs-types/binary';
import { AuthInfo, TxBody, TxRaw } from 'cosmjs-types/cosmos/tx/v1beta1/tx';
import { decodeProto, readerOf } from '../../codec/protoReader.js';
import {
  ErrTooManySignatures,
  ErrTxDecode,
  ErrTxTooLarge,
  ErrUnknownExtensionOptions,
} from '../types/errors.js';

export interface DecodedTx {
  raw: TxRaw;
  body: TxBody;
  authInfo: AuthInfo;
  /** The exact bytes the tx arrived as (what its hash is taken over). */
  bytes: Uint8Array;
}

export interface TxLimits {
  maxTxBytes: number;
  maxMsgs: number;
  maxSignatures: number;
}

enum Wire {
  Varint = 0,
  Fixed64 = 1,
  Bytes = 2,
  Fixed32 = 5,
}

/** A message schema: field number -> wire type and, for embedded messages, their schema. */
interface Schema {
  name: string;
  fields: Record<number, { wire: Wire; msg?: () => Schema }>;
  /** Unknown fields with the non-critical bit (1024) set are skipped rather than refused. */
  allowNonCritical?: boolean;
}

const anySchema: Schema = { name: 'Any', fields: { 1: { wire: Wire.Bytes }, 2: { wire: Wire.Bytes } } };
const coinSchema: Schema = { name: 'Coin', fields: { 1: { wire: Wire.Bytes }, 2: { wire: Wire.Bytes } } };
const compactBitArraySchema: Schema = {
  name: 'CompactBitArray',
  fields: { 1: { wire: Wire.Varint }, 2: { wire: Wire.Bytes } },
};
const modeInfoSingleSchema: Schema = { name: 'ModeInfo.Single', fields: { 1: { wire: Wire.Varint } } };
const modeInfoMultiSchema: Schema = {
  name: 'ModeInfo.Multi',
  fields: {
    1: { wire: Wire.Bytes, msg: () => compactBitArraySchema },
    2: { wire: Wire.Bytes, msg: () => modeInfoSchema },
  },
};
const modeInfoSchema: Schema = {
  name: 'ModeInfo',
  fields: {
    1: { wire: Wire.Bytes, msg: () => modeInfoSingleSchema },
    2: { wire: Wire.Bytes, msg: () => modeInfoMultiSchema },
  },
};
const signerInfoSchema: Schema = {
  name: 'SignerInfo',
  fields: {
    1: { wire: Wire.Bytes, msg: () => anySchema },
    2: { wire: Wire.Bytes, msg: () => modeInfoSchema },
    3: { wire: Wire.Varint },
  },
};
const feeSchema: Schema = {
  name: 'Fee',
  fields: {
    1: { wire: Wire.Bytes, msg: () => coinSchema },
    2: { wire: Wire.Varint },
    3: { wire: Wire.Bytes },
    4: { wire: Wire.Bytes },
  },
};
const tipSchema: Schema = {
  name: 'Tip',
  fields: { 1: { wire: Wire.Bytes, msg: () => coinSchema }, 2: { wire: Wire.Bytes } },
};
const authInfoSchema: Schema = {
  name: 'AuthInfo',
  fields: {
    1: { wire: Wire.Bytes, msg: () => signerInfoSchema },
    2: { wire: Wire.Bytes, msg: () => feeSchema },
    3: { wire: Wire.Bytes, msg: () => tipSchema },
  },
};
const txBodySchema: Schema = {
  name: 'TxBody',
  allowNonCritical: true,
  fields: {
    1: { wire: Wire.Bytes, msg: () => anySchema },
    2: { wire: Wire.Bytes },
    3: { wire: Wire.Varint },
    4: { wire: Wire.Varint },
    5: { wire: Wire.Bytes },
    1023: { wire: Wire.Bytes, msg: () => anySchema },
    2047: { wire: Wire.Bytes, msg: () => anySchema },
  },
};
const txRawSchema: Schema = {
  name: 'TxRaw',
  fields: { 1: { wire: Wire.Bytes }, 2: { wire: Wire.Bytes }, 3: { wire: Wire.Bytes } },
};

const MAX_DEPTH = 8;

/** Walk `bytes` as a message of `schema`, throwing ErrTxDecode for anything it does not know. */
function checkFields(bytes: Uint8Array, schema: Schema, depth = 0): void {
  if (depth > MAX_DEPTH) throw ErrTxDecode.wrap(`${schema.name}: nesting too deep`);
  const r = readerOf(bytes);
  while (r.pos < r.len) {
    let fieldNo: number;
    let wire: number;
    try {
      [fieldNo, wire] = r.tag();
    } catch {
      throw ErrTxDecode.wrap(`${schema.name}: malformed field tag`);
    }
    const known = schema.fields[fieldNo];
    if (!known) {
      const nonCritical = (fieldNo & 1024) !== 0;
      if (!(nonCritical && schema.allowNonCritical)) {
        throw ErrTxDecode.wrap(`${schema.name}: unknown field ${fieldNo} (wire type ${wire})`);
      }
    } else if (known.wire !== wire) {
      throw ErrTxDecode.wrap(
        `${schema.name}: field ${fieldNo} has wire type ${wire}, expected ${known.wire}`,
      );
    }
    const start = r.pos;
    try {
      if (wire === Wire.Bytes) {
        const len = r.uint32();
        if (r.pos + len > r.len) throw new Error('truncated');
        const inner = bytes.subarray(r.pos, r.pos + len);
        r.pos += len;
        if (known?.msg) checkFields(inner, known.msg(), depth + 1);
      } else {
        r.skipType(wire);
      }
    } catch (e) {
      if (e instanceof Error && e.name === 'SdkError') throw e;
      throw ErrTxDecode.wrap(`${schema.name}: truncated field ${fieldNo} at byte ${start}`);
    }
    if (r.pos > r.len) throw ErrTxDecode.wrap(`${schema.name}: truncated`);
  }
}

export function decodeTx(bytes: Uint8Array, limits: TxLimits): DecodedTx {
  if (bytes.length === 0) throw ErrTxDecode.wrap('empty tx');
  if (bytes.length > limits.maxTxBytes) {
    throw ErrTxTooLarge.wrap(`tx of ${bytes.length} bytes exceeds the limit of ${limits.maxTxBytes}`);
  }
  checkFields(bytes, txRawSchema);
  let raw: TxRaw;
  try {
    raw = decodeProto(TxRaw, bytes);
  } catch {
    throw ErrTxDecode.wrap('invalid TxRaw');
  }
  checkFields(raw.bodyBytes, txBodySchema);
  checkFields(raw.authInfoBytes, authInfoSchema);
  let body: TxBody;
  let authInfo: AuthInfo;
  try {
    body = decodeProto(TxBody, raw.bodyBytes);
    authInfo = decodeProto(AuthInfo, raw.authInfoBytes);
  } catch {
    throw ErrTxDecode.wrap('invalid TxBody or AuthInfo');
  }
  if (body.extensionOptions.length > 0) {
    throw ErrUnknownExtensionOptions.wrap('this chain accepts no extension options');
  }
  if (body.unordered || body.timeoutTimestamp !== undefined) {
    throw ErrTxDecode.wrap('unordered transactions and timeout timestamps are not supported');
  }
  if (body.messages.length === 0) throw ErrTxDecode.wrap('must contain at least one message');
  if (body.messages.length > limits.maxMsgs) {
    throw ErrTxDecode.wrap(`too many messages: ${body.messages.length} > ${limits.maxMsgs}`);
  }
  if (raw.signatures.length > limits.maxSignatures || authInfo.signerInfos.length > limits.maxSignatures) {
    throw ErrTooManySignatures.wrap(`signatures: ${raw.signatures.length}, limit: ${limits.maxSignatures}`);
  }
  if (authInfo.fee === undefined) throw ErrTxDecode.wrap('missing fee');
  if (authInfo.tip !== undefined && authInfo.tip.amount.length > 0) {
    throw ErrTxDecode.wrap('tips are not supported');
  }
  return { raw, body, authInfo, bytes };
}
