/**
 * @hearth/sdk: Hearth's generated protobuf types, the CosmJS registry that knows them, typed
 * queries as a CosmJS QueryClient extension (`setupHearthExtension`), and address helpers.
 *
 * Generated types are exported twice, pick whichever reads better:
 * - per module and version: `marketV1.MsgUpdateParams`, `providerV1.Params`, ...
 * - by proto package, like cosmjs-types: `hearth.market.v1.MsgUpdateParams`.
 *
 * `cosmos.*` and `tendermint.*` types come from cosmjs-types. (sdk/src/generated also holds
 * ts-proto copies of Coin and PageRequest/PageResponse because Hearth's messages embed them;
 * they are wire- and shape-compatible with cosmjs-types' and deliberately not exported here.)
 */

export * from './address.js';
export * from './errors.js';
export * as escrowV1 from './generated/index.hearth.escrow.v1.js';
export * as marketV1 from './generated/index.hearth.market.v1.js';
export * as providerV1 from './generated/index.hearth.provider.v1.js';
export { hearth } from './generated/index.js';
export * from './queries.js';
export * from './registry.js';
export * from './services.js';
