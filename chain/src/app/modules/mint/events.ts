/** x/mint event type and attribute keys (x/mint/types/events.go). */
export const EventTypeMint = 'mint';
export const AttributeKeyBondedRatio = 'bonded_ratio';
export const AttributeKeyInflation = 'inflation';
export const AttributeKeyAnnualProvisions = 'annual_provisions';
export const AttributeKeyAmount = 'amount';
