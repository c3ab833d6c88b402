/**
 * Registered errors with stable (codespace, code) pairs, as the Cosmos SDK's `errors.Register`.
 * A code, once released, is never reused or renumbered: clients match on it.
 */

export class SdkError extends Error {
  constructor(
    readonly codespace: string,
    readonly code: number,
    readonly description: string,
    readonly detail?: string,
  ) {
    super([detail, description].filter(Boolean).join(': '));
    this.name = 'SdkError';
  }

  /** A new error of the same kind with a more specific message ("<detail>: <description>"). */
  wrap(detail: string): SdkError {
    return new SdkError(this.codespace, this.code, this.description, detail);
  }

  is(other: SdkError): boolean {
    return this.codespace === other.codespace && this.code === other.code;
  }
}

const registered = new Map<string, SdkError>();

export function registerError(codespace: string, code: number, description: string): SdkError {
  const id = `${codespace}/${code}`;
  if (code <= 1 && codespace !== UNDEFINED_CODESPACE) {
    throw new Error(`error code ${id} is reserved`);
  }
  if (registered.has(id)) throw new Error(`error ${id} is already registered`);
  const err = new SdkError(codespace, code, description);
  registered.set(id, err);
  return err;
}

export function registeredErrors(): SdkError[] {
  return [...registered.values()];
}

export const UNDEFINED_CODESPACE = 'undefined';
/** Anything unexpected (a bug, not bad input) is reported as this, with no internal detail. */
export const ErrInternal = registerError(UNDEFINED_CODESPACE, 1, 'internal');

// The Cosmos SDK's root errors (types/errors/errors.go), same codes and texts.
const sdk = 'sdk';
export const ErrTxDecode = registerError(sdk, 2, 'tx parse error');
export const ErrInvalidSequence = registerError(sdk, 3, 'invalid sequence');
export const ErrUnauthorized = registerError(sdk, 4, 'unauthorized');
export const ErrInsufficientFunds = registerError(sdk, 5, 'insufficient funds');
export const ErrUnknownRequest = registerError(sdk, 6, 'unknown request');
export const ErrInvalidAddress = registerError(sdk, 7, 'invalid address');
export const ErrInvalidPubKey = registerError(sdk, 8, 'invalid pubkey');
export const ErrUnknownAddress = registerError(sdk, 9, 'unknown address');
export const ErrInvalidCoins = registerError(sdk, 10, 'invalid coins');
export const ErrOutOfGas = registerError(sdk, 11, 'out of gas');
export const ErrMemoTooLarge = registerError(sdk, 12, 'memo too large');
export const ErrInsufficientFee = registerError(sdk, 13, 'insufficient fee');
export const ErrTooManySignatures = registerError(sdk, 14, 'maximum number of signatures exceeded');
export const ErrNoSignatures = registerError(sdk, 15, 'no signatures supplied');
export const ErrJSONMarshal = registerError(sdk, 16, 'failed to marshal JSON bytes');
export const ErrJSONUnmarshal = registerError(sdk, 17, 'failed to unmarshal JSON bytes');
export const ErrInvalidRequest = registerError(sdk, 18, 'invalid request');
export const ErrTxInMempoolCache = registerError(sdk, 19, 'tx already in mempool');
export const ErrMempoolIsFull = registerError(sdk, 20, 'mempool is full');
export const ErrTxTooLarge = registerError(sdk, 21, 'tx too large');
export const ErrKeyNotFound = registerError(sdk, 22, 'key not found');
export const ErrWrongPassword = registerError(sdk, 23, 'invalid account password');
export const ErrInvalidSigner = registerError(sdk, 24, 'tx intended signer does not match the given signer');
export const ErrInvalidGasAdjustment = registerError(sdk, 25, 'invalid gas adjustment');
export const ErrInvalidHeight = registerError(sdk, 26, 'invalid height');
export const ErrInvalidVersion = registerError(sdk, 27, 'invalid version');
export const ErrInvalidChainID = registerError(sdk, 28, 'invalid chain-id');
export const ErrInvalidType = registerError(sdk, 29, 'invalid type');
export const ErrTxTimeoutHeight = registerError(sdk, 30, 'tx timeout height');
export const ErrUnknownExtensionOptions = registerError(sdk, 31, 'unknown extension options');
export const ErrWrongSequence = registerError(sdk, 32, 'incorrect account sequence');
export const ErrPackAny = registerError(sdk, 33, 'failed packing protobuf message to Any');
export const ErrUnpackAny = registerError(sdk, 34, 'failed unpacking protobuf message from Any');
export const ErrLogic = registerError(sdk, 35, 'internal logic error');
export const ErrConflict = registerError(sdk, 36, 'conflict');
export const ErrNotSupported = registerError(sdk, 37, 'feature not supported');
export const ErrNotFound = registerError(sdk, 38, 'not found');
export const ErrIO = registerError(sdk, 39, 'Internal IO error');
export const ErrAppConfig = registerError(sdk, 40, 'error in app.toml');
export const ErrInvalidGasLimit = registerError(sdk, 41, 'invalid gas limit');

/** Turn anything thrown into a registered error; unexpected ones become ErrInternal. */
export function toSdkError(e: unknown): SdkError {
  if (e instanceof SdkError) return e;
  return ErrInternal;
}

/**
 * gRPC status codes as the SDK's gRPC-over-ABCI router reports them: CosmJS looks for
 * "rpc error: code = NotFound" in the log to tell a missing account from a failure.
 */
export type GrpcCode = 'NotFound' | 'InvalidArgument' | 'Unimplemented' | 'Internal';

export class QueryError extends Error {
  constructor(
    readonly grpcCode: GrpcCode,
    readonly detail: string,
    readonly sdkError: SdkError,
  ) {
    super(`rpc error: code = ${grpcCode} desc = ${detail}`);
    this.name = 'QueryError';
  }
}

export const notFound = (detail: string) =>
  new QueryError('NotFound', `${detail}: key not found`, ErrKeyNotFound);
export const invalidArgument = (detail: string) =>
  new QueryError('InvalidArgument', detail, ErrInvalidRequest);
