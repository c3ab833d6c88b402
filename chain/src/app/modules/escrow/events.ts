/** x/escrow event types and attribute keys. */
export const EventTypeAccountCreated = 'escrow_account_created';
export const EventTypeDeposit = 'escrow_deposit';
export const EventTypeSettled = 'escrow_settled';
export const EventTypeAccountOverdrawn = 'escrow_account_overdrawn';
export const EventTypeAccountRefilled = 'escrow_account_refilled';
export const EventTypeAccountClosed = 'escrow_account_closed';
export const EventTypeRefund = 'escrow_refund';
export const EventTypePaymentOpened = 'escrow_payment_opened';
export const EventTypePaymentClosed = 'escrow_payment_closed';
export const EventTypePaymentWithdrawn = 'escrow_payment_withdrawn';
export const EventTypeParamsUpdated = 'escrow_params_updated';

export const AttrOwner = 'owner';
export const AttrDseq = 'dseq';
export const AttrGseq = 'gseq';
export const AttrOseq = 'oseq';
export const AttrProvider = 'provider';
export const AttrDepositor = 'depositor';
export const AttrAmount = 'amount';
export const AttrTake = 'take';
export const AttrHeight = 'height';
export const AttrUnsettled = 'unsettled';
export const AttrState = 'state';
