/** ABCI 2.0: the application interface and the CometBFT v0.38 socket transport. */
export { type AbciAddress, formatAbciAddress, parseAbciAddress } from './address.js';
export { ABCI_METHODS, type AbciMethod, type Application, BaseApplication } from './application.js';
export {
  dispatchRequest,
  type RequestKind,
  requestKind,
  responseKind,
  responseKindOf,
  UnknownRequestError,
} from './dispatch.js';
export { DEFAULT_MAX_MESSAGE_BYTES, encodeFrame, FrameDecoder, FrameError } from './framing.js';
export { type AbciLogger, silentLogger } from './logger.js';
export { AsyncMutex } from './mutex.js';
export {
  AbciConnectionError,
  AbciExceptionError,
  AbciSocketClient,
  type AbciSocketClientOptions,
} from './socketClient.js';
export { type AbciServer, type AbciServerOptions, startAbciServer } from './socketServer.js';
