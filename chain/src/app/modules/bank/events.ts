/** x/bank event types and attribute keys (x/bank/types/events.go). */
export const EventTypeTransfer = 'transfer';
export const EventTypeCoinSpent = 'coin_spent';
export const EventTypeCoinReceived = 'coin_received';
export const EventTypeCoinMint = 'coinbase';
export const EventTypeCoinBurn = 'burn';

export const AttributeKeyRecipient = 'recipient';
export const AttributeKeySender = 'sender';
export const AttributeKeyAmount = 'amount';
export const AttributeKeySpender = 'spender';
export const AttributeKeyReceiver = 'receiver';
export const AttributeKeyMinter = 'minter';
export const AttributeKeyBurner = 'burner';
