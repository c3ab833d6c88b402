/** x/distribution event types and attribute keys (x/distribution/types/events.go). */
export const EventTypeSetWithdrawAddress = 'set_withdraw_address';
export const EventTypeRewards = 'rewards';
export const EventTypeCommission = 'commission';
export const EventTypeWithdrawRewards = 'withdraw_rewards';
export const EventTypeWithdrawCommission = 'withdraw_commission';

export const AttributeKeyWithdrawAddress = 'withdraw_address';
export const AttributeKeyValidator = 'validator';
export const AttributeKeyDelegator = 'delegator';
export const AttributeKeyAmount = 'amount';
