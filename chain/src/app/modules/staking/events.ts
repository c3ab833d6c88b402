/** x/staking event types and attribute keys (x/staking/types/events.go). */
export const EventTypeCompleteUnbonding = 'complete_unbonding';
export const EventTypeCompleteRedelegation = 'complete_redelegation';
export const EventTypeCreateValidator = 'create_validator';
export const EventTypeEditValidator = 'edit_validator';
export const EventTypeDelegate = 'delegate';
export const EventTypeUnbond = 'unbond';
export const EventTypeCancelUnbondingDelegation = 'cancel_unbonding_delegation';
export const EventTypeRedelegate = 'redelegate';

export const AttributeKeyValidator = 'validator';
export const AttributeKeyCommissionRate = 'commission_rate';
export const AttributeKeySrcValidator = 'source_validator';
export const AttributeKeyDstValidator = 'destination_validator';
export const AttributeKeyDelegator = 'delegator';
export const AttributeKeyCreationHeight = 'creation_height';
export const AttributeKeyCompletionTime = 'completion_time';
export const AttributeKeyNewShares = 'new_shares';
export const AttributeKeyMinSelfDelegation = 'min_self_delegation';
export const AttributeKeyAmount = 'amount';

/** RFC 3339 with second precision in UTC, as Go's time.RFC3339 prints a UTC time. */
export function rfc3339(ns: bigint): string {
  const sec = ns / 1_000_000_000n;
  return `${new Date(Number(sec) * 1000).toISOString().slice(0, 19)}Z`;
}
