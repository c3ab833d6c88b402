/**
 * x/slashing event types and attribute keys (x/slashing/types/events.go). A jailing is reported
 * as the SDK does, by a `slash` event carrying a `jailed` attribute; `unjail` is Hearth's own
 * addition so that explorers need not decode messages to see it.
 */
export const EventTypeSlash = 'slash';
export const EventTypeLiveness = 'liveness';
export const EventTypeUnjail = 'unjail';

export const AttributeKeyAddress = 'address';
export const AttributeKeyHeight = 'height';
export const AttributeKeyPower = 'power';
export const AttributeKeyReason = 'reason';
export const AttributeKeyJailed = 'jailed';
export const AttributeKeyMissedBlocks = 'missed_blocks';
export const AttributeKeyBurnedCoins = 'burned_coins';
export const AttributeKeyValidator = 'validator';

export const AttributeValueDoubleSign = 'double_sign';
export const AttributeValueMissingSignature = 'missing_signature';
