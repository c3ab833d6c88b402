/**
 * p2p errors. The switch reads the class to decide what a failure means: a
 * `P2PProtocolError` is the remote's fault (bad crypto, malformed or oversize data, a lie
 * about its identity) and gets the peer banned; anything else (a reset socket, a timeout, an
 * incompatible but honest peer) only disconnects.
 */

export class P2PError extends Error {
  override name = 'P2PError';
}

/** The remote broke the protocol: disconnect and ban. */
export class P2PProtocolError extends P2PError {
  override name = 'P2PProtocolError';
}

/** The connection ended (closed, reset, timed out) without the remote misbehaving. */
export class P2PConnectionClosedError extends P2PError {
  override name = 'P2PConnectionClosedError';
}

/** An honest peer we cannot talk to: another chain, an incompatible version, no common channel. */
export class P2PIncompatiblePeerError extends P2PError {
  override name = 'P2PIncompatiblePeerError';
}

/** The dialled address answered with another node ID than the one we asked for. */
export class P2PUnexpectedPeerIdError extends P2PError {
  override name = 'P2PUnexpectedPeerIdError';
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`dialled peer ${expected} but the remote authenticated as ${actual}`);
  }
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
