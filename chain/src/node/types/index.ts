/**
 * CometBFT v0.38 block data structures for Hearth's node: plain data types, byte-exact
 * protobuf codecs, the hashes a header commits to, canonical sign bytes, block parts and the
 * validator set. Everything that gossips, stores or signs a block goes through this module.
 */
export * from './crypto.js';
export * from './encoding.js';
export * from './errors.js';
export * from './hashes.js';
export * from './json.js';
export * from './merkle.js';
export * from './partSet.js';
export {
  encodeUvarint,
  INT32_MAX,
  INT32_MIN,
  INT64_MAX,
  INT64_MIN,
  lengthDelimited,
  MAX_DECODE_BYTES,
  ProtoReader,
  UINT32_MAX,
  UINT64_MAX,
} from './proto.js';
export * from './signBytes.js';
export * from './time.js';
export * from './types.js';
export * from './validate.js';
export * from './validatorSet.js';
