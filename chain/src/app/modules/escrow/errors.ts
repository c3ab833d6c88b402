/** x/escrow's registered errors; never renumber or reuse a code. */
import { registerError } from '../../types/errors.js';
import { ModuleName } from './keys.js';

export const ErrAccountNotFound = registerError(ModuleName, 2, 'escrow account not found');
export const ErrAccountExists = registerError(ModuleName, 3, 'escrow account already exists');
export const ErrAccountClosed = registerError(ModuleName, 4, 'escrow account closed');
export const ErrAccountOverdrawn = registerError(ModuleName, 5, 'escrow account overdrawn');
export const ErrPaymentNotFound = registerError(ModuleName, 6, 'payment not found');
export const ErrPaymentExists = registerError(ModuleName, 7, 'payment already exists');
export const ErrInvalidDenom = registerError(ModuleName, 8, 'invalid denomination for this account');
export const ErrInvalidDeposit = registerError(ModuleName, 9, 'invalid deposit');
export const ErrInvalidPayment = registerError(ModuleName, 10, 'invalid payment');
export const ErrInvalidParams = registerError(ModuleName, 11, 'invalid escrow params');
