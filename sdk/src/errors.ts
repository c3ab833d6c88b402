/**
 * The one error base of the SDK (viem style): a short message for people, details for logs,
 * hints in `metaMessages`, and the original error in `cause`.
 */
export interface BaseErrorParameters {
  details?: string;
  metaMessages?: string[];
  cause?: unknown;
}

export class BaseError extends Error {
  override name = 'HearthSdkError';
  readonly shortMessage: string;
  readonly details: string | undefined;
  readonly metaMessages: string[];

  constructor(shortMessage: string, params: BaseErrorParameters = {}) {
    const lines = [shortMessage, ...(params.metaMessages ?? [])];
    if (params.details) lines.push(`Details: ${params.details}`);
    super(lines.join('\n'), params.cause === undefined ? undefined : { cause: params.cause });
    this.shortMessage = shortMessage;
    this.details = params.details;
    this.metaMessages = params.metaMessages ?? [];
  }
}

/** A bech32 address (or a public key meant to become one) was malformed or had the wrong prefix. */
export class InvalidAddressError extends BaseError {
  override name = 'InvalidAddressError';
}
