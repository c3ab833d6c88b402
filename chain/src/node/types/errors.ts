/**
 * Errors raised by the CometBFT data-structure module. Every failure on untrusted input
 * (bytes from a peer, JSON from an RPC, a commit to verify) is one of these, never a
 * TypeError or RangeError escaping from deep inside a codec.
 */

/** Malformed protobuf or JSON: truncated, wrong wire type, out-of-range value, oversized. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
}

/** Well-formed data that breaks a rule of the type (a hash of 31 bytes, a negative power). */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
}

/** A commit that does not prove what it is asked to prove. */
export class InvalidCommitError extends Error {
  override readonly name: string = 'InvalidCommitError';
}

/** A commit whose valid signatures add up to no more than 2/3 of the voting power. */
export class NotEnoughVotingPowerError extends InvalidCommitError {
  override readonly name = 'NotEnoughVotingPowerError';
  constructor(
    readonly got: bigint,
    readonly needed: bigint,
  ) {
    super(`invalid commit -- insufficient voting power: got ${got}, needed more than ${needed}`);
  }
}
