/**
 * JSON-RPC 2.0 errors as CometBFT v0.38 returns them (`rpc/jsonrpc/types/types.go`): a fixed
 * `message` per code and the cause as `data` text. Handlers throw `RpcError`; anything else a
 * handler throws becomes -32603 "Internal error" with the thrown message as `data`, which is
 * what CometBFT does with every error a route returns.
 */

export const ErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  ServerError: -32000,
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const MESSAGES: Record<number, string> = {
  [-32700]: 'Parse error',
  [-32600]: 'Invalid Request',
  [-32601]: 'Method not found',
  [-32602]: 'Invalid params',
  [-32603]: 'Internal error',
  [-32000]: 'Server error',
};

/** The `error` member of a JSON-RPC response. `data` is omitted when empty, as Go's omitempty. */
export interface RpcErrorObject {
  code: number;
  message: string;
  data?: string;
}

export class RpcError extends Error {
  override readonly name = 'RpcError';
  constructor(
    readonly code: ErrorCode,
    /** The `data` text: the cause, shown to the user. */
    readonly data: string = '',
  ) {
    super(data === '' ? (MESSAGES[code] ?? 'Error') : data);
  }

  toJson(): RpcErrorObject {
    const out: RpcErrorObject = { code: this.code, message: MESSAGES[this.code] ?? 'Error' };
    if (this.data !== '') out.data = this.data;
    return out;
  }
}

export const parseError = (data: string) => new RpcError(ErrorCode.ParseError, data);
export const invalidRequest = (data: string) => new RpcError(ErrorCode.InvalidRequest, data);
export const methodNotFound = () => new RpcError(ErrorCode.MethodNotFound);
export const invalidParams = (data: string) => new RpcError(ErrorCode.InvalidParams, data);
export const internalError = (data: string) => new RpcError(ErrorCode.InternalError, data);
export const serverError = (data: string) => new RpcError(ErrorCode.ServerError, data);

/** Any thrown value as an RpcError: RpcErrors pass through, the rest are internal errors. */
export function toRpcError(e: unknown): RpcError {
  if (e instanceof RpcError) return e;
  return internalError(e instanceof Error ? e.message : String(e));
}
