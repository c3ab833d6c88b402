/** x/provider's registered errors; never renumber or reuse a code. */
import { registerError } from '../../types/errors.js';
import { ModuleName } from './keys.js';

export const ErrProviderNotFound = registerError(ModuleName, 2, 'provider not found');
export const ErrProviderExists = registerError(ModuleName, 3, 'provider already exists');
export const ErrInvalidURI = registerError(ModuleName, 4, 'invalid provider URI');
export const ErrInvalidAttributes = registerError(ModuleName, 5, 'invalid attributes');
export const ErrInvalidInfo = registerError(ModuleName, 6, 'invalid provider info');
export const ErrProviderBusy = registerError(ModuleName, 7, 'provider has active leases or open bids');
export const ErrInvalidBond = registerError(ModuleName, 8, 'invalid bond amount');
export const ErrInsufficientBond = registerError(ModuleName, 9, 'insufficient provider bond');
export const ErrInvalidStatus = registerError(ModuleName, 10, 'invalid provider status transition');
export const ErrProviderJailed = registerError(ModuleName, 11, 'provider is jailed');
export const ErrProviderNotActive = registerError(ModuleName, 12, 'provider is not active');
export const ErrAuditNotFound = registerError(ModuleName, 13, 'no attributes signed by this auditor');
export const ErrInvalidParams = registerError(ModuleName, 14, 'invalid provider params');
export const ErrBondRemaining = registerError(ModuleName, 15, 'provider still has a bond');
