/** x/market event types and attribute keys: every state change emits one. */
export const EventTypeDeploymentCreated = 'deployment_created';
export const EventTypeDeploymentUpdated = 'deployment_updated';
export const EventTypeDeploymentClosed = 'deployment_closed';
export const EventTypeGroupState = 'group_state_changed';
export const EventTypeOrderCreated = 'order_created';
export const EventTypeOrderClosed = 'order_closed';
export const EventTypeOrderState = 'order_state_changed';
export const EventTypeBidCreated = 'bid_created';
export const EventTypeBidState = 'bid_state_changed';
export const EventTypeLeaseCreated = 'lease_created';
export const EventTypeLeaseClosed = 'lease_closed';
export const EventTypeRefundFailed = 'bid_refund_failed';
export const EventTypeForfeit = 'bid_deposit_forfeited';
export const EventTypeParamsUpdated = 'market_params_updated';

export const AttrOwner = 'owner';
export const AttrDseq = 'dseq';
export const AttrGseq = 'gseq';
export const AttrOseq = 'oseq';
export const AttrProvider = 'provider';
export const AttrState = 'state';
export const AttrReason = 'reason';
export const AttrPrice = 'price';
export const AttrAmount = 'amount';
export const AttrManifestHash = 'manifest_hash';
