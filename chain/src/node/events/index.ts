/**
 * Events: CometBFT's query language (parser and the pubsub / kv-indexer matchers) and the event
 * bus that websocket subscriptions read from.
 */
export * from './eventBus.js';
export * from './query.js';
