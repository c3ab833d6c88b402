/** x/provider event types and attribute keys. */
export const EventTypeProviderCreated = 'provider_created';
export const EventTypeProviderUpdated = 'provider_updated';
export const EventTypeProviderDeleted = 'provider_deleted';
export const EventTypeProviderBonded = 'provider_bonded';
export const EventTypeProviderUnbonding = 'provider_unbonding';
export const EventTypeProviderUnbonded = 'provider_unbonded';
export const EventTypeProviderStatus = 'provider_status';
export const EventTypeAttributesSigned = 'provider_attributes_signed';
export const EventTypeAttributesDeleted = 'provider_attributes_deleted';
export const EventTypeHeartbeat = 'provider_heartbeat';
export const EventTypeProviderFault = 'provider_fault';
export const EventTypeProviderSlashed = 'provider_slashed';
export const EventTypeParamsUpdated = 'provider_params_updated';

export const AttrOwner = 'owner';
export const AttrAuditor = 'auditor';
export const AttrAmount = 'amount';
export const AttrStatus = 'status';
export const AttrPrevStatus = 'previous_status';
export const AttrHeight = 'height';
export const AttrCompletion = 'completion_height';
export const AttrJailedUntil = 'jailed_until';
export const AttrLeases = 'leases_closed';
export const AttrOwnerDseq = 'deployment';
