/** x/market's registered errors; never renumber or reuse a code. */
import { registerError } from '../../types/errors.js';
import { ModuleName } from './keys.js';

export const ErrDeploymentNotFound = registerError(ModuleName, 2, 'deployment not found');
export const ErrDeploymentExists = registerError(ModuleName, 3, 'deployment already exists');
export const ErrDeploymentClosed = registerError(ModuleName, 4, 'deployment closed');
export const ErrInvalidSpec = registerError(ModuleName, 5, 'invalid deployment spec');
export const ErrGroupNotFound = registerError(ModuleName, 6, 'group not found');
export const ErrGroupState = registerError(ModuleName, 7, 'group is not in the required state');
export const ErrOrderNotFound = registerError(ModuleName, 8, 'order not found');
export const ErrOrderNotOpen = registerError(ModuleName, 9, 'order is not open');
export const ErrBidNotFound = registerError(ModuleName, 10, 'bid not found');
export const ErrBidExists = registerError(ModuleName, 11, 'provider already bid on this order');
export const ErrBidState = registerError(ModuleName, 12, 'bid is not in the required state');
export const ErrPriceTooHigh = registerError(ModuleName, 13, 'bid price above the order price');
export const ErrBidDepositTooLow = registerError(ModuleName, 14, 'bid deposit below the minimum');
export const ErrTooManyBids = registerError(ModuleName, 15, 'order has the maximum number of open bids');
export const ErrRequirementsNotMet = registerError(
  ModuleName,
  16,
  'provider does not meet the placement requirements',
);
export const ErrLeaseNotFound = registerError(ModuleName, 17, 'lease not found');
export const ErrLeaseNotActive = registerError(ModuleName, 18, 'lease is not active');
export const ErrDepositTooLow = registerError(ModuleName, 19, 'deployment deposit below the minimum');
export const ErrInvalidDenom = registerError(ModuleName, 20, 'invalid denomination');
export const ErrInvalidParams = registerError(ModuleName, 21, 'invalid market params');
export const ErrInvalidCloseReason = registerError(ModuleName, 22, 'invalid lease close reason');
export const ErrInvalidPrice = registerError(ModuleName, 23, 'invalid price');
export const ErrEscrowOverdrawn = registerError(
  ModuleName,
  24,
  'deployment escrow is overdrawn; deposit first',
);
