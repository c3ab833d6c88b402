/**
 * The node's CometBFT v0.38-compatible RPC: JSON-RPC 2.0 over HTTP and websocket, URI GET,
 * event subscriptions, and the Prometheus metrics server. The node implements `RpcBackend`.
 */
export * from './backend.js';
export * from './encode.js';
export * from './errors.js';
export * from './jsonText.js';
export * from './metrics.js';
export * from './params.js';
export { checkHeight, filterMinMax, MAX_QUERY_LENGTH, ROUTES, type Route } from './routes.js';
export { type RpcLogger, type RpcServer, type RpcServerOptions, startRpcServer } from './server.js';
